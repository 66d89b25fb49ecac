package core

import (
	"context"
	"encoding/base64"
	"strings"
	"time"
	"unsafe"

	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/tokengate/tokengate/internal"
)

// jwtVerifier validates JWTs locally: signature with jwx's jws package
// against the keys of the token's issuer, then the claims.
//
// The steps follow RFC 7515 §5.2 and RFC 7519 §7.2: parse the protected
// header, refuse algorithms outside the allowlist, pick the key by issuer,
// kid and key type, verify the signature, and only then check the claims.
// Header parameters that point elsewhere for keys (jku, x5u, jwk, x5c) are
// never used: keys come from configuration, or from the metadata of an
// issuer the configuration trusts.
type jwtVerifier struct {
	issuers      *issuerSet
	requiredType string
	headers      headerCache
	b64          *base64.Encoding // strict base64url without padding
}

// verify checks tok and returns its Principal.
//
// jws.SplitCompact splits the token; the protected header is decoded by
// jwx's parser (or found in the header cache) and checked before any key
// is looked up. When issuers are configured, the payload is decoded next
// and its unverified iss picks the issuer, whose keys alone may verify the
// token: an untrusted iss ends here, before any key lookup. A jwx verifier
// then checks the signature over the token's own bytes up to the last dot,
// which is the JWS Signing Input (RFC 7515 §5.2 step 8); only then are the
// claims checked, with the issuer's rules. Parts are strict base64url
// without padding (RFC 7515 §2).
//
// This is what jws.Verify does, without its re-encoding of the decoded
// header and payload to rebuild the signing input, and without jwx's
// lenient base64 decoding, which scans each part to guess its alphabet.
func (v *jwtVerifier) verify(ctx context.Context, tok string, now time.Time) (*Principal, error) {
	// Nothing below keeps the token's memory (every part is decoded into
	// new memory, the header cache copies its key), so it is read through
	// a view rather than a copy.
	buf := unsafe.Slice(unsafe.StringData(tok), len(tok))
	headerPart, payloadPart, sigPart, err := jws.SplitCompact(buf)
	if err != nil {
		return nil, newError(ErrMalformed, "token malformed", err)
	}
	h, known := v.headers.get(headerPart)
	if !known {
		if h, err = parseHeader(v.b64, headerPart); err != nil {
			return nil, newError(ErrMalformed, "token malformed", err)
		}
	}
	_, supported := algFamily(h.alg)
	switch {
	case !supported:
		return nil, newError(ErrAlgorithm, "algorithm not allowed", nil)
	case h.crit:
		// RFC 7515 §4.1.11: we understand no extensions.
		return nil, newError(ErrMalformed, "unsupported critical header", nil)
	case h.b64:
		// RFC 7797 unencoded payloads are not access tokens.
		return nil, newError(ErrMalformed, "unsupported b64 header", nil)
	case v.requiredType != "" && !typeMatches(h.typ, v.requiredType):
		return nil, newError(ErrType, "invalid token type", nil)
	}
	var claims map[string]any
	ti := v.issuers.any
	if ti == nil {
		if claims, err = v.claims(payloadPart); err != nil {
			return nil, err
		}
		iss, _ := claims["iss"].(string)
		if ti, err = v.issuers.lookup(ctx, iss); err != nil {
			return nil, err
		}
	}
	verifier := ti.verifiers[h.alg]
	if verifier == nil {
		return nil, newError(ErrAlgorithm, "algorithm not allowed", nil)
	}
	keys, err := ti.keys(ctx, h.kid, h.alg)
	if err != nil {
		return nil, err
	}
	sig, err := v.decode(sigPart)
	if err != nil {
		return nil, newError(ErrMalformed, "token malformed", err)
	}
	input := buf[:len(headerPart)+1+len(payloadPart)]
	for i := range keys {
		if err = verifier.Verify(input, sig, keys[i].raw); err == nil {
			break
		}
	}
	if err != nil {
		return nil, newError(ErrSignature, "invalid signature", err)
	}
	if !known {
		v.headers.add(headerPart, h)
	}
	if claims == nil {
		if claims, err = v.claims(payloadPart); err != nil {
			return nil, err
		}
	}
	return ti.rules.check(claims, now)
}

// claims decodes the payload part into its claims.
func (v *jwtVerifier) claims(payloadPart []byte) (map[string]any, error) {
	payload, err := v.decode(payloadPart)
	if err != nil {
		return nil, newError(ErrMalformed, "token malformed", err)
	}
	return internal.DecodeClaims(payload)
}

// decode decodes one base64url part of a token into new memory.
func (v *jwtVerifier) decode(part []byte) ([]byte, error) {
	out := make([]byte, v.b64.DecodedLen(len(part)))
	n, err := v.b64.Decode(out, part)
	return out[:n], err
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
