package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tokengate/tokengate/core/issuer"
)

// PutToken implements issuer.Store. A record that has already expired is
// not stored.
//
// The record, the index of its id (for revocation by id) and, for an API
// token, the listing index live in different hash slots: three writes,
// sent together. When one fails PutToken fails and the token is never
// handed out, so what landed is never used and expires with its TTL.
func (s *Store) PutToken(ctx context.Context, hash string, t *issuer.TokenRecord) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	key, idKey := s.tokenKey(hash), s.tokenIDKey(t.ID)
	if s.expired(t.Expires) {
		return s.fail("put token", s.writeParts(ctx, async,
			part{key, func(p redis.Pipeliner) { p.Del(ctx, key) }},
			part{idKey, func(p redis.Pipeliner) { p.Del(ctx, idKey) }}))
	}
	rec, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadRecord, err)
	}
	ttl := s.ttlUntil(t.Expires)
	parts := []part{
		{key, func(p redis.Pipeliner) { p.Set(ctx, key, rec, millis(ttl)) }},
		{idKey, func(p redis.Pipeliner) { p.Set(ctx, idKey, hash, millis(ttl)) }},
	}
	d := async // a lost reference access token costs its client a refresh
	if t.Kind == issuer.KindAPI {
		d = acked // a lost API token breaks an integration
		api := s.apiIndexKey()
		parts = append(parts, part{api, func(p redis.Pipeliner) {
			apiIndexScript.EvalSha(ctx, p, []string{api},
				hash, t.Expires.UnixMilli(), s.now().Add(-expiryMargin).UnixMilli(), ttl)
		}})
	}
	return s.fail("put token", s.writeParts(ctx, d, parts...))
}

// Token implements issuer.Store.
func (s *Store) Token(ctx context.Context, hash string) (*issuer.TokenRecord, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	data, err := s.rdb.Get(ctx, s.tokenKey(hash)).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, issuer.ErrNotFound
	case err != nil:
		return nil, s.fail("read token", err)
	}
	var t issuer.TokenRecord
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("%w: token: %v", ErrBadRecord, err)
	}
	if s.expired(t.Expires) {
		return nil, issuer.ErrNotFound
	}
	return &t, nil
}

// RevokeToken implements issuer.Store: it records the revocation of the
// id, then deletes the record the id's index names (and its entry in the
// API index), each acknowledged by replicas with Options.WaitReplicas. The revocation is complete when
// RevokeToken returns; when a step fails it returns the error (503) and a
// retry completes it (the id's index stays until its own expiry).
func (s *Store) RevokeToken(ctx context.Context, id string, until time.Time) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	hash, err := s.rdb.Get(ctx, s.tokenIDKey(id)).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return s.fail("revoke token", err)
	}
	revoked := s.revokedKey(id)
	if _, err := s.write(ctx, acked, revoked, func(p redis.Pipeliner) {
		if s.expired(until) {
			p.Del(ctx, revoked)
		} else {
			p.Set(ctx, revoked, nanos(until), millis(s.ttlUntil(until)))
		}
	}); err != nil {
		return s.fail("revoke token", err)
	}
	if hash == "" {
		return nil
	}
	key, api := s.tokenKey(hash), s.apiIndexKey()
	return s.fail("revoke token", s.writeParts(ctx, acked,
		part{key, func(p redis.Pipeliner) { p.Del(ctx, key) }},
		part{api, func(p redis.Pipeliner) { p.ZRem(ctx, api, hash) }}))
}

// TokenRevoked implements issuer.Store.
func (s *Store) TokenRevoked(ctx context.Context, id string) (bool, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	v, err := s.rdb.Get(ctx, s.revokedKey(id)).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return false, nil
	case err != nil:
		return false, s.fail("read revocation", err)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return false, fmt.Errorf("%w: revocation", ErrBadRecord)
	}
	return !s.expired(fromNanos(n)), nil
}

// APITokens implements issuer.Store. It reads the API index
// (a sorted set by expiry), not the whole keyspace.
func (s *Store) APITokens(ctx context.Context) ([]*issuer.TokenRecord, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	hashes, err := s.rdb.ZRangeByScore(ctx, s.apiIndexKey(), &redis.ZRangeBy{
		Min: strconv.FormatInt(s.nowMillis(), 10), Max: "+inf",
	}).Result()
	if err != nil {
		return nil, s.fail("list API tokens", err)
	}
	if len(hashes) == 0 {
		return nil, nil
	}
	cmds, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, h := range hashes {
			p.Get(ctx, s.tokenKey(h)) // one by one: the records live in many hash slots
		}
		return nil
	})
	if err := pipelineError(cmds, err); err != nil {
		return nil, s.fail("list API tokens", err)
	}
	var out []*issuer.TokenRecord
	for _, c := range cmds {
		data, err := c.(*redis.StringCmd).Result()
		if err != nil {
			continue // revoked or evicted since the index was read
		}
		var t issuer.TokenRecord
		if err := json.Unmarshal([]byte(data), &t); err != nil {
			return nil, fmt.Errorf("%w: token: %v", ErrBadRecord, err)
		}
		if t.Kind == issuer.KindAPI && !s.expired(t.Expires) {
			out = append(out, &t)
		}
	}
	return out, nil
}
