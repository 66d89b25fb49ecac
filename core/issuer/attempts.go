package issuer

import (
	"context"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// AttemptLimiter is the store role that bounds authentication attempts
// (sign-ins, client authentication) per key: an account or a client
// address. Each key has a token bucket of AttemptLimit.Burst attempts that
// refills one every AttemptLimit.Interval. The Issuer takes an attempt
// before it checks a password or a client secret and gives it back when
// the check succeeds, so only failures use the allowance, and concurrent
// guesses cannot all slip in before the first failure counts.
//
// A store that implements it (the Redis store does) makes every instance
// of a deployment share the counts; otherwise the Issuer counts in
// memory. Keys are digests computed by the Issuer, never a username or
// an address as such.
type AttemptLimiter interface {
	// TakeAttempt takes one attempt from key's bucket at now. It returns
	// 0 when the attempt may go ahead, and otherwise how long until one
	// may, taking nothing.
	TakeAttempt(ctx context.Context, key string, l AttemptLimit, now time.Time) (time.Duration, error)
	// ReturnAttempt gives back an attempt taken from key's bucket (the
	// check it allowed succeeded).
	ReturnAttempt(ctx context.Context, key string, l AttemptLimit, now time.Time) error
}

// AttemptLimit is an allowance of attempts: Burst at once, then one more
// every Interval.
type AttemptLimit struct {
	Burst    int
	Interval time.Duration
}

// GCRA is the arithmetic of both limiters (this one and the Redis
// store's): the generic cell rate algorithm keeps one time per key, the
// theoretical arrival time (TAT) of the next attempt, which is exactly a
// token bucket of Burst refilled every Interval (the one of
// golang.org/x/time/rate), but can also be given back, which
// x/time/rate's Limiter cannot once the time of a reservation has passed.
// An attempt is allowed when TAT is at most (Burst-1)·Interval ahead of
// now; it then moves TAT one Interval on, and giving it back moves TAT one
// Interval back. A key whose TAT is past holds a full bucket and is
// forgotten.

// gcraTake is GCRA's take: the new TAT, or the wait when the attempt is
// refused (ok false).
func gcraTake(tat, now time.Time, l AttemptLimit) (next time.Time, wait time.Duration, ok bool) {
	if tat.Before(now) {
		tat = now
	}
	if ahead := tat.Sub(now) - time.Duration(l.Burst-1)*l.Interval; ahead > 0 {
		return tat, ahead, false
	}
	return tat.Add(l.Interval), 0, true
}

// maxAttemptKeys bounds the keys the memory limiter keeps. A key it
// forgets starts again with a full bucket, so the bound is high: 100,000
// keys of about 200 bytes each, some 20 MB at most.
const maxAttemptKeys = 100_000

// memoryAttempts is the in-process AttemptLimiter: the TAT of each key in
// a bounded LRU cache (hashicorp/golang-lru), least recently used
// forgotten first.
type memoryAttempts struct {
	mu  sync.Mutex // makes each take and give-back one step
	tat *lru.Cache[string, time.Time]
}

// newMemoryAttempts returns the in-process AttemptLimiter, the Issuer's
// default when its Store is not one.
func newMemoryAttempts() *memoryAttempts {
	c, _ := lru.New[string, time.Time](maxAttemptKeys) // errs only on a size <= 0
	return &memoryAttempts{tat: c}
}

// TakeAttempt implements AttemptLimiter.
func (m *memoryAttempts) TakeAttempt(_ context.Context, key string, l AttemptLimit, now time.Time) (time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	tat, _ := m.tat.Get(key)
	next, wait, ok := gcraTake(tat, now, l)
	if ok {
		m.tat.Add(key, next)
	}
	return wait, nil
}

// ReturnAttempt implements AttemptLimiter.
func (m *memoryAttempts) ReturnAttempt(_ context.Context, key string, l AttemptLimit, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	tat, ok := m.tat.Get(key)
	if !ok {
		return nil
	}
	if tat = tat.Add(-l.Interval); tat.After(now) {
		m.tat.Add(key, tat)
	} else {
		m.tat.Remove(key)
	}
	return nil
}
