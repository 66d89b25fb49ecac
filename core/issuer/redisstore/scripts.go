package redisstore

import "github.com/redis/go-redis/v9"

// The writes that must be atomic, as Lua scripts. Each script touches
// exactly one key, the one it declares, so it runs on whichever node holds
// that key's hash slot and can never raise CROSSSLOT in a Redis Cluster.
// Writes that span several keys are ordered in Go instead (see
// session.go and token.go). go-redis runs the scripts with EVALSHA and
// falls back to EVAL (which loads them) when the server does not know
// them, after a restart or a failover for instance. Times are Unix
// nanoseconds (compared as Lua numbers, exact to well under a
// microsecond); TTLs are milliseconds.

// scripts lists every script, for loading them where a pipeline found
// them missing.
var scripts = []*redis.Script{rotateScript, createScript, revokeSessionScript, apiIndexScript}

// rotateScript is Store.Rotate's compare-and-swap on the sign-in.
//
//	KEYS: session
//	ARGV: now, old hash, new hash, new refresh expiry, handoff, rotated at,
//	      DPoP key thumbprint
//
// It returns {0} when the sign-in is gone, expired or revoked, {2,
// session} when the old hash is no longer the current one, and {1,
// session, TTL} after rotating. A call that finds its own new hash
// already in place (a retry after a lost reply) reports success again.
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
  local fields = {ph = ARGV[2], rexp = ARGV[4], ho = ARGV[5], rat = ARGV[6], jkt = ARGV[7]}
  for f, v in pairs(fields) do
    if v == '' then redis.call('HDEL', s, f) else redis.call('HSET', s, f, v) end
  end
end
return {1, redis.call('HGETALL', s), redis.call('PTTL', s)}
`)

// createScript stores a new sign-in.
//
//	KEYS: session
//	ARGV: TTL, then field, value pairs
var createScript = redis.NewScript(`
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
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

// apiIndexScript adds an API token to the listing index, trims the
// expired entries from it and extends the index's TTL to its
// longest-lived token.
//
//	KEYS: API index
//	ARGV: token hash, expiry score, trim score, TTL
var apiIndexScript = redis.NewScript(`
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return 1
`)
