package redisstore

import (
	"context"
	"time"

	"github.com/tokengate/tokengate/core"
)

// The store is also a DPoP replay cache (RFC 9449 §11.1) that every
// instance of a deployment shares: a proof used at one is refused at the
// others. Its key, after Options.Prefix:
//
//	p:<proof digest>   a DPoP proof already used, until it is too old anyway
//
// The digest (of the proof's key thumbprint and jti) is computed by the
// Guard; the proof itself never reaches Redis.

var _ core.ReplayCache = (*Store)(nil)

func (s *Store) proofKey(digest string) string { return s.prefix + "p:" + digest }

// FirstUse implements core.ReplayCache with one SET NX PX: the key is
// written only if absent, and expires with the proof. A Redis that cannot
// answer is an error, and the Guard refuses the proof (503) rather than
// accept it unrecorded.
//
// go-redis retries a command whose reply was lost: if the first attempt
// had written the key, the retry finds it and the proof is refused as a
// replay, which fails closed; the client sends a new proof.
func (s *Store) FirstUse(ctx context.Context, digest string, ttl time.Duration) (bool, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if ttl < time.Millisecond {
		ttl = time.Millisecond
	}
	first, err := s.rdb.SetNX(ctx, s.proofKey(digest), 1, ttl).Result()
	if err != nil {
		return false, s.fail("replay check", err)
	}
	return first, nil
}
