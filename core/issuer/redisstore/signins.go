package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tokengate/tokengate/core/issuer"
)

// The store is also the issuer's SignInIndex, for the cap on live
// sign-ins per user. Its key, after Options.Prefix:
//
//	u:<subject digest>   sorted set: the user's sign-in ids, by the Unix
//	                     nanoseconds of their start; it lives as long as
//	                     the longest of them, plus expiryMargin
//
// Entries of sign-ins that ended are dropped by the Issuer, which reads
// the sign-ins when the set holds more than the cap.

var _ issuer.SignInIndex = (*Store)(nil)

func (s *Store) signInsKey(subject string) string {
	sum := sha256.Sum256([]byte(subject))
	return s.prefix + "u:" + hex.EncodeToString(sum[:16])
}

// addSignInScript adds a sign-in to a user's index and lists it.
//
//	KEYS: index
//	ARGV: start (Unix nanoseconds), id, TTL (milliseconds)
var addSignInScript = redis.NewScript(`
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
local ttl = tonumber(ARGV[3])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return redis.call('ZRANGE', KEYS[1], 0, -1)
`)

// AddSignIn implements issuer.SignInIndex in one script run.
func (s *Store) AddSignIn(ctx context.Context, subject, id string, authTime, expires time.Time) ([]string, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	ttl := max(expires.Sub(s.now())+expiryMargin, time.Millisecond)
	ids, err := addSignInScript.Run(ctx, s.rdb, []string{s.signInsKey(subject)},
		authTime.UnixNano(), id, ttl.Milliseconds()).StringSlice()
	if err != nil {
		return nil, s.fail("add sign-in", err)
	}
	return ids, nil
}

// RemoveSignIns implements issuer.SignInIndex with one ZREM.
func (s *Store) RemoveSignIns(ctx context.Context, subject string, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	members := make([]any, len(ids))
	for i, id := range ids {
		members[i] = id
	}
	return s.fail("remove sign-ins", s.rdb.ZRem(ctx, s.signInsKey(subject), members...).Err())
}
