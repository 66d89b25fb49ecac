package testutil

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jws"
)

// ProofClaims returns the claims of a DPoP proof (RFC 9449 §4.2) for a
// request with method htm to URL htu, issued at at: a random jti, and ath
// when token is not empty; extra is added (a nil value deletes a claim).
func ProofClaims(htm, htu, token string, at time.Time, extra map[string]any) map[string]any {
	c := map[string]any{"jti": rand.Text(), "htm": htm, "htu": htu, "iat": at.Unix()}
	if token != "" {
		sum := sha256.Sum256([]byte(token))
		c["ath"] = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// Proof signs a DPoP proof with k: typ dpop+jwt and k's public key as
// jwk in the protected header, then headers (a nil value deletes one).
func Proof(t testing.TB, k Key, claims map[string]any, headers map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	hdr := jws.NewHeaders()
	_ = hdr.Set(jws.TypeKey, "dpop+jwt")
	if err := hdr.Set(jws.JWKKey, k.Public(t)); err != nil {
		t.Fatal(err)
	}
	for name, v := range headers {
		if v == nil {
			_ = hdr.Remove(name)
			continue
		}
		if err := hdr.Set(name, v); err != nil {
			t.Fatal(err)
		}
	}
	var raw any
	if err := k.Private.Raw(&raw); err != nil {
		t.Fatal(err)
	}
	proof, err := jws.Sign(payload, jws.WithKey(k.Alg, raw, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	return string(proof)
}

// JKT is the RFC 7638 SHA-256 thumbprint of k's public key, base64url:
// the cnf.jkt of tokens bound to k.
func JKT(t testing.TB, k Key) string {
	t.Helper()
	tp, err := k.Public(t).Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(tp)
}

// Bound returns claims (from Claims) that bind a token to k: cnf.jkt.
func Bound(t testing.TB, k Key, extra map[string]any) map[string]any {
	c := Claims(extra)
	c["cnf"] = map[string]any{"jkt": JKT(t, k)}
	return c
}
