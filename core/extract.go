package core

import (
	"fmt"
	"strings"

	"github.com/tokengate/tokengate/internal"
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
	// Cookies returns the values of every cookie of that name, in the
	// order the request carries them (none: nil). The Guard refuses a
	// request carrying several, so that a cookie planted by a sibling
	// subdomain is never mistaken for the user's (cookie tossing).
	Cookies(name string) []string
	// Query returns the first value of the named query parameter, or "".
	Query(name string) string
	// Method returns the HTTP method.
	Method() string
	// Path returns the URL path.
	Path() string

	// What a DPoP proof's htu and the uniqueness of its header are checked
	// against (RFC 9449 §4.3). Adapters report the request as it reached
	// the server; forwarded headers are the Guard's to read, and only when
	// DPoPConfig.TrustForwarded says so.

	// Scheme returns "https" when the request came over TLS, "http"
	// otherwise.
	Scheme() string
	// Host returns the Host header (the :authority of HTTP/2 and HTTP/3);
	// the cross-origin check of cookie tokens compares Origin with it.
	Host() string
	// EscapedPath returns the path as the request line sent it,
	// percent-encoded, without the query.
	EscapedPath() string
	// HeaderValues returns every value of the named header, nil when
	// there is none.
	HeaderValues(name string) []string
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

// found is a token extract found: where it came from (for the
// cross-origin check of cookie tokens) and how it was presented (for DPoP).
type found struct {
	tok  string
	from sourceKind
	how  presentation
}

// extract returns the token found in the first source that has one,
// checking its size before anything else. With dpop, the Authorization
// header may use the DPoP scheme (RFC 9449 §7.1) as well as Bearer. It
// returns ErrNoToken when no source carries a token. The RFC 6750 b64token
// syntax is checked by Guard.Validate on a cache miss: a cached token
// passed it already.
func extract(r Request, sources []source, maxSize int, dpop bool) (found, error) {
	for _, s := range sources {
		f := found{from: s.kind, how: asBearer}
		switch s.kind {
		case fromAuthorization:
			v := r.Header("Authorization")
			if v == "" {
				continue
			}
			t, ours, err := internal.Bearer(v)
			if !ours && dpop {
				t, ours, err = internal.DPoP(v)
				f.how = asDPoP
			}
			if !ours {
				continue // another scheme (Basic, ...): not ours
			}
			if err != nil {
				return f, err
			}
			f.tok = t
		case fromHeader:
			f.tok = strings.Trim(r.Header(s.name), " \t")
		case fromCookie:
			var err error
			if f.tok, err = cookieToken(r, s.name); err != nil {
				return f, err
			}
		case fromQuery:
			f.tok = r.Query(s.name)
		}
		if f.tok == "" {
			continue
		}
		if len(f.tok) > maxSize {
			return found{how: f.how}, newError(ErrTokenTooLarge, "token too large", nil)
		}
		return f, nil
	}
	return found{how: asBearer}, newError(ErrNoToken, "authentication required", nil)
}

// cookieToken returns the value of the one cookie called name, "" when
// there is none. Values net/http would drop are ignored, as net/http never
// shows them; several cookies of that name are refused rather than one
// picked: a sibling subdomain can set a cookie for the parent domain that
// the browser sends next to (and often before) the user's own.
func cookieToken(r Request, name string) (string, error) {
	tok, n := "", 0
	for _, v := range r.Cookies(name) {
		v = strings.TrimSpace(v)
		if v == "" || !isCookieValue(v) {
			continue
		}
		if n++; n == 1 {
			tok = v
		}
	}
	if n > 1 {
		return "", newError(ErrMalformed, "several "+name+" cookies", nil)
	}
	return tok, nil
}

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
