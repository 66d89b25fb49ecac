// Package redisstore is a core.Store on Redis, for a token service that
// runs as several instances behind a load balancer: a sign-in made on one
// instance refreshes on any other, and a logout, a revocation or a detected
// refresh token reuse on one holds on all of them at once.
//
// Refresh rotation is one Lua script (EVALSHA, loaded again when the
// server forgot it), so when two instances present the same refresh token
// at the same moment exactly one rotates it; the other gets core.ErrStale
// and the Issuer treats the second use as a reuse (or hands out the same
// pair within its grace period). Writes that touch several keys (a sign-in
// and its refresh token index, a token and its id, a revocation) are
// scripts too, so no instance ever sees half of one.
//
// Every key carries a Redis TTL: the record's own expiry plus a margin for
// clock skew between instances, so Redis evicts what has ended and nothing
// is ever scanned. Whether a record read back is still valid is decided by
// the store's clock (Options.Now, the Issuer's), like core.MemoryStore.
//
// When Redis cannot be reached every call fails within Options.Timeout with
// an error that is neither core.ErrNotFound nor core.ErrStale, which the
// Issuer answers with 503 temporarily_unavailable; the client reconnects by
// itself when Redis is back. Keys are SHA-256 hashes of tokens or random
// ids, never tokens.
//
// The store needs one Redis server (or a primary with replicas, through a
// failover client passed to New), not Redis Cluster: its scripts touch
// keys of several hash slots. Run Redis with persistence (RDB or AOF) if
// sign-ins must survive a Redis restart.
package redisstore
