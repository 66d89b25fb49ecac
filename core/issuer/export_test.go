package issuer

// NewMemoryAttempts is the in-process AttemptLimiter, for the store
// behaviour table.
func NewMemoryAttempts() AttemptLimiter { return newMemoryAttempts() }
