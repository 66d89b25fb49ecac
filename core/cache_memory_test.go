package core_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

// TestCacheMemoryStaysUnderItsBound floods a Guard with 100,000 distinct
// valid JWTs of about 1 KB, measuring the live heap every 10,000 tokens: it
// never grows by more than the cache's bound (16 MiB here, where the
// tokens would take some 400 MiB), and the newest tokens are still served
// from the cache (it evicts rather than refuses).
func TestCacheMemoryStaysUnderItsBound(t *testing.T) {
	const (
		tokens  = 100_000
		every   = 10_000
		padSize = 600
		bound   = 16 << 20
	)
	g := newGuard(t, core.Config{HMACSecret: testutil.Secret, CacheMaxBytes: bound})
	ctx := context.Background()
	mint := hs256Minter(time.Now().Add(time.Hour).Unix(), strings.Repeat("p", padSize))

	base := liveHeap()
	var peak uint64
	var last string
	for i := range tokens {
		last = mint(i)
		if _, err := g.Validate(ctx, last); err != nil {
			t.Fatalf("token %d: %v", i, err)
		}
		if (i+1)%every == 0 {
			if h := liveHeap(); h > base && h-base > peak {
				peak = h - base
			}
		}
	}
	entries, bytes := core.CacheUsage(g)
	t.Logf("%d tokens of %d bytes: heap grew by at most %.1f MiB; cache holds %d entries, %.1f MiB estimated (bound %d MiB)",
		tokens, len(last), float64(peak)/(1<<20), entries, float64(bytes)/(1<<20), bound>>20)
	if peak > bound {
		t.Errorf("heap grew by %d bytes, more than the cache's bound of %d", peak, bound)
	}
	if bytes > bound {
		t.Errorf("cache accounts %d bytes, more than its bound", bytes)
	}
	p1, err := g.Validate(ctx, last)
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := g.Validate(ctx, last)
	if p1 != p2 {
		t.Error("the newest token is not served from the cache")
	}
}

// liveHeap is the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// hs256Minter returns a function that signs the i-th distinct token with
// testutil.Secret: much faster than a JOSE library for a flood, and the
// Guard verifies it like any other.
func hs256Minter(exp int64, pad string) func(i int) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	return func(i int) string {
		payload := enc.EncodeToString(fmt.Appendf(nil, `{"sub":"user-%d","scope":"read","exp":%d,"pad":%q}`, i, exp, pad))
		input := header + "." + payload
		mac := hmac.New(sha256.New, testutil.Secret)
		mac.Write([]byte(input))
		return input + "." + enc.EncodeToString(mac.Sum(nil))
	}
}
