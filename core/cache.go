package core

import (
	"encoding/binary"
	"hash/maphash"
	"time"
	"unsafe"

	gocache "github.com/patrickmn/go-cache"
	"github.com/tokengate/tokengate/internal"
)

// resultCache remembers validation results so that a token seen before
// costs no signature check, no JSON decoding and no outbound call.
//
// Entries are keyed by a 64-bit maphash (see key) under a per-process
// random seed: fast (tens of nanoseconds, where SHA-256 of a 1 KiB token
// costs close to a microsecond) and unpredictable to an attacker, who thus
// cannot aim for a collision. A hit is still only accepted after the full
// token is compared with the one stored in the entry, in constant time, so
// even a collision can never hand one token another token's result.
type resultCache struct {
	items *gocache.Cache
	seed  maphash.Seed
	max   int
	clock func() time.Time // nil: real time, which go-cache checks itself
}

// cacheEntry is one validation result: a Principal, or an error for
// negative results (inactive reference tokens).
type cacheEntry struct {
	token   string // a private copy of the token
	p       *Principal
	err     error
	expires time.Time
}

func newResultCache(maxEntries int, clock func() time.Time) *resultCache {
	return &resultCache{
		items: gocache.New(gocache.NoExpiration, time.Minute),
		seed:  maphash.MakeSeed(),
		max:   maxEntries,
		clock: clock,
	}
}

// get returns the entry for tok, if one is cached and not expired.
func (c *resultCache) get(tok string) (*cacheEntry, bool) {
	key := c.key(tok)
	// The key string points at the stack array: go-cache only reads it
	// during Get, so no copy is needed on the hot path.
	v, ok := c.items.Get(unsafe.String(&key[0], len(key)))
	if !ok {
		return nil, false
	}
	e := v.(*cacheEntry)
	if !internal.Equal(e.token, tok) {
		return nil, false
	}
	// go-cache drops entries at their real-time expiry; an injected clock
	// (tests, Config.Now) is checked here as well.
	if c.clock != nil && !c.clock().Before(e.expires) {
		return nil, false
	}
	return e, true
}

// put stores a result until e.expires. tok must be the Guard's own copy,
// never request memory. When the cache is full the result is not stored
// (validation stays correct, only slower).
func (c *resultCache) put(tok string, e *cacheEntry, now time.Time) {
	ttl := e.expires.Sub(now)
	if ttl <= 0 || c.items.ItemCount() >= c.max {
		return
	}
	key := c.key(tok)
	e.token = tok
	c.items.Set(string(key[:]), e, ttl)
}

// key hashes the token's length and its last keyTail bytes. Every token
// format we see ends in its most distinctive bytes (a signature, a random
// handle), and hashing a bounded slice keeps the lookup cost independent of
// the token size. Two tokens sharing a key only cost a cache miss: the
// full token is compared on every hit.
func (c *resultCache) key(tok string) [8]byte {
	tail := tok
	if len(tail) > keyTail {
		tail = tail[len(tail)-keyTail:]
	}
	var h maphash.Hash
	h.SetSeed(c.seed)
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(tok)))
	_, _ = h.Write(n[:])
	_, _ = h.WriteString(tail)
	var key [8]byte
	binary.LittleEndian.PutUint64(key[:], h.Sum64())
	return key
}

const keyTail = 64
