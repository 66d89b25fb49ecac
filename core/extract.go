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
	// Cookie returns the value of the named cookie, or "".
	Cookie(name string) string
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
	// Host returns the Host header (the :authority of HTTP/2 and HTTP/3).
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

// extract returns the token found in the first source that has one, and
// how it was presented, checking its size before anything else. With
// dpop, the Authorization header may use the DPoP scheme (RFC 9449 §7.1)
// as well as Bearer. It returns ErrNoToken when no source carries a token.
// The RFC 6750 b64token syntax is checked by Guard.Validate on a cache
// miss: a cached token passed it already.
func extract(r Request, sources []source, maxSize int, dpop bool) (string, presentation, error) {
	for _, s := range sources {
		var tok string
		how := asBearer
		switch s.kind {
		case fromAuthorization:
			v := r.Header("Authorization")
			if v == "" {
				continue
			}
			t, ours, err := internal.Bearer(v)
			if !ours && dpop {
				t, ours, err = internal.DPoP(v)
				how = asDPoP
			}
			if !ours {
				continue // another scheme (Basic, ...): not ours
			}
			if err != nil {
				return "", how, err
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
			return "", how, newError(ErrTokenTooLarge, "token too large", nil)
		}
		return tok, how, nil
	}
	return "", asBearer, newError(ErrNoToken, "authentication required", nil)
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
