package core

import (
	"errors"
	"strings"
)

// Sentinel errors. Every error the Guard returns wraps exactly one of them,
// so callers classify a failure with errors.Is:
//
//	if errors.Is(err, core.ErrTokenExpired) { ... }
//
// The mapping from these errors to an HTTP answer (status, WWW-Authenticate
// and JSON body, RFC 6750 §3) lives in one place: [Guard.Reject].
var (
	// ErrNoToken: the request carries no token in any configured location.
	ErrNoToken = errors.New("no token")

	// ErrMalformed: the token is not well formed (bad characters, wrong
	// number of parts, undecodable header or claims).
	ErrMalformed = errors.New("token malformed")
	// ErrTokenTooLarge: the token exceeds Config.MaxTokenSize.
	ErrTokenTooLarge = errors.New("token too large")
	// ErrAlgorithm: the token's alg is not in the allowlist or does not fit the key.
	ErrAlgorithm = errors.New("algorithm not allowed")
	// ErrUnknownKey: no configured key matches the token's kid.
	ErrUnknownKey = errors.New("unknown signing key")
	// ErrSignature: the signature does not verify.
	ErrSignature = errors.New("invalid signature")
	// ErrTokenExpired: exp is in the past (beyond the leeway).
	ErrTokenExpired = errors.New("token expired")
	// ErrTokenNotYetValid: nbf is in the future (beyond the leeway).
	ErrTokenNotYetValid = errors.New("token not yet valid")
	// ErrIssuedInFuture: iat is in the future (beyond the leeway).
	ErrIssuedInFuture = errors.New("token issued in the future")
	// ErrIssuer: iss does not match Config.Issuer.
	ErrIssuer = errors.New("invalid issuer")
	// ErrAudience: aud does not contain any of Config.Audience.
	ErrAudience = errors.New("invalid audience")
	// ErrType: the typ header does not match Config.RequiredType.
	ErrType = errors.New("invalid token type")
	// ErrMissingClaim: a claim listed in Config.RequiredClaims is absent.
	ErrMissingClaim = errors.New("required claim missing")
	// ErrInactive: the token is not active (introspection said so, or it
	// was revoked).
	ErrInactive = errors.New("token inactive")

	// ErrInsufficientScope: the token is valid but lacks a required scope.
	ErrInsufficientScope = errors.New("insufficient scope")
	// ErrForbidden: the token is valid but lacks a required role, group or
	// claim value.
	ErrForbidden = errors.New("forbidden")

	// ErrUnavailable: a key set or introspection endpoint could not be
	// reached (or answered badly) and nothing usable was cached.
	ErrUnavailable = errors.New("temporarily unavailable")
)

// Token service errors, returned by the Issuer and its endpoints and mapped
// to HTTP answers by the same function as the Guard's (RFC 6749 §5.2 codes).
var (
	// ErrInvalidCredentials: the login's username or password is wrong.
	ErrInvalidCredentials = errors.New("invalid credentials")
	// ErrInvalidGrant: a refresh token is unknown, expired, revoked or
	// already used.
	ErrInvalidGrant = errors.New("invalid grant")
	// ErrInvalidClient: client authentication at the introspection or
	// revocation endpoint failed.
	ErrInvalidClient = errors.New("invalid client")
	// ErrInvalidRequest: the request is malformed (missing parameter,
	// unsupported content type, body too large).
	ErrInvalidRequest = errors.New("invalid request")
	// ErrCrossOrigin: a browser sent a state-changing request from another
	// origin (cross-site request forgery).
	ErrCrossOrigin = errors.New("cross-origin request")
	// ErrServer: the app handed the Issuer something it cannot issue (a
	// reserved claim, an empty subject); details are logged, not shown.
	ErrServer = errors.New("server error")
)

// Error is the error type returned by the Guard. Kind is one of the
// sentinel errors above; Cause, when set, is the underlying error, kept for
// logs and never shown to clients.
type Error struct {
	Kind error
	// Description is short, safe to show to a client, and never contains
	// the token, a key, a secret or an upstream response.
	Description string
	// Scopes lists the scopes a request needed, for ErrInsufficientScope.
	Scopes []string
	Cause  error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.Error())
	if e.Description != "" && e.Description != e.Kind.Error() {
		b.WriteString(": ")
		b.WriteString(e.Description)
	}
	if e.Cause != nil {
		b.WriteString(": ")
		b.WriteString(e.Cause.Error())
	}
	return b.String()
}

// Is reports whether target is the sentinel this error wraps.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Cause }

// newError returns an *Error of the given kind. The description defaults to
// the sentinel's text.
func newError(kind error, desc string, cause error) *Error {
	if desc == "" {
		desc = kind.Error()
	}
	return &Error{Kind: kind, Description: desc, Cause: cause}
}

// asError converts any error into an *Error. A bare sentinel (or an error
// wrapping one) keeps its kind; anything else is an invalid token (fail
// closed).
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	for _, kind := range [...]error{
		ErrNoToken, ErrMalformed, ErrTokenTooLarge, ErrAlgorithm, ErrUnknownKey, ErrSignature,
		ErrTokenExpired, ErrTokenNotYetValid, ErrIssuedInFuture, ErrIssuer, ErrAudience, ErrType,
		ErrMissingClaim, ErrInactive, ErrInsufficientScope, ErrForbidden, ErrUnavailable,
		ErrInvalidCredentials, ErrInvalidGrant, ErrInvalidClient, ErrInvalidRequest, ErrCrossOrigin, ErrServer,
	} {
		if errors.Is(err, kind) {
			return newError(kind, "", err)
		}
	}
	return newError(ErrMalformed, "invalid token", err)
}
