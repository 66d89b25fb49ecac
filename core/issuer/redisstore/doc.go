// Package redisstore is an issuer.Store on Redis, for a token service
// that runs as several instances behind a load balancer: a sign-in made on
// one instance refreshes on any other, and a logout, a revocation or a
// detected refresh token reuse on one holds on all of them at once.
//
// One Store serves every shape of Redis through go-redis's
// UniversalClient: one server, a primary with replicas behind Sentinel
// (the client follows a failover to the new primary), or a Redis Cluster.
// Open reads the URL forms of TOKENGATE_STORE_URL (redis://, rediss://,
// addr= for a cluster, redis+sentinel://); New takes a client configured
// in code. No error of the package repeats a URL or a password.
//
// Every Lua script touches exactly one key, the one it declares, so none
// can raise CROSSSLOT on a cluster. Keys found by a token's hash (a
// refresh token's index, a reference token's record) cannot share a hash
// slot with the sign-in or token id they lead to, so writes that span
// keys are ordered so that every state in between is safe: a rotation
// writes the new refresh token's index, then swaps the sign-in's current
// token in one compare-and-swap script (when two instances present the
// same refresh token at once exactly one rotates; the other gets
// issuer.ErrStale and the Issuer treats the second use as a reuse, or
// hands out the same pair within its grace period); a revocation records
// the revoked id, then deletes the token's record.
//
// Redis replicates asynchronously: a failover can lose the writes the old
// primary acknowledged last. Options.WaitReplicas makes sign-ins,
// rotations, revocations and API tokens wait for replicas (Redis WAIT)
// instead; docs/token-service.md says what each choice can lose.
//
// Every key carries a Redis TTL: the record's own expiry plus a margin for
// clock skew between instances, so Redis evicts what has ended and nothing
// is ever scanned. Whether a record read back is still valid is decided by
// the store's clock (Options.Now, the Issuer's), like issuer.MemoryStore.
//
// When Redis cannot be reached every call fails within Options.Timeout with
// an error that is neither issuer.ErrNotFound nor issuer.ErrStale, which
// the Issuer answers with 503 temporarily_unavailable; the client
// reconnects by itself when Redis is back, and a cluster client reloads
// its map of slots. Keys are SHA-256 hashes of tokens or random ids, never
// tokens. Run Redis with persistence (RDB or AOF) if sign-ins must survive
// a restart of every server.
package redisstore
