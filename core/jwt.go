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
	remote       *remoteKeys // nil without a JWKS URL
	allowed      map[jwa.SignatureAlgorithm]bool
	requiredType string
	rules        *claimRules
}

// verify checks tok and returns its Principal.
func (v *jwtVerifier) verify(ctx context.Context, tok string, now time.Time) (*Principal, error) {
	var (
		reached bool  // the header parsed and our key provider ran
		keyErr  error // why the provider offered no key
	)
	provider := jws.KeyProviderFunc(func(ctx context.Context, sink jws.KeySink, sig *jws.Signature, _ *jws.Message) error {
		reached = true
		h := sig.ProtectedHeaders()
		alg := h.Algorithm()
		if !v.allowed[alg] {
			keyErr = newError(ErrAlgorithm, "algorithm not allowed", nil)
			return keyErr
		}
		if len(h.Critical()) > 0 {
			// RFC 7515 §4.1.11: we understand no extensions.
			keyErr = newError(ErrMalformed, "unsupported critical header", nil)
			return keyErr
		}
		if _, ok := h.Get("b64"); ok {
			// RFC 7797 unencoded payloads are not access tokens.
			keyErr = newError(ErrMalformed, "unsupported b64 header", nil)
			return keyErr
		}
		if v.requiredType != "" && !typeMatches(h.Type(), v.requiredType) {
			keyErr = newError(ErrType, "invalid token type", nil)
			return keyErr
		}
		keys, err := v.keys(ctx, h.KeyID(), alg)
		if err != nil {
			keyErr = err
			return err
		}
		for _, k := range keys {
			sink.Key(alg, k.raw)
		}
		return nil
	})
	// jws only reads its input, so it gets a view of the token's bytes
	// rather than a copy.
	payload, err := jws.Verify(unsafe.Slice(unsafe.StringData(tok), len(tok)), jws.WithKeyProvider(provider))
	if err != nil {
		switch {
		case keyErr != nil:
			return nil, keyErr
		case !reached:
			return nil, newError(ErrMalformed, "token malformed", err)
		default:
			return nil, newError(ErrSignature, "invalid signature", err)
		}
	}
	claims, err := decodeClaims(payload)
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
