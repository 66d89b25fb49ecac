package dpop

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"sync/atomic"
	"time"
)

// Nonces issues and checks server nonces (RFC 9449 §8). A nonce is an
// HMAC-SHA-256, under a secret, of the number of the current period, so
// instances that share the secret issue and accept the same nonces without
// sharing any state. A nonce is accepted during the period it was issued
// in and the next one.
type Nonces struct {
	secret []byte
	period time.Duration
	last   atomic.Pointer[noncePair]
}

// noncePair is the nonce of period n and of the period before.
type noncePair struct {
	n         int64
	cur, prev string
}

// NewNonces returns a nonce source. secret must be kept like a signing
// key; period is how often the nonce changes.
func NewNonces(secret []byte, period time.Duration) *Nonces {
	return &Nonces{secret: append([]byte(nil), secret...), period: period}
}

// Current returns the nonce to send in a DPoP-Nonce header at now.
func (ns *Nonces) Current(now time.Time) string { return ns.at(now).cur }

// Valid reports whether a proof's nonce was issued at now or in the
// period before.
func (ns *Nonces) Valid(nonce string, now time.Time) bool {
	p := ns.at(now)
	// Both compared, in constant time: which one matched is no secret,
	// but a nonce guessed byte by byte must not be.
	cur := hmac.Equal([]byte(nonce), []byte(p.cur))
	prev := hmac.Equal([]byte(nonce), []byte(p.prev))
	return cur || prev
}

// at returns the nonces of now's period, computed once per period.
func (ns *Nonces) at(now time.Time) *noncePair {
	n := now.UnixNano() / int64(ns.period)
	if p := ns.last.Load(); p != nil && p.n == n {
		return p
	}
	p := &noncePair{n: n, cur: ns.value(n), prev: ns.value(n - 1)}
	ns.last.Store(p)
	return p
}

// value is the nonce of period n.
func (ns *Nonces) value(n int64) string {
	m := hmac.New(sha256.New, ns.secret)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	_, _ = m.Write([]byte("tokengate DPoP nonce\x00"))
	_, _ = m.Write(b[:])
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}
