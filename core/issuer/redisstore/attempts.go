package redisstore

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tokengate/tokengate/core/issuer"
)

// The store is also the issuer's AttemptLimiter, so that every instance
// of a deployment counts failed sign-ins and client authentications
// together. Its key, after Options.Prefix:
//
//	a:<digest>   the theoretical arrival time of the next attempt of one
//	             account or address (Unix nanoseconds), until it is past
//
// The digest names the account or address (the Issuer computes it); the
// username or address itself never reaches Redis. Each script touches
// that one key, so it runs on whichever node holds it in a Redis Cluster.

var _ issuer.AttemptLimiter = (*Store)(nil)

func (s *Store) attemptKey(key string) string { return s.prefix + "a:" + key }

// takeAttemptScript is the GCRA take of issuer.AttemptLimiter (see the
// issuer's attempts.go for the arithmetic).
//
//	KEYS: attempt key
//	ARGV: now, interval, burst (nanoseconds, nanoseconds, count)
//
// It returns 0 after taking an attempt, or the nanoseconds to wait.
var takeAttemptScript = redis.NewScript(`
local now, interval, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local ahead = tat - now - (burst - 1) * interval
if ahead > 0 then return ahead end
tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1e6))
return 0
`)

// returnAttemptScript is the GCRA give-back.
//
//	KEYS: attempt key
//	ARGV: now, interval
var returnAttemptScript = redis.NewScript(`
local now, interval = tonumber(ARGV[1]), tonumber(ARGV[2])
local tat = redis.call('GET', KEYS[1])
if not tat then return 0 end
tat = tonumber(tat) - interval
if tat <= now then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1e6))
end
return 0
`)

// TakeAttempt implements issuer.AttemptLimiter in one script run.
func (s *Store) TakeAttempt(ctx context.Context, key string, l issuer.AttemptLimit, now time.Time) (time.Duration, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	wait, err := takeAttemptScript.Run(ctx, s.rdb, []string{s.attemptKey(key)},
		now.UnixNano(), l.Interval.Nanoseconds(), l.Burst).Int64()
	if err != nil {
		return 0, s.fail("take attempt", err)
	}
	return time.Duration(wait), nil
}

// ReturnAttempt implements issuer.AttemptLimiter in one script run.
func (s *Store) ReturnAttempt(ctx context.Context, key string, l issuer.AttemptLimit, now time.Time) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	err := returnAttemptScript.Run(ctx, s.rdb, []string{s.attemptKey(key)}, now.UnixNano(), l.Interval.Nanoseconds()).Err()
	return s.fail("return attempt", err)
}
