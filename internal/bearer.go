package internal

import "strings"

// Bearer parses an Authorization header value. isBearer is false when the
// scheme is not Bearer (compared case-insensitively, RFC 9110 §11.1). A
// Bearer credential must be exactly one token.
func Bearer(v string) (tok string, isBearer bool, err error) {
	return Credential(v, "Bearer", "bearer token")
}

// DPoP parses an Authorization header value with the DPoP scheme
// (RFC 9449 §7.1), whose credential is one access token as for Bearer.
func DPoP(v string) (tok string, isDPoP bool, err error) {
	return Credential(v, "DPoP", "DPoP token")
}

// Credential parses an Authorization header value of the given scheme,
// whose credential is exactly one token (RFC 6750 §2.1's b64token, which
// RFC 9449 §7.1 reuses); noun names it in errors. ok is false when the
// value has another scheme.
func Credential(v, scheme, noun string) (tok string, ok bool, err error) {
	// RFC 9110 §5.5: leading and trailing whitespace (spaces, tabs) is not
	// part of a field value. net/http trims it, fasthttp does not.
	v = strings.Trim(v, " \t")
	if len(v) < len(scheme) || !strings.EqualFold(v[:len(scheme)], scheme) {
		return "", false, nil
	}
	rest := v[len(scheme):]
	if rest == "" {
		return "", true, NewError(ErrMalformed, "empty "+noun, nil)
	}
	if rest[0] != ' ' {
		return "", false, nil // e.g. "Bearerx": another scheme
	}
	rest = strings.Trim(rest, " ")
	if rest == "" {
		return "", true, NewError(ErrMalformed, "empty "+noun, nil)
	}
	// Other separators (tab, comma) fall outside b64token and are refused
	// by the syntax check.
	if strings.IndexByte(rest, ' ') >= 0 {
		return "", true, NewError(ErrMalformed, "expected exactly one "+noun, nil)
	}
	return rest, true, nil
}
