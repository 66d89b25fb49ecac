package core

import (
	"container/heap"
	"crypto/sha256"
	"encoding/binary"
	"hash/maphash"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/tokengate/tokengate/internal"
)

// resultCache remembers validation results so that a token seen before
// costs no signature check, no JSON decoding and no outbound call.
//
// It is bounded in bytes (Config.CacheMaxBytes, an estimate of the memory
// each entry holds) and in entries (Config.CacheMaxEntries), and it evicts
// rather than refuses: when a new result does not fit, expired entries go
// first, then the least recently used ones. Expired entries are never
// counted against the bounds once a put needs their room, so a flood of
// short-lived negative answers cannot crowd out valid users.
//
// Entries are keyed by a 64-bit maphash (see key) under a per-process
// random seed: fast (tens of nanoseconds, where SHA-256 of a 1 KiB token
// costs close to a microsecond) and unpredictable to an attacker, who thus
// cannot aim for a collision. A hit on a valid result is still only
// accepted after the full token is compared with the one stored in the
// entry, in constant time, so even a collision can never hand one token
// another token's result. A negative result (an inactive reference token)
// keeps only the SHA-256 of its token: enough to recognise it, and a few
// dozen bytes where a flood of random 8 KiB tokens would otherwise keep
// 8 KiB each.
//
// The cache is split into shards, each an LRU list from
// hashicorp/golang-lru under its own mutex, so that concurrent requests
// rarely wait for one another.
type resultCache struct {
	shards [cacheShards]cacheShard
	seed   maphash.Seed
	clock  func() time.Time
}

// cacheShards is the number of shards; a power of two.
const cacheShards = 16

// cacheShard is one LRU list with its byte count and an expiry heap.
type cacheShard struct {
	mu       sync.Mutex
	lru      *simplelru.LRU[uint64, *cacheEntry]
	expiry   expiryHeap
	bytes    int64 // estimated memory of the entries held
	maxBytes int64
	_        [64]byte // keeps shards on separate cache lines
}

// cacheEntry is one validation result: a Principal, or an error for
// negative results (inactive reference tokens).
type cacheEntry struct {
	token   string            // a private copy of the token (valid results)
	digest  [sha256.Size]byte // SHA-256 of the token (negative results)
	p       *Principal
	err     error
	expires time.Time

	key       uint64
	cost      int64
	heapIndex int
}

func newResultCache(maxEntries int, maxBytes int64, clock func() time.Time) *resultCache {
	c := &resultCache{seed: maphash.MakeSeed(), clock: clock}
	perShard := max(1, (maxEntries+cacheShards-1)/cacheShards)
	for i := range c.shards {
		s := &c.shards[i]
		s.maxBytes = max(1, maxBytes/cacheShards)
		s.lru, _ = simplelru.NewLRU(perShard, s.evicted) // size > 0: no error
	}
	return c
}

func (c *resultCache) now() time.Time {
	if c.clock != nil {
		return c.clock()
	}
	return time.Now()
}

// get returns the entry for tok, if one is cached and not expired.
func (c *resultCache) get(tok string) (*cacheEntry, bool) {
	key := c.key(tok)
	s := &c.shards[key%cacheShards]
	now := c.now()
	s.mu.Lock()
	e, ok := s.lru.Get(key)
	if ok && !now.Before(e.expires) {
		s.lru.Remove(key)
		ok = false
	}
	s.mu.Unlock()
	if !ok {
		return nil, false
	}
	if e.err != nil {
		if sha256.Sum256([]byte(tok)) != e.digest {
			return nil, false
		}
	} else if !internal.Equal(e.token, tok) {
		return nil, false
	}
	return e, true
}

// put stores a result until e.expires. tok must be the Guard's own copy,
// never request memory. A result larger than a shard's share of the bound
// is not stored (validation stays correct, only slower).
func (c *resultCache) put(tok string, e *cacheEntry, now time.Time) {
	if !now.Before(e.expires) {
		return
	}
	e.key = c.key(tok)
	if e.err != nil {
		e.digest = sha256.Sum256([]byte(tok))
		e.cost = negativeEntryCost
	} else {
		e.token = tok
		e.cost = positiveEntryCost + tokenCost(tok) + principalCost(e.p)
	}
	s := &c.shards[e.key%cacheShards]
	if e.cost > s.maxBytes {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lru.Remove(e.key) // a colliding or older entry gives its room back
	s.dropExpired(now)
	for s.bytes+e.cost > s.maxBytes {
		if _, _, ok := s.lru.RemoveOldest(); !ok {
			break
		}
	}
	s.bytes += e.cost
	heap.Push(&s.expiry, e)
	s.lru.Add(e.key, e) // may evict the oldest entry when the count is reached
}

// dropExpired removes the entries whose time has come, earliest first.
func (s *cacheShard) dropExpired(now time.Time) {
	for len(s.expiry) > 0 && !now.Before(s.expiry[0].expires) {
		s.lru.Remove(s.expiry[0].key)
	}
}

// evicted is the LRU's eviction callback: the entry gives its bytes back
// and leaves the expiry heap. It runs under s.mu.
func (s *cacheShard) evicted(_ uint64, e *cacheEntry) {
	s.bytes -= e.cost
	heap.Remove(&s.expiry, e.heapIndex)
}

// usage returns the entries and estimated bytes held, expired ones
// dropped first (for tests).
func (c *resultCache) usage() (entries int, bytes int64) {
	now := c.now()
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		s.dropExpired(now)
		entries += s.lru.Len()
		bytes += s.bytes
		s.mu.Unlock()
	}
	return entries, bytes
}

// key hashes the token's length and its last keyTail bytes. Every token
// format we see ends in its most distinctive bytes (a signature, a random
// handle), and hashing a bounded slice keeps the lookup cost independent of
// the token size. Two tokens sharing a key only cost a cache miss: the
// token is compared on every hit.
func (c *resultCache) key(tok string) uint64 {
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
	return h.Sum64()
}

const keyTail = 64

// expiryHeap orders a shard's entries by expiry (container/heap).
type expiryHeap []*cacheEntry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].expires.Before(h[j].expires) }
func (h expiryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIndex, h[j].heapIndex = i, j
}
func (h *expiryHeap) Push(x any) {
	e := x.(*cacheEntry)
	e.heapIndex = len(*h)
	*h = append(*h, e)
}
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	e.heapIndex = -1
	return e
}
