package core

import (
	"context"
	"strings"
	"time"
	"unsafe"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// jwtVerifier validates JWTs locally: signature with jwx's jws package
// against configured or JWKS keys, then the claims.
//
// The steps follow RFC 7515 §5.2 and RFC 7519 §7.2: parse the protected
// header, refuse algorithms outside the allowlist, pick the key by kid and
// key type, verify the signature, and only then read and check the claims.
// Header parameters that point elsewhere for keys (jku, x5u, jwk, x5c) are
// never used: keys come from configuration only.
type jwtVerifier struct {
	static       *keyIndex
	remote       *remoteKeys                             // nil without a JWKS URL
	verifiers    map[jwa.SignatureAlgorithm]jws.Verifier // one per allowed algorithm
	requiredType string
	rules        *claimRules
}

// verify checks tok and returns its Principal.
//
// jws.Parse splits the compact token and decodes its header, payload and
// signature; the header checks run before any key is looked up; a
// jws.Verifier then checks the signature over the token's own bytes up to
// the last dot, which is the JWS Signing Input (RFC 7515 §5.2 step 8).
// This is what jws.Verify does, minus its re-encoding of the decoded header
// and payload to rebuild that input, and with one header decode for both
// the checks and the key lookup.
func (v *jwtVerifier) verify(ctx context.Context, tok string, now time.Time) (*Principal, error) {
	// jws only reads its input, and keeps nothing of it (every part is
	// decoded into new memory), so it gets a view of the token's bytes
	// rather than a copy.
	buf := unsafe.Slice(unsafe.StringData(tok), len(tok))
	msg, err := jws.Parse(buf, jws.WithCompact())
	if err != nil {
		return nil, newError(ErrMalformed, "token malformed", err)
	}
	sigs := msg.Signatures()
	if len(sigs) != 1 {
		return nil, newError(ErrMalformed, "token malformed", nil)
	}
	sig := sigs[0]
	h := sig.ProtectedHeaders()
	alg := h.Algorithm()
	verifier := v.verifiers[alg]
	if verifier == nil {
		return nil, newError(ErrAlgorithm, "algorithm not allowed", nil)
	}
	if len(h.Critical()) > 0 {
		// RFC 7515 §4.1.11: we understand no extensions.
		return nil, newError(ErrMalformed, "unsupported critical header", nil)
	}
	if _, ok := h.Get("b64"); ok {
		// RFC 7797 unencoded payloads are not access tokens.
		return nil, newError(ErrMalformed, "unsupported b64 header", nil)
	}
	if v.requiredType != "" && !typeMatches(h.Type(), v.requiredType) {
		return nil, newError(ErrType, "invalid token type", nil)
	}
	keys, err := v.keys(ctx, h.KeyID(), alg)
	if err != nil {
		return nil, err
	}
	input := buf[:strings.LastIndexByte(tok, '.')]
	for i := range keys {
		if err = verifier.Verify(input, sig.Signature(), keys[i].raw); err == nil {
			break
		}
	}
	if err != nil {
		return nil, newError(ErrSignature, "invalid signature", err)
	}
	claims, err := decodeClaims(msg.Payload())
	if err != nil {
		return nil, err
	}
	return v.rules.check(claims, now)
}

// keys returns the keys that may verify a token with this kid and alg.
// HMAC algorithms are matched only against the configured secret, as a key
// set never yields an HMAC key.
func (v *jwtVerifier) keys(ctx context.Context, kid string, alg jwa.SignatureAlgorithm) ([]verifyKey, error) {
	if keys := v.static.candidates(kid, alg); len(keys) > 0 {
		return keys, nil
	}
	if f, _ := algFamily(alg); f != famHMAC && v.remote != nil {
		return v.remote.lookup(ctx, kid, alg)
	}
	return nil, newError(ErrUnknownKey, "unknown signing key", nil)
}

// typeMatches compares a typ header with the required type, ignoring case
// and an "application/" prefix (RFC 7515 §4.1.9).
func typeMatches(typ, want string) bool {
	trim := func(s string) string {
		if len(s) > len("application/") && strings.EqualFold(s[:len("application/")], "application/") {
			return s[len("application/"):]
		}
		return s
	}
	return strings.EqualFold(trim(typ), trim(want))
}
