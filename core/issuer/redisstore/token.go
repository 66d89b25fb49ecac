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
func (s *Store) PutToken(ctx context.Context, hash string, t *issuer.TokenRecord) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if s.expired(t.Expires) {
		err := s.rdb.Del(ctx, s.tokenKey(hash), s.tokenIDKey(t.ID)).Err()
		return s.fail("put token", err)
	}
	rec, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadRecord, err)
	}
	api := "0"
	if t.Kind == issuer.KindAPI {
		api = "1"
	}
	err = putTokenScript.Run(ctx, s.rdb,
		[]string{s.tokenKey(hash), s.tokenIDKey(t.ID), s.apiIndexKey()},
		rec, hash, s.ttlUntil(t.Expires), api, t.Expires.UnixMilli(),
		s.now().Add(-expiryMargin).UnixMilli(),
	).Err()
	return s.fail("put token", err)
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

// RevokeToken implements issuer.Store.
func (s *Store) RevokeToken(ctx context.Context, id string, until time.Time) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var ttl int64
	if !s.expired(until) {
		ttl = s.ttlUntil(until)
	}
	err := revokeTokenScript.Run(ctx, s.rdb,
		[]string{s.tokenIDKey(id), s.revokedKey(id), s.apiIndexKey()},
		s.tokenKeyPrefix(), nanos(until), ttl,
	).Err()
	return s.fail("revoke token", err)
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
	keys := make([]string, len(hashes))
	for i, h := range hashes {
		keys[i] = s.tokenKey(h)
	}
	vals, err := s.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, s.fail("list API tokens", err)
	}
	var out []*issuer.TokenRecord
	for _, v := range vals {
		data, ok := v.(string)
		if !ok {
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
