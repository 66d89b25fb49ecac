package core_test

import (
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core"
)

// randomToken is a distinct reference token of size bytes.
func randomToken(size int) string {
	t := rand.Text()
	return strings.Repeat("x", size-len(t)) + t
}

// TestFloodOfInactiveTokensLeavesValidUsersCached: 2,000 random tokens
// fill a cache of 1,000 entries; a valid token used 50 times afterwards
// costs one introspection call, not 50, because the cache evicts instead
// of refusing.
func TestFloodOfInactiveTokensLeavesValidUsersCached(t *testing.T) {
	srv, _, g := introGuard(t, func(c *core.Config) { c.CacheMaxEntries = 1000 })
	for range 2000 {
		if _, err := auth(g, refToken()); !errors.Is(err, core.ErrInactive) {
			t.Fatalf("random token: want ErrInactive, got %v", err)
		}
	}
	valid := refToken()
	srv.Activate(valid, active(nil))
	for range 50 {
		if _, err := auth(g, valid); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.CallsFor(valid); n != 1 {
		t.Fatalf("%d introspection calls for 50 uses of one valid token, want 1", n)
	}
}

// TestInactiveTokensCostADigestNotACopy: 5,000 random 8 KiB tokens, each
// answered inactive and remembered, grow the live heap by far less than
// the 40 MiB their copies would take.
func TestInactiveTokensCostADigestNotACopy(t *testing.T) {
	const n, size = 5000, 8 << 10
	_, _, g := introGuard(t, nil)
	base := liveHeap()
	for range n {
		if _, err := auth(g, randomToken(size)); !errors.Is(err, core.ErrInactive) {
			t.Fatalf("want ErrInactive, got %v", err)
		}
	}
	grown := int64(liveHeap()) - int64(base)
	entries, bytes := core.CacheUsage(g)
	t.Logf("%d inactive %d-byte tokens: %d entries, %d bytes estimated, heap grew by %d bytes", n, size, entries, bytes, grown)
	if entries != n {
		t.Fatalf("%d entries cached, want %d", entries, n)
	}
	if limit := int64(n) * 1024; grown > limit || bytes > limit {
		t.Fatalf("heap grew by %d bytes (estimate %d) for %d inactive tokens: more than 1 KiB each", grown, bytes, n)
	}
}

// TestConcurrentIntrospectionCallsAreBounded: 200 requests with distinct
// tokens against an endpoint that does not answer yet make at most
// MaxConcurrent calls at once; the others wait MaxWait, then get 503.
func TestConcurrentIntrospectionCallsAreBounded(t *testing.T) {
	const requests, slots = 200, 8
	srv, _, g := introGuard(t, func(c *core.Config) {
		c.Introspection.MaxConcurrent = slots
		c.Introspection.MaxWait = 50 * time.Millisecond
	})
	release := srv.HoldAll(t)
	var wg sync.WaitGroup
	errs := make(chan error, requests)
	for range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := auth(g, refToken())
			errs <- err
		}()
	}
	// Wait (bounded) until the slots are taken, then let the rest time out.
	for i := 0; srv.InFlight() < slots && i < 1000; i++ {
		time.Sleep(5 * time.Millisecond)
	}
	busy := 0
	for range requests - slots {
		if err := <-errs; errors.Is(err, core.ErrUnavailable) {
			busy++
		}
	}
	release()
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, core.ErrInactive) {
			t.Errorf("a call that got a slot: want ErrInactive, got %v", err)
		}
	}
	if peak := srv.PeakCalls(); peak > slots {
		t.Fatalf("%d introspection calls at once, want at most %d", peak, slots)
	}
	if busy != requests-slots {
		t.Fatalf("%d requests answered unavailable, want %d", busy, requests-slots)
	}
}

// TestIntrospectionReusesConnections: 20 rounds of 16 concurrent calls
// through 8 slots open no more connections than there are slots (plus one
// spare), because the Guard's client keeps them alive.
func TestIntrospectionReusesConnections(t *testing.T) {
	const rounds, perRound, slots = 20, 16, 8
	srv, _, g := introGuard(t, func(c *core.Config) {
		c.Introspection.MaxConcurrent = slots
		c.Introspection.MaxWait = time.Minute
	})
	for range rounds {
		var wg sync.WaitGroup
		for range perRound {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := auth(g, refToken()); !errors.Is(err, core.ErrInactive) {
					t.Errorf("want ErrInactive, got %v", err)
				}
			}()
		}
		wg.Wait()
	}
	if n := srv.Connections(); n > slots+1 {
		t.Fatalf("%d connections opened for %d calls, want at most %d", n, rounds*perRound, slots+1)
	}
}
