package dpop

// CachedHeaders is the number of proof headers v keeps.
func CachedHeaders(v *Verifier) int {
	v.headers.mu.RLock()
	defer v.headers.mu.RUnlock()
	return len(v.headers.m)
}
