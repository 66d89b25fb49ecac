package redisstore

import (
	"strconv"
	"time"
)

// The keys, each after Options.Prefix:
//
//	s:<session id>     hash: a sign-in (see session.go)
//	r:<refresh hash>   the session id of a refresh token, current or earlier
//	t:<token hash>     a reference access token or API token (JSON)
//	i:<token id>       the hash of a token id, for revocation by id
//	x:<token id>       a revocation: its end, in Unix nanoseconds
//	api                sorted set: hashes of API tokens, by expiry
//
// Every key expires with its record, plus expiryMargin; the API index
// lives as long as its longest-lived token.

// expiryMargin is added to every key's TTL: an instance whose clock runs
// a little behind must still find a record (a revoked sign-in, a
// revocation) for as long as it considers the record's tokens valid.
const expiryMargin = time.Minute

func (s *Store) sessionKey(id string) string { return s.prefix + "s:" + id }
func (s *Store) refreshKey(h string) string  { return s.prefix + "r:" + h }
func (s *Store) tokenKey(h string) string    { return s.prefix + "t:" + h }
func (s *Store) tokenIDKey(id string) string { return s.prefix + "i:" + id }
func (s *Store) revokedKey(id string) string { return s.prefix + "x:" + id }
func (s *Store) apiIndexKey() string         { return s.prefix + "api" }

// ttlUntil is the TTL, in milliseconds, of a key whose record ends at t.
func (s *Store) ttlUntil(t time.Time) int64 {
	return max((t.Sub(s.now()) + expiryMargin).Milliseconds(), 1)
}

// millis is a TTL in milliseconds as a duration.
func millis(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }

// expired reports whether t has passed by the store's clock.
func (s *Store) expired(t time.Time) bool { return !s.now().Before(t) }

func (s *Store) nowNanos() string { return nanos(s.now()) }
func (s *Store) nowMillis() int64 { return s.now().UnixMilli() }

// nanos and fromNanos encode times as decimal Unix nanoseconds.
func nanos(t time.Time) string    { return strconv.FormatInt(t.UnixNano(), 10) }
func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }
