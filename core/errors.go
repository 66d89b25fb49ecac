package core

import "github.com/tokengate/tokengate/internal"

// Sentinel errors. Every error the Guard returns wraps exactly one of them,
// so callers classify a failure with errors.Is:
//
//	if errors.Is(err, core.ErrTokenExpired) { ... }
//
// The mapping from these errors to an HTTP answer (status, WWW-Authenticate
// and JSON body, RFC 6750 §3) lives in one place: [Guard.Reject].
var (
	// ErrNoToken: the request carries no token in any configured location.
	ErrNoToken = internal.ErrNoToken

	// ErrMalformed: the token is not well formed (bad characters, wrong
	// number of parts, undecodable header or claims).
	ErrMalformed = internal.ErrMalformed
	// ErrTokenTooLarge: the token exceeds Config.MaxTokenSize.
	ErrTokenTooLarge = internal.ErrTokenTooLarge
	// ErrAlgorithm: the token's alg is not in the allowlist or does not fit the key.
	ErrAlgorithm = internal.ErrAlgorithm
	// ErrUnknownKey: no configured key matches the token's kid.
	ErrUnknownKey = internal.ErrUnknownKey
	// ErrSignature: the signature does not verify.
	ErrSignature = internal.ErrSignature
	// ErrTokenExpired: exp is in the past (beyond the leeway).
	ErrTokenExpired = internal.ErrTokenExpired
	// ErrTokenNotYetValid: nbf is in the future (beyond the leeway).
	ErrTokenNotYetValid = internal.ErrTokenNotYetValid
	// ErrIssuedInFuture: iat is in the future (beyond the leeway).
	ErrIssuedInFuture = internal.ErrIssuedInFuture
	// ErrIssuer: iss does not match Config.Issuer.
	ErrIssuer = internal.ErrIssuer
	// ErrAudience: aud does not contain any of Config.Audience.
	ErrAudience = internal.ErrAudience
	// ErrType: the typ header does not match Config.TypHeader.
	ErrType = internal.ErrType
	// ErrMissingClaim: a claim listed in Config.RequiredClaims is absent,
	// or a JWT has no exp (unless Config.AllowNoExpiry).
	ErrMissingClaim = internal.ErrMissingClaim
	// ErrInactive: the token is not active (introspection said so, or it
	// was revoked).
	ErrInactive = internal.ErrInactive

	// ErrInsufficientScope: the token is valid but lacks a required scope.
	ErrInsufficientScope = internal.ErrInsufficientScope
	// ErrForbidden: the token is valid but lacks a required role, group or
	// claim value.
	ErrForbidden = internal.ErrForbidden

	// ErrCrossOrigin: a browser sent a state-changing request (POST, PUT,
	// DELETE, ...) from another origin with the token in a cookie: a
	// cross-site request forgery.
	ErrCrossOrigin = internal.ErrCrossOrigin

	// ErrUnavailable: a key set or introspection endpoint could not be
	// reached (or answered badly) and nothing usable was cached.
	ErrUnavailable = internal.ErrUnavailable

	// ErrDPoPProof: the DPoP proof is missing or invalid (RFC 9449 §4.3).
	ErrDPoPProof = internal.ErrDPoPProof
	// ErrDPoPNonce: the DPoP proof lacks the server's nonce, or carries a
	// stale one (RFC 9449 §8).
	ErrDPoPNonce = internal.ErrDPoPNonce
	// ErrDPoPBinding: the token was presented against its binding: a
	// DPoP-bound token as a bearer token, an unbound token with the DPoP
	// scheme, a bearer token where DPoP is required.
	ErrDPoPBinding = internal.ErrDPoPBinding
)

// Error is the error type returned by the Guard. Kind is one of the
// sentinel errors above; Cause, when set, is the underlying error, kept for
// logs and never shown to clients. Description is short, safe to show to
// a client, and never contains the token, a key, a secret or an upstream
// response; Scopes lists the scopes a request needed, for
// ErrInsufficientScope.
type Error = internal.Error

// newError returns an *Error of the given kind. The description defaults to
// the sentinel's text.
func newError(kind error, desc string, cause error) *Error {
	return internal.NewError(kind, desc, cause)
}

// kinds lists every sentinel, for asError.
var kinds = [...]error{
	ErrNoToken, ErrMalformed, ErrTokenTooLarge, ErrAlgorithm, ErrUnknownKey, ErrSignature,
	ErrTokenExpired, ErrTokenNotYetValid, ErrIssuedInFuture, ErrIssuer, ErrAudience, ErrType,
	ErrMissingClaim, ErrInactive, ErrInsufficientScope, ErrForbidden, ErrUnavailable, ErrCrossOrigin,
	ErrDPoPProof, ErrDPoPNonce, ErrDPoPBinding,
}

// asError converts any error into an *Error. A bare sentinel (or an error
// wrapping one) keeps its kind; anything else is an invalid token (fail
// closed).
func asError(err error) *Error {
	return internal.Classify(err, ErrMalformed, kinds[:]...)
}
