package internal

import (
	"errors"
	"strings"
)

// The kinds of failure of a token check. core re-exports each under the
// same name (core.ErrTokenExpired, ...), which is what callers use.
var (
	ErrNoToken           = errors.New("no token")
	ErrMalformed         = errors.New("token malformed")
	ErrTokenTooLarge     = errors.New("token too large")
	ErrAlgorithm         = errors.New("algorithm not allowed")
	ErrUnknownKey        = errors.New("unknown signing key")
	ErrSignature         = errors.New("invalid signature")
	ErrTokenExpired      = errors.New("token expired")
	ErrTokenNotYetValid  = errors.New("token not yet valid")
	ErrIssuedInFuture    = errors.New("token issued in the future")
	ErrIssuer            = errors.New("invalid issuer")
	ErrAudience          = errors.New("invalid audience")
	ErrType              = errors.New("invalid token type")
	ErrMissingClaim      = errors.New("required claim missing")
	ErrInactive          = errors.New("token inactive")
	ErrInsufficientScope = errors.New("insufficient scope")
	ErrForbidden         = errors.New("forbidden")
	ErrUnavailable       = errors.New("temporarily unavailable")
	ErrCrossOrigin       = errors.New("cross-origin request")
)

// Error is a failure of one Kind (a sentinel), with a description safe to
// show a client and an optional Cause kept for logs. core exports it as
// core.Error.
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

// NewError returns an *Error of the given kind. The description defaults
// to the sentinel's text.
func NewError(kind error, desc string, cause error) *Error {
	if desc == "" {
		desc = kind.Error()
	}
	return &Error{Kind: kind, Description: desc, Cause: cause}
}

// Classify converts err into an *Error: an *Error is returned as is; an
// error that is (or wraps) one of kinds keeps that kind; anything else is
// fallback, with err as its cause (fail closed).
func Classify(err error, fallback error, kinds ...error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	for _, kind := range kinds {
		if errors.Is(err, kind) {
			return NewError(kind, "", err)
		}
	}
	return NewError(fallback, "invalid token", err)
}
