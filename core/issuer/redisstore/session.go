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
func (s *Store) CreateSession(ctx context.Context, sess *issuer.Session) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if s.expired(sess.Expires) {
		return s.fail("create session", s.rdb.Del(ctx, s.sessionKey(sess.ID)).Err())
	}
	keys := []string{s.sessionKey(sess.ID)}
	if sess.RefreshHash != "" {
		keys = append(keys, s.refreshKey(sess.RefreshHash))
	}
	args := append([]any{s.ttlUntil(sess.Expires), sess.ID}, sessionFields(sess)...)
	return s.fail("create session", createScript.Run(ctx, s.rdb, keys, args...).Err())
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

// SessionByRefresh implements issuer.Store.
func (s *Store) SessionByRefresh(ctx context.Context, refreshHash string) (*issuer.Session, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	res, err := sessionByRefreshScript.Run(ctx, s.rdb, []string{s.refreshKey(refreshHash)}, s.sessionKeyPrefix()).Slice()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, issuer.ErrNotFound
	case err != nil:
		return nil, s.fail("read session by refresh token", err)
	case len(res) != 2:
		return nil, fmt.Errorf("%w: refresh index reply", ErrBadRecord)
	}
	id, _ := res[0].(string)
	return s.checked(id, pairs(res[1]))
}

// Rotate implements issuer.Store with one script: whichever instance runs
// it first rotates, every other gets issuer.ErrStale and the sign-in as
// that rotation left it.
func (s *Store) Rotate(ctx context.Context, r issuer.Rotation) (*issuer.Session, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	optional := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return nanos(t)
	}
	res, err := rotateScript.Run(ctx, s.rdb,
		[]string{s.sessionKey(r.SessionID), s.refreshKey(r.NewHash)},
		s.nowNanos(), r.OldHash, r.NewHash, optional(r.NewExpires), string(r.Handoff), optional(r.At),
		r.SessionID, r.JKT,
	).Slice()
	if err != nil {
		return nil, s.fail("rotate", err)
	}
	var status int64
	if len(res) > 0 {
		status, _ = res[0].(int64)
	}
	switch {
	case status == 0 && len(res) == 1:
		return nil, issuer.ErrNotFound
	case status == 0 || len(res) != 2:
		return nil, fmt.Errorf("%w: rotation reply", ErrBadRecord)
	}
	sess, err := decodeSession(r.SessionID, pairs(res[1]))
	if err != nil {
		return nil, err
	}
	if status == 2 {
		return sess, issuer.ErrStale
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

// RevokeSession implements issuer.Store.
func (s *Store) RevokeSession(ctx context.Context, id string) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	err := revokeSessionScript.Run(ctx, s.rdb, []string{s.sessionKey(id)}, s.nowNanos()).Err()
	return s.fail("revoke session", err)
}
