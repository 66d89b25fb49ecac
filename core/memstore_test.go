package core_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

func TestMemoryStoreRotateIsCompareAndSwap(t *testing.T) {
	clock := testutil.NewClock(testutil.Epoch)
	s := core.NewMemoryStore(clock.Now)
	ctx := context.Background()
	sess := &core.Session{ID: "s1", Subject: "alice", Expires: testutil.Epoch.Add(time.Hour),
		RefreshHash: core.HashToken("r0"), RefreshExpires: testutil.Epoch.Add(time.Hour)}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	const n = 16
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins int
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Rotate(ctx, core.Rotation{SessionID: "s1", OldHash: core.HashToken("r0"),
				NewHash: core.HashToken(string(rune('a' + i))), NewExpires: testutil.Epoch.Add(time.Hour), At: testutil.Epoch})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, core.ErrStale):
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d rotations won, want 1", wins)
	}
	cur, err := s.SessionByRefresh(ctx, core.HashToken("r0"))
	if err != nil || cur.PreviousHash != core.HashToken("r0") {
		t.Fatalf("old hash does not lead to the session: %+v %v", cur, err)
	}

	if err := s.RevokeSession(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Rotate(ctx, core.Rotation{SessionID: "s1", OldHash: cur.RefreshHash}); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("rotating a revoked session: %v", err)
	}
}

func TestMemoryStoreRecordsExpire(t *testing.T) {
	clock := testutil.NewClock(testutil.Epoch)
	s := core.NewMemoryStore(clock.Now)
	ctx := context.Background()
	_ = s.CreateSession(ctx, &core.Session{ID: "s", Expires: testutil.Epoch.Add(time.Minute)})
	_ = s.PutToken(ctx, "h", &core.TokenRecord{ID: "t", Kind: core.KindAPI, Expires: testutil.Epoch.Add(time.Minute)})
	_ = s.RevokeToken(ctx, "j", testutil.Epoch.Add(time.Minute))
	clock.Advance(time.Minute - time.Nanosecond)
	if _, err := s.Session(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	if revoked, _ := s.TokenRevoked(ctx, "j"); !revoked {
		t.Fatal("revocation forgotten early")
	}
	clock.Advance(time.Nanosecond)
	if _, err := s.Session(ctx, "s"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("expired session: %v", err)
	}
	if _, err := s.Token(ctx, "h"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("expired token: %v", err)
	}
	if revoked, _ := s.TokenRevoked(ctx, "j"); revoked {
		t.Fatal("revocation outlived its token")
	}
	if list, _ := s.APITokens(ctx); len(list) != 0 {
		t.Fatal("expired API token listed")
	}
}
