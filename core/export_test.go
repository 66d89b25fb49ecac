package core

// Test hooks for the external test package (core_test), which may import
// internal/testutil; internal tests may not, as testutil imports core.

// CachedHeaders is the number of protected headers g's JWT verifier keeps.
func CachedHeaders(g *Guard) int {
	g.jwt.headers.mu.RLock()
	defer g.jwt.headers.mu.RUnlock()
	return len(g.jwt.headers.m)
}

// MaxCachedHeaders is the header cache's bound.
const MaxCachedHeaders = maxCachedHeaders

// ResolvedIssuers is the number of issuers g's resolver admitted that g
// still remembers.
func ResolvedIssuers(g *Guard) int { return g.issuers.resolved.Len() }

// Bounds of the admission of resolved issuers and of kid refreshes.
const (
	MaxResolvedIssuers = maxResolvedIssuers
	KidRefreshBurst    = kidRefreshBurst
)

// CacheUsage is the number of entries and the estimated bytes g's result
// cache holds, expired entries dropped first.
func CacheUsage(g *Guard) (int, int64) { return g.cache.usage() }
