package core

import (
	"encoding/binary"
	"hash/maphash"
	"strings"
	"time"
	"unsafe"

	gocache "github.com/patrickmn/go-cache"
)

// resultCache remembers validation results so that a token seen before
// costs no signature check, no JSON decoding and no outbound call.
//
// Entries are keyed by a 64-bit maphash of the token under a per-process
// random seed: fast (tens of nanoseconds for a 1 KiB token, where SHA-256
// costs close to a microsecond) and unpredictable to an attacker, who thus
// cannot aim for a collision. A hit is still only accepted after the full
// token is compared with the one stored in the entry, in constant time, so
// even a collision can never hand one token another token's result.
type resultCache struct {
	items *gocache.Cache
	seed  maphash.Seed
	max   int
}

// cacheEntry is one validation result: a Principal, or an error for
// negative results (inactive reference tokens).
type cacheEntry struct {
	token   string // a private copy of the token
	p       *Principal
	err     error
	expires time.Time
}

func newResultCache(maxEntries int) *resultCache {
	return &resultCache{
		items: gocache.New(gocache.NoExpiration, time.Minute),
		seed:  maphash.MakeSeed(),
		max:   maxEntries,
	}
}

// get returns the entry for tok, if one is cached and not expired at now.
func (c *resultCache) get(tok string, now time.Time) (*cacheEntry, bool) {
	var key [8]byte
	binary.LittleEndian.PutUint64(key[:], maphash.String(c.seed, tok))
	// The key string points at the stack array: go-cache only reads it
	// during Get, so no copy is needed on the hot path.
	v, ok := c.items.Get(unsafe.String(&key[0], len(key)))
	if !ok {
		return nil, false
	}
	e := v.(*cacheEntry)
	if !constantTimeEqual(e.token, tok) || !now.Before(e.expires) {
		return nil, false
	}
	return e, true
}

// put stores a result until expires. When the cache is full the result is
// not stored (validation stays correct, only slower).
func (c *resultCache) put(tok string, e *cacheEntry, now time.Time) {
	ttl := e.expires.Sub(now)
	if ttl <= 0 || c.items.ItemCount() >= c.max {
		return
	}
	var key [8]byte
	binary.LittleEndian.PutUint64(key[:], maphash.String(c.seed, tok))
	e.token = strings.Clone(tok) // never alias request memory
	c.items.Set(string(key[:]), e, ttl)
}

// constantTimeEqual compares a and b in time that depends only on their
// length, eight bytes at a time (crypto/subtle.ConstantTimeCompare works a
// byte at a time, several times slower on kilobyte tokens).
func constantTimeEqual(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	var diff uint64
	i := 0
	for ; i+8 <= len(a); i += 8 {
		diff |= binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(a[i:]), 8)) ^
			binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(b[i:]), 8))
	}
	for ; i < len(a); i++ {
		diff |= uint64(a[i] ^ b[i])
	}
	return diff == 0
}
