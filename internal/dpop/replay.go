package dpop

import (
	"context"
	"errors"
	"time"

	gocache "github.com/patrickmn/go-cache"
)

// ReplayCache records the proofs already used, so that a proof is
// accepted once (RFC 9449 §11.1). A store that several instances share
// makes each refuse a proof already used at another.
type ReplayCache interface {
	// FirstUse records key for ttl and reports whether this is its first
	// use within that time: false means a replay. Checking and recording
	// must be one atomic step (Redis: SET NX with an expiry). key is a
	// fixed-length digest of the proof's key and jti, never a proof.
	FirstUse(ctx context.Context, key string, ttl time.Duration) (bool, error)
}

// ErrReplayCacheFull: the in-memory replay cache holds its maximum of
// entries, so a proof cannot be recorded and is refused (503) rather than
// accepted unrecorded.
var ErrReplayCacheFull = errors.New("dpop: replay cache full")

// MemoryReplayCache is a ReplayCache in this process's memory, bounded in
// entries. Each entry lives as long as its proof would be accepted (the
// maximum age plus the leeway at most), so the bound is reached only by
// more proofs in that time than it holds.
type MemoryReplayCache struct {
	items *gocache.Cache
	max   int
}

// NewMemoryReplayCache returns a cache of at most maxEntries proofs.
func NewMemoryReplayCache(maxEntries int) *MemoryReplayCache {
	return &MemoryReplayCache{items: gocache.New(gocache.NoExpiration, 30*time.Second), max: maxEntries}
}

// FirstUse implements ReplayCache: go-cache's Add records a key only when
// it is absent or expired, under one lock.
func (c *MemoryReplayCache) FirstUse(_ context.Context, key string, ttl time.Duration) (bool, error) {
	if c.items.ItemCount() >= c.max {
		return false, ErrReplayCacheFull
	}
	if ttl <= 0 {
		ttl = time.Second
	}
	return c.items.Add(key, struct{}{}, ttl) == nil, nil
}

// Len returns the number of entries, expired ones not yet dropped
// included.
func (c *MemoryReplayCache) Len() int { return c.items.ItemCount() }
