package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tokengate/tokengate/core/issuer"
)

// A sign-in is a Redis hash, so that the scripts can compare and set its
// refresh chain field by field. Times are Unix nanoseconds; empty strings
// and zero times are left out.
const (
	fSubject        = "sub"
	fScope          = "scope"
	fClaims         = "claims"
	fAuthTime       = "auth"
	fExpires        = "exp"
	fRevoked        = "rev"
	fRefreshHash    = "rh"
	fRefreshExpires = "rexp"
	fPreviousHash   = "ph"
	fRotatedAt      = "rat"
	fHandoff        = "ho"
	fJKT            = "jkt"
)

// sessionFields lists the field, value pairs of a sign-in.
func sessionFields(s *issuer.Session) []any {
	var out []any
	add := func(f, v string) {
		if v != "" {
			out = append(out, f, v)
		}
	}
	at := func(f string, t time.Time) {
		if !t.IsZero() {
			add(f, nanos(t))
		}
	}
	add(fSubject, s.Subject)
	add(fScope, s.Scope)
	add(fClaims, string(s.Claims))
	at(fAuthTime, s.AuthTime)
	at(fExpires, s.Expires)
	if s.Revoked {
		add(fRevoked, "1")
	}
	add(fRefreshHash, s.RefreshHash)
	at(fRefreshExpires, s.RefreshExpires)
	add(fPreviousHash, s.PreviousHash)
	at(fRotatedAt, s.RotatedAt)
	add(fHandoff, string(s.Handoff))
	add(fJKT, s.JKT)
	return out
}

// decodeSession rebuilds sign-in id from its hash fields.
func decodeSession(id string, h map[string]string) (*issuer.Session, error) {
	s := &issuer.Session{ID: id, Subject: h[fSubject], Scope: h[fScope], Revoked: h[fRevoked] == "1",
		RefreshHash: h[fRefreshHash], PreviousHash: h[fPreviousHash], JKT: h[fJKT]}
	if v := h[fClaims]; v != "" {
		s.Claims = []byte(v)
	}
	if v := h[fHandoff]; v != "" {
		s.Handoff = []byte(v)
	}
	for f, dst := range map[string]*time.Time{fAuthTime: &s.AuthTime, fExpires: &s.Expires,
		fRefreshExpires: &s.RefreshExpires, fRotatedAt: &s.RotatedAt} {
		v, ok := h[f]
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: sign-in field %s", ErrBadRecord, f)
		}
		*dst = fromNanos(n)
	}
	if s.Expires.IsZero() {
		return nil, fmt.Errorf("%w: sign-in without an end", ErrBadRecord)
	}
	return s, nil
}

// CreateSession implements issuer.Store. A sign-in that has already ended
// is not stored.
//
// The sign-in and the index of its refresh token live in different hash
// slots (the index is found by the token's hash alone), so they are two
// writes, sent together. Either may land without the other when Redis
// fails in between: the login then fails with 503 and hands no token
// out, so what landed is never used and expires with its TTL.
func (s *Store) CreateSession(ctx context.Context, sess *issuer.Session) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	key := s.sessionKey(sess.ID)
	if s.expired(sess.Expires) {
		return s.fail("create session", s.rdb.Del(ctx, key).Err())
	}
	ttl := s.ttlUntil(sess.Expires)
	args := append([]any{ttl}, sessionFields(sess)...)
	parts := []part{{key, func(p redis.Pipeliner) { createScript.EvalSha(ctx, p, []string{key}, args...) }}}
	if sess.RefreshHash != "" {
		index := s.refreshKey(sess.RefreshHash)
		parts = append(parts, part{index, func(p redis.Pipeliner) { p.Set(ctx, index, sess.ID, millis(ttl)) }})
	}
	return s.fail("create session", s.writeParts(ctx, acked, parts...))
}

// Session implements issuer.Store.
func (s *Store) Session(ctx context.Context, id string) (*issuer.Session, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.session(ctx, id)
}

// session reads a sign-in.
func (s *Store) session(ctx context.Context, id string) (*issuer.Session, error) {
	h, err := s.rdb.HGetAll(ctx, s.sessionKey(id)).Result()
	if err != nil {
		return nil, s.fail("read session", err)
	}
	return s.checked(id, h)
}

