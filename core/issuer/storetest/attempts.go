package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/testutil"
)

// NewLimiter returns an empty issuer.AttemptLimiter private to the test.
type NewLimiter func(t *testing.T) issuer.AttemptLimiter

// RunAttemptLimiter checks the token bucket of an AttemptLimiter: a burst
// at once, then one per interval, an attempt given back counted no more,
// concurrent takes never beyond the burst, and keys independent.
func RunAttemptLimiter(t *testing.T, newLimiter NewLimiter) {
	limit := issuer.AttemptLimit{Burst: 3, Interval: time.Minute}
	ctx := context.Background()
	take := func(t *testing.T, l issuer.AttemptLimiter, key string, now time.Time) time.Duration {
		t.Helper()
		wait, err := l.TakeAttempt(ctx, key, limit, now)
		if err != nil {
			t.Fatal(err)
		}
		return wait
	}
	t.Run("a burst, then one per interval", func(t *testing.T) {
		l := newLimiter(t)
		for i := range limit.Burst {
			if wait := take(t, l, "k", t0); wait != 0 {
				t.Fatalf("attempt %d of the burst: wait %v", i+1, wait)
			}
		}
		if wait := take(t, l, "k", t0); wait != limit.Interval {
			t.Fatalf("beyond the burst: wait %v, want %v", wait, limit.Interval)
		}
		if wait := take(t, l, "k", t0.Add(limit.Interval/2)); wait != limit.Interval/2 {
			t.Fatalf("half an interval later: wait %v, want %v", wait, limit.Interval/2)
		}
		if wait := take(t, l, "k", t0.Add(limit.Interval)); wait != 0 {
			t.Fatalf("an interval later: wait %v, want 0", wait)
		}
		if wait := take(t, l, "other", t0); wait != 0 {
			t.Fatalf("another key: wait %v, want 0", wait)
		}
	})
	t.Run("an attempt given back is not counted", func(t *testing.T) {
		l := newLimiter(t)
		for range 10 * limit.Burst {
			if wait := take(t, l, "k", t0); wait != 0 {
				t.Fatalf("wait %v", wait)
			}
			if err := l.ReturnAttempt(ctx, "k", limit, t0); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.ReturnAttempt(ctx, "unknown", limit, t0); err != nil {
			t.Fatalf("giving back to an unknown key: %v", err)
		}
	})
	t.Run("a full bucket is not overfilled", func(t *testing.T) {
		l := newLimiter(t)
		take(t, l, "k", t0)
		for range 5 {
			if err := l.ReturnAttempt(ctx, "k", limit, t0); err != nil {
				t.Fatal(err)
			}
		}
		n := 0
		for take(t, l, "k", t0) == 0 {
			n++
		}
		if n != limit.Burst {
			t.Fatalf("%d attempts after giving back too much, want %d", n, limit.Burst)
		}
	})
	t.Run("concurrent takes stay within the burst", func(t *testing.T) {
		l := newLimiter(t)
		var mu sync.Mutex
		var wg sync.WaitGroup
		allowed := 0
		for range 20 {
			wg.Go(func() {
				if wait, err := l.TakeAttempt(ctx, "k", limit, t0); err == nil && wait == 0 {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if allowed != limit.Burst {
			t.Fatalf("%d of 20 concurrent attempts allowed, want %d", allowed, limit.Burst)
		}
	})
}

// RunSignInIndex checks an issuer.SignInIndex, on a store from newStore.
func RunSignInIndex(t *testing.T, newStore NewStore) {
	ctx := context.Background()
	t.Run("sign-ins are listed oldest first, and removed", func(t *testing.T) {
		clock := testutil.NewClock(testutil.Epoch)
		idx, ok := newStore(t, clock.Now).(issuer.SignInIndex)
		if !ok {
			t.Fatal("the store is no SignInIndex")
		}
		var got []string
		for i, id := range []string{"b", "a", "c"} { // started in this order
			var err error
			if got, err = idx.AddSignIn(ctx, "alice", id, t0.Add(time.Duration(i)*time.Second), t0.Add(hour)); err != nil {
				t.Fatal(err)
			}
		}
		if !slices.Equal(got, []string{"b", "a", "c"}) {
			t.Fatalf("listed %q, want oldest first", got)
		}
		other, err := idx.AddSignIn(ctx, "bob", "d", t0, t0.Add(hour))
		if err != nil || !slices.Equal(other, []string{"d"}) {
			t.Fatalf("bob's index: %q, %v", other, err)
		}
		if err := idx.RemoveSignIns(ctx, "alice", "b", "c"); err != nil {
			t.Fatal(err)
		}
		if got, err = idx.AddSignIn(ctx, "alice", "e", t0.Add(time.Minute), t0.Add(hour)); err != nil || !slices.Equal(got, []string{"a", "e"}) {
			t.Fatalf("after removing b and c: %q, %v", got, err)
		}
		if err := idx.RemoveSignIns(ctx, "nobody"); err != nil {
			t.Fatal(err)
		}
	})
}
