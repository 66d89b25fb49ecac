package core

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestHashCollisionNeverSharesAnEntry plants token A's entry under the key
// token B hashes to, as a collision would, and checks B does not get it.
func TestHashCollisionNeverSharesAnEntry(t *testing.T) {
	c := newResultCache(10, 1<<20, nil)
	now := time.Now()
	key := c.key("token-B")
	s := &c.shards[key%cacheShards]
	planted := &cacheEntry{token: "token-A", p: &Principal{Subject: "a"}, expires: now.Add(time.Hour), key: key, cost: 1}
	s.lru.Add(key, planted)
	s.bytes++
	s.expiry.Push(planted)
	if _, ok := c.get("token-B"); ok {
		t.Fatal("token B was handed token A's entry")
	}
	c.put("token-B", &cacheEntry{p: &Principal{Subject: "b"}, expires: now.Add(time.Hour)}, now)
	if e, ok := c.get("token-B"); !ok || e.p.Subject != "b" {
		t.Fatal("token B's own entry not found")
	}
	if n, _ := c.usage(); n != 1 {
		t.Fatalf("%d entries after the colliding put, want 1", n)
	}
}

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	tests := []struct {
		name       string
		maxEntries int
		maxBytes   int64
	}{
		{"by entries", 2 * cacheShards, 1 << 30},
		{"by bytes", 1 << 20, cacheShards * (2*positiveEntryCost + 2*4600)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newResultCache(tt.maxEntries, tt.maxBytes, nil)
			now := time.Now()
			// Three tokens of one shard; the first is used again before the
			// third arrives, so the second is the least recently used.
			toks := sameShard(c, 3, 4000)
			for i, tok := range toks {
				if i == 2 {
					if _, ok := c.get(toks[0]); !ok {
						t.Fatal("first token not cached")
					}
				}
				c.put(tok, &cacheEntry{p: &Principal{}, expires: now.Add(time.Hour)}, now)
			}
			for i, want := range []bool{true, false, true} {
				if _, ok := c.get(toks[i]); ok != want {
					t.Errorf("token %d cached: %v, want %v", i, ok, want)
				}
			}
		})
	}
}

func TestCacheDropsExpiredEntriesBeforeLiveOnes(t *testing.T) {
	now := time.Now()
	clock := now
	c := newResultCache(1<<20, cacheShards*(4*negativeEntryCost), func() time.Time { return clock })
	toks := sameShard(c, 5, 100)
	// One live entry, then three short-lived negative ones that fill the
	// shard; the live entry is used last, so it is the most recent.
	c.put(toks[0], &cacheEntry{err: errors.New("inactive"), expires: now.Add(time.Hour)}, now)
	for _, tok := range toks[1:4] {
		c.put(tok, &cacheEntry{err: errors.New("inactive"), expires: now.Add(time.Second)}, now)
	}
	if _, ok := c.get(toks[0]); !ok {
		t.Fatal("live entry missing")
	}
	clock = now.Add(2 * time.Second)
	if n, b := c.usage(); n != 1 || b != negativeEntryCost {
		t.Fatalf("after expiry: %d entries, %d bytes; want 1 and %d", n, b, negativeEntryCost)
	}
	c.put(toks[4], &cacheEntry{err: errors.New("inactive"), expires: clock.Add(time.Hour)}, clock)
	for _, i := range []int{0, 4} {
		if _, ok := c.get(toks[i]); !ok {
			t.Errorf("token %d evicted while expired entries held room", i)
		}
	}
}

func TestNegativeEntryKeepsOnlyADigest(t *testing.T) {
	c := newResultCache(10, 1<<20, nil)
	now := time.Now()
	tok := strings.Repeat("r", 8<<10)
	c.put(tok, &cacheEntry{err: errors.New("inactive"), expires: now.Add(time.Hour)}, now)
	e, ok := c.get(tok)
	if !ok {
		t.Fatal("negative entry not cached")
	}
	if e.token != "" {
		t.Fatal("a negative entry keeps the token")
	}
	if _, b := c.usage(); b != negativeEntryCost {
		t.Fatalf("negative entry costs %d bytes, want %d", b, negativeEntryCost)
	}
	if _, ok := c.get(strings.Repeat("r", 8<<10-1) + "s"); ok {
		t.Fatal("another token of the same length and tail matched")
	}
}

// sameShard returns n distinct tokens of about size bytes that fall into
// one shard.
func sameShard(c *resultCache, n, size int) []string {
	var out []string
	want := uint64(0)
	for i := 0; len(out) < n; i++ {
		tok := fmt.Sprintf("%0*d", size, i)
		k := c.key(tok) % cacheShards
		if len(out) == 0 {
			want = k
		}
		if k == want {
			out = append(out, tok)
		}
	}
	return out
}
