package core

import (
	"testing"
	"time"
)

// TestHashCollisionNeverSharesAnEntry plants token A's entry under the key
// token B hashes to, as a collision would, and checks B does not get it.
func TestHashCollisionNeverSharesAnEntry(t *testing.T) {
	c := newResultCache(10, nil)
	now := time.Now()
	key := c.key("token-B")
	c.items.Set(string(key[:]), &cacheEntry{token: "token-A", p: &Principal{Subject: "a"}, expires: now.Add(time.Hour)}, time.Hour)
	if _, ok := c.get("token-B"); ok {
		t.Fatal("token B was handed token A's entry")
	}
	c.put("token-B", &cacheEntry{p: &Principal{Subject: "b"}, expires: now.Add(time.Hour)}, now)
	if e, ok := c.get("token-B"); !ok || e.p.Subject != "b" {
		t.Fatal("token B's own entry not found")
	}
}

func TestCacheIsBounded(t *testing.T) {
	c := newResultCache(2, nil)
	now := time.Now()
	for _, tok := range []string{"a", "b", "c"} {
		c.put(tok, &cacheEntry{p: &Principal{}, expires: now.Add(time.Hour)}, now)
	}
	if n := c.items.ItemCount(); n != 2 {
		t.Fatalf("%d entries, want 2", n)
	}
}
