package internal

import "strings"

// Bearer parses an Authorization header value. isBearer is false when the
// scheme is not Bearer (compared case-insensitively, RFC 9110 §11.1). A
// Bearer credential must be exactly one token.
func Bearer(v string) (tok string, isBearer bool, err error) {
	const scheme = "Bearer"
	if len(v) < len(scheme) || !strings.EqualFold(v[:len(scheme)], scheme) {
		return "", false, nil
	}
	rest := v[len(scheme):]
	if rest == "" {
		return "", true, NewError(ErrMalformed, "empty bearer token", nil)
	}
	if rest[0] != ' ' {
		return "", false, nil // e.g. "Bearerx": another scheme
	}
	rest = strings.Trim(rest, " ")
	if rest == "" {
		return "", true, NewError(ErrMalformed, "empty bearer token", nil)
	}
	// Other separators (tab, comma) fall outside b64token and are refused
	// by the syntax check.
	if strings.IndexByte(rest, ' ') >= 0 {
		return "", true, NewError(ErrMalformed, "expected exactly one bearer token", nil)
	}
	return rest, true, nil
}
