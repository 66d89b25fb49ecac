package redisstore

import "github.com/redis/go-redis/v9"

// The writes that must be atomic, as Lua scripts. go-redis runs them with
// EVALSHA and falls back to EVAL (which loads them) when the server does
// not know them, after a restart for instance. Times are Unix nanoseconds
// (compared as Lua numbers, exact to well under a microsecond); TTLs are
// milliseconds.

// rotateScript is Store.Rotate's compare-and-swap.
//
//	KEYS: session, refresh index of the new hash
//	ARGV: now, old hash, new hash, new refresh expiry, handoff, rotated at,
//	      session id, DPoP key thumbprint
//
// The index of the new hash lives as long as the sign-in's key, like the
// indexes of the earlier hashes of the chain (reuse detection needs them).
// It returns {0} when the sign-in is gone, expired or revoked, {2,
// session} when the old hash is no longer the current one, and {1,
// session} after rotating. A call that finds its own new hash already in
// place (a retry after a lost reply) reports success again.
var rotateScript = redis.NewScript(`
local s = KEYS[1]
local exp = redis.call('HGET', s, 'exp')
if not exp or tonumber(exp) <= tonumber(ARGV[1]) or redis.call('HEXISTS', s, 'rev') == 1 then
  return {0}
end
local cur = redis.call('HGET', s, 'rh') or ''
if cur ~= ARGV[3] then
  if cur ~= ARGV[2] then
    return {2, redis.call('HGETALL', s)}
  end
  redis.call('HSET', s, 'rh', ARGV[3])
  local fields = {ph = ARGV[2], rexp = ARGV[4], ho = ARGV[5], rat = ARGV[6], jkt = ARGV[8]}
  for f, v in pairs(fields) do
    if v == '' then redis.call('HDEL', s, f) else redis.call('HSET', s, f, v) end
  end
  local ttl = redis.call('PTTL', s)
  if ttl > 0 then
    redis.call('SET', KEYS[2], ARGV[7], 'PX', ttl)
  end
end
return {1, redis.call('HGETALL', s)}
`)

// sessionByRefreshScript reads the sign-in of a refresh token hash in one
// round trip.
//
//	KEYS: refresh index
//	ARGV: session key prefix
var sessionByRefreshScript = redis.NewScript(`
local id = redis.call('GET', KEYS[1])
if not id then
  return false
end
return {id, redis.call('HGETALL', ARGV[1] .. id)}
`)

// createScript stores a new sign-in and its refresh index.
//
//	KEYS: session, refresh index ("" hash: none)
//	ARGV: TTL, session id, then field, value pairs
var createScript = redis.NewScript(`
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
if KEYS[2] then
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[1])
end
return 1
`)

// revokeSessionScript marks a sign-in that has not expired revoked and
// drops its handoff; the key keeps its TTL.
//
//	KEYS: session
//	ARGV: now
var revokeSessionScript = redis.NewScript(`
local exp = redis.call('HGET', KEYS[1], 'exp')
if exp and tonumber(exp) > tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'rev', '1')
  redis.call('HDEL', KEYS[1], 'ho')
end
return 1
`)

// putTokenScript stores a token record and its id index, and for an API
// token adds it to the listing index, trims the expired entries from it
// and extends the index's TTL to the longest-lived token.
//
//	KEYS: token, token id, API index
//	ARGV: record, token hash, TTL, "1" for an API token, expiry score,
//	      trim score
var putTokenScript = redis.NewScript(`
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
if ARGV[4] == '1' then
  redis.call('ZADD', KEYS[3], ARGV[5], ARGV[2])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[6])
  if redis.call('PTTL', KEYS[3]) < tonumber(ARGV[3]) then
    redis.call('PEXPIRE', KEYS[3], ARGV[3])
  end
end
return 1
`)

// revokeTokenScript deletes the record of a token id (its hash is found
// through the id index) and records the revocation until its end; a
// revocation that has already ended is forgotten.
//
//	KEYS: token id, revocation, API index
//	ARGV: token key prefix, revocation end, TTL (0: already ended)
var revokeTokenScript = redis.NewScript(`
local h = redis.call('GET', KEYS[1])
if h then
  redis.call('DEL', ARGV[1] .. h, KEYS[1])
  redis.call('ZREM', KEYS[3], h)
end
if tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
else
  redis.call('DEL', KEYS[2])
end
return 1
`)
