package core

import (
	"fmt"
	"strings"
)

// Request is the read-only view of an incoming request that adapters hand
// to the Guard. It keeps the core free of any framework's types, so an
// adapter (net/http, gin, fiber/fasthttp) needs no conversion.
//
// The strings returned may alias the framework's request buffers (fasthttp
// reuses them): the Guard copies whatever it keeps beyond the call.
type Request interface {
	// Header returns the first value of the named header, or "".
	Header(name string) string
	// Cookie returns the value of the named cookie, or "".
	Cookie(name string) string
	// Query returns the first value of the named query parameter, or "".
	Query(name string) string
	// Method returns the HTTP method.
	Method() string
	// Path returns the URL path.
	Path() string
}

// sourceKind is where a token is looked for.
type sourceKind uint8

const (
	fromAuthorization sourceKind = iota // Authorization: Bearer <token>
	fromHeader                          // any other header, raw value
	fromCookie
	fromQuery
)

type source struct {
	kind sourceKind
	name string
}

// parseLookup parses Config.TokenLookup: comma-separated "header:Name",
// "cookie:name" or "query:name" entries, tried in order.
func parseLookup(spec string) ([]source, error) {
	var out []source
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		kind, name, ok := strings.Cut(part, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("%q: want header:Name, cookie:name or query:name", part)
		}
		switch strings.ToLower(strings.TrimSpace(kind)) {
		case "header":
			if strings.EqualFold(name, "Authorization") {
				out = append(out, source{fromAuthorization, "Authorization"})
			} else {
				out = append(out, source{fromHeader, name})
			}
		case "cookie":
			out = append(out, source{fromCookie, name})
		case "query":
			out = append(out, source{fromQuery, name})
		default:
			return nil, fmt.Errorf("%q: unknown source %q (want header, cookie or query)", part, kind)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no source given")
	}
	return out, nil
}

// extract returns the token found in the first source that has one,
// checking its size before anything else. It returns ErrNoToken when no
// source carries a token. The RFC 6750 b64token syntax is checked by
// Guard.Validate on a cache miss: a cached token passed it already.
func extract(r Request, sources []source, maxSize int) (string, error) {
	for _, s := range sources {
		var tok string
		switch s.kind {
		case fromAuthorization:
			v := r.Header("Authorization")
			if v == "" {
				continue
			}
			t, isBearer, err := bearer(v)
			if !isBearer {
				continue // another scheme (Basic, ...): not ours
			}
			if err != nil {
				return "", err
			}
			tok = t
		case fromHeader:
			tok = strings.TrimSpace(r.Header(s.name))
		case fromCookie:
			tok = strings.TrimSpace(r.Cookie(s.name))
			if !isCookieValue(tok) {
				continue // as net/http does, which never shows such a cookie
			}
		case fromQuery:
			tok = r.Query(s.name)
		}
		if tok == "" {
			continue
		}
		if len(tok) > maxSize {
			return "", newError(ErrTokenTooLarge, "token too large", nil)
		}
		return tok, nil
	}
	return "", newError(ErrNoToken, "authentication required", nil)
}

// bearer parses an Authorization header value. isBearer is false when the
// scheme is not Bearer (compared case-insensitively, RFC 9110 §11.1). A
// Bearer credential must be exactly one token.
func bearer(v string) (tok string, isBearer bool, err error) {
	const scheme = "Bearer"
	if len(v) < len(scheme) || !strings.EqualFold(v[:len(scheme)], scheme) {
		return "", false, nil
	}
	rest := v[len(scheme):]
	if rest == "" {
		return "", true, newError(ErrMalformed, "empty bearer token", nil)
	}
	if rest[0] != ' ' {
		return "", false, nil // e.g. "Bearerx": another scheme
	}
	rest = strings.Trim(rest, " ")
	if rest == "" {
		return "", true, newError(ErrMalformed, "empty bearer token", nil)
	}
	// Other separators (tab, comma) fall outside b64token and are refused
	// by the syntax check.
	if strings.IndexByte(rest, ' ') >= 0 {
		return "", true, newError(ErrMalformed, "expected exactly one bearer token", nil)
	}
	return rest, true, nil
}

// isB64Token reports whether s matches RFC 6750's b64token:
// 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func isB64Token(s string) bool { return scanToken(s).b64token }

// tokenSyntax is what one scan of a token tells.
type tokenSyntax struct {
	// b64token: RFC 6750's token syntax.
	b64token bool
	// compact: only base64url characters and dots, with no padding, as
	// the parts of a compact JWS must be (RFC 7515 §2, §7.1).
	compact bool
}

// scanToken classifies every byte of s through tokenChars, eight at a
// time, with no branch per byte: on a kilobyte token this is several
// times faster than comparing each byte with the allowed ranges.
func scanToken(s string) tokenSyntax {
	body := strings.TrimRight(s, "=")
	acc := byte(charCompact | charB64Token)
	i := 0
	for ; i+8 <= len(body); i += 8 {
		acc &= tokenChars[body[i]] & tokenChars[body[i+1]] & tokenChars[body[i+2]] & tokenChars[body[i+3]] &
			tokenChars[body[i+4]] & tokenChars[body[i+5]] & tokenChars[body[i+6]] & tokenChars[body[i+7]]
	}
	for ; i < len(body); i++ {
		acc &= tokenChars[body[i]]
	}
	return tokenSyntax{
		b64token: body != "" && acc&charB64Token != 0,
		compact:  body != "" && len(body) == len(s) && acc&charCompact != 0,
	}
}

// Classes of tokenChars. '=' is in neither: it may only end a b64token.
const (
	charCompact  = 1 << iota // A-Z a-z 0-9 - _ and the dot
	charB64Token             // the above and ~ + /
)

// tokenChars maps each byte to its classes.
const tokenChars = "" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x03\x03\x02" +
	"\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x00\x00\x00\x00\x00\x00" +
	"\x00\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03" +
	"\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x00\x00\x00\x00\x03" +
	"\x00\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03" +
	"\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x00\x00\x00\x02\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"

// isCookieValue reports whether s holds only bytes net/http accepts in a
// cookie value (printable ASCII and space, but no '"', ';' or '\\').
// net/http drops any other cookie before the Guard sees it, fasthttp does
// not: refusing them here makes every adapter find the same tokens.
func isCookieValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == ';' || c == '\\' {
			return false
		}
	}
	return true
}

// looksLikeJWT reports whether tok has the compact JWS shape: three
// dot-separated parts. An empty part (an unsigned "alg: none" token ends in
// a dot) still counts, so such tokens reach local validation and are
// rejected there rather than sent elsewhere.
func looksLikeJWT(tok string) bool {
	return strings.Count(tok, ".") == 2
}
