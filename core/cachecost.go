package core

import (
	"encoding/json"
	"unsafe"
)

// Estimated memory of cache entries, in bytes, for Config.CacheMaxBytes.
// The estimates err on the high side: the cache's real footprint stays
// under its bound (cache_memory_test.go measures it on the heap).
const (
	// negativeEntryCost: a cacheEntry with its digest and error, the LRU's
	// list element and map slot, and the expiry heap's slot.
	negativeEntryCost = 512
	// positiveEntryCost: the same plus a Principal, before its strings,
	// slices and claims.
	positiveEntryCost = negativeEntryCost + int64(unsafe.Sizeof(Principal{}))
)

// Allocation overheads used by valueCost: a string or interface header,
// a slice header, an empty map and each map slot, rounded up.
const (
	headerCost  = 16
	sliceCost   = 24
	mapCost     = 64
	mapSlotCost = 48
	// maxCostDepth bounds the walk into nested claims; deeper values are
	// charged a flat cost (a token is bounded in size, so they are few).
	maxCostDepth = 16
	deepCost     = 4 << 10
)

// principalCost estimates the memory p holds beyond its struct.
func principalCost(p *Principal) int64 {
	if p == nil {
		return 0
	}
	n := bytesCost(len(p.Subject)) + bytesCost(len(p.ClientID)) + bytesCost(len(p.Username)) +
		bytesCost(len(p.TokenType)) + bytesCost(len(p.Token))
	for _, l := range [][]string{p.Scopes, p.Roles, p.Groups} {
		n += sliceCost + len(l)*headerCost
	}
	n += valueCost(p.Claims, 0) + valueCost(p.UserInfo, 0)
	return int64(n)
}

// tokenCost estimates the memory of the cache's copy of a token.
func tokenCost(tok string) int64 { return int64(bytesCost(len(tok))) }

// bytesCost is the memory of an allocation of n bytes: the allocator
// rounds it up to a size class, wasting up to an eighth.
func bytesCost(n int) int {
	if n == 0 {
		return 0
	}
	return n + n/8 + 16
}

// valueCost estimates the memory of a decoded JSON value.
func valueCost(v any, depth int) int {
	if depth > maxCostDepth {
		return deepCost
	}
	switch x := v.(type) {
	case nil:
		return 0
	case string:
		return headerCost + bytesCost(len(x))
	case json.Number:
		return headerCost + bytesCost(len(x))
	case []any:
		n := sliceCost + len(x)*headerCost
		for _, e := range x {
			n += valueCost(e, depth+1)
		}
		return n
	case []string:
		n := sliceCost
		for _, e := range x {
			n += headerCost + bytesCost(len(e))
		}
		return n
	case map[string]any:
		if x == nil {
			return 0
		}
		n := mapCost
		for k, e := range x {
			n += mapSlotCost + bytesCost(len(k)) + valueCost(e, depth+1)
		}
		return n
	}
	return headerCost // bool, float64: held in the interface word or a small box
}