// checked decodes sign-in id from its fields; one that is missing or has
// expired by the store's clock is issuer.ErrNotFound.
func (s *Store) checked(id string, h map[string]string) (*issuer.Session, error) {
	if len(h) == 0 {
		return nil, issuer.ErrNotFound
	}
	sess, err := decodeSession(id, h)
	if err != nil {
		return nil, err
	}
	if s.expired(sess.Expires) {
		return nil, issuer.ErrNotFound
	}
	return sess, nil
}

// SessionByRefresh implements issuer.Store: the refresh token's index names
// the sign-in, then the sign-in is read (two keys of two hash slots, so
// two round trips).
func (s *Store) SessionByRefresh(ctx context.Context, refreshHash string) (*issuer.Session, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	id, err := s.rdb.Get(ctx, s.refreshKey(refreshHash)).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, issuer.ErrNotFound
	case err != nil:
		return nil, s.fail("read session by refresh token", err)
	}
	return s.session(ctx, id)
}

// Rotate implements issuer.Store. The compare-and-swap is one script on the
// sign-in's key: whichever instance runs it first rotates, every other
// gets issuer.ErrStale and the sign-in as that rotation left it.
//
// The index of the new refresh token lives in another hash slot than the
// sign-in. It is written first, so that it exists before the swap can
// make the new token current: a failure between the two leaves an index
// of a token nobody was given, and the client keeps its current token. A
// lost race deletes the index again. After the swap the index gets the
// sign-in's TTL, like the indexes of the earlier tokens of the chain
// (reuse detection needs them); should that last step fail, the index
// lives as long as the new token itself and the rotation still stands.
//
// With Options.WaitReplicas the index and the swap are each acknowledged
// by replicas before Rotate returns.
func (s *Store) Rotate(ctx context.Context, r issuer.Rotation) (*issuer.Session, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	newKey, key := s.refreshKey(r.NewHash), s.sessionKey(r.SessionID)
	indexTTL := int64(expiryMargin / time.Millisecond)
	if !r.NewExpires.IsZero() {
		indexTTL = s.ttlUntil(r.NewExpires)
	}
	if _, err := s.write(ctx, acked, newKey, func(p redis.Pipeliner) {
		p.Set(ctx, newKey, r.SessionID, millis(indexTTL))
	}); err != nil {
		return nil, s.fail("rotate", err)
	}
	optional := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return nanos(t)
	}
	cmds, err := s.write(ctx, ackedOrVisible, key, func(p redis.Pipeliner) {
		rotateScript.EvalSha(ctx, p, []string{key},
			s.nowNanos(), r.OldHash, r.NewHash, optional(r.NewExpires), string(r.Handoff), optional(r.At), r.JKT)
	})
	if err != nil {
		return nil, s.fail("rotate", err)
	}
	res, _ := cmds[0].(*redis.Cmd).Slice()
	var status int64
	if len(res) > 0 {
		status, _ = res[0].(int64)
	}
	switch {
	case status == 0 && len(res) == 1:
		_ = s.rdb.Del(ctx, newKey).Err() // a leftover would lead nowhere: best effort
		return nil, issuer.ErrNotFound
	case status == 2 && len(res) == 2:
		sess, err := decodeSession(r.SessionID, pairs(res[1]))
		if err != nil {
			return nil, err
		}
		if sess.RefreshHash != r.NewHash && sess.PreviousHash != r.NewHash {
			_ = s.rdb.Del(ctx, newKey).Err()
		}
		return sess, issuer.ErrStale
	case status != 1 || len(res) != 3:
		return nil, fmt.Errorf("%w: rotation reply", ErrBadRecord)
	}
	sess, err := decodeSession(r.SessionID, pairs(res[1]))
	if err != nil {
		return nil, err
	}
	if ttl, _ := res[2].(int64); ttl > indexTTL {
		_ = s.rdb.PExpire(ctx, newKey, millis(ttl)).Err()
	}
	return sess, nil
}

// pairs turns a script's HGETALL reply into a map.
func pairs(v any) map[string]string {
	list, _ := v.([]any)
	m := make(map[string]string, len(list)/2)
	for i := 0; i+1 < len(list); i += 2 {
		k, _ := list[i].(string)
		val, _ := list[i+1].(string)
		m[k] = val
	}
	return m
}

// RevokeSession implements issuer.Store, with Options.WaitReplicas
// acknowledged by replicas before it returns.
func (s *Store) RevokeSession(ctx context.Context, id string) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	key := s.sessionKey(id)
	_, err := s.write(ctx, acked, key, func(p redis.Pipeliner) {
		revokeSessionScript.EvalSha(ctx, p, []string{key}, s.nowNanos())
	})
	return s.fail("revoke session", err)
}
