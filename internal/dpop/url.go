package dpop

import (
	"net/url"
	"strings"
)

// URL is a request's URL as its client addressed it: what a proof's htu
// must name (RFC 9449 §4.3 step 9).
type URL struct {
	// Scheme is "https" or "http".
	Scheme string
	// Host is the host, with its port when the request named one.
	Host string
	// Path is the path, percent-encoded as sent, without the query.
	Path string
}

// Matches reports whether htu names u, ignoring htu's query and fragment.
// An htu spelled as the request was addressed matches at once, without
// allocating; any other is compared after syntax-based and scheme-based
// normalization (RFC 3986 §6.2.2, §6.2.3), as §4.3 recommends: case of the
// scheme and host, default ports, percent-encodings and dot segments.
func (u URL) Matches(htu string) bool {
	if i := strings.IndexAny(htu, "?#"); i >= 0 {
		htu = htu[:i]
	}
	if u.spells(htu) {
		return true
	}
	want, ok := normalizeURL(htu)
	if !ok {
		return false
	}
	got, ok := normalize(u.Scheme, u.Host, u.Path)
	return ok && got == want
}

// spells reports whether htu is scheme://host/path exactly, scheme and
// host compared case-insensitively.
func (u URL) spells(htu string) bool {
	n := len(u.Scheme)
	if len(htu) < n+3 || !strings.EqualFold(htu[:n], u.Scheme) || htu[n:n+3] != "://" {
		return false
	}
	rest := htu[n+3:]
	if len(rest) < len(u.Host) || !strings.EqualFold(rest[:len(u.Host)], u.Host) {
		return false
	}
	path := u.Path
	if path == "" {
		path = "/"
	}
	return rest[len(u.Host):] == path
}

// normalizeURL returns the normal form of an absolute http or https URL
// without user information.
func normalizeURL(raw string) (string, bool) {
	p, err := url.Parse(raw)
	if err != nil || p.Opaque != "" || p.User != nil || p.Host == "" {
		return "", false
	}
	return normalize(p.Scheme, p.Host, p.EscapedPath())
}

// normalize returns scheme://host/path in normal form: lower-case scheme
// and host, no default port, percent-encodings in upper case with those of
// unreserved characters decoded, no dot segments, "/" for an empty path.
func normalize(scheme, host, path string) (string, bool) {
	scheme = strings.ToLower(scheme)
	host = strings.ToLower(host)
	switch {
	case scheme == "https":
		host = strings.TrimSuffix(host, ":443")
	case scheme == "http":
		host = strings.TrimSuffix(host, ":80")
	default:
		return "", false
	}
	host = strings.TrimSuffix(host, ":") // an empty port (§6.2.3)
	if host == "" {
		return "", false
	}
	p, ok := normalizePercent(path)
	if !ok {
		return "", false
	}
	p = removeDotSegments(p)
	if p == "" {
		p = "/"
	}
	return scheme + "://" + host + p, true
}

// normalizePercent decodes the percent-encodings of unreserved characters
// and writes the others in upper case (RFC 3986 §6.2.2.1, §6.2.2.2). A
// malformed percent-encoding is not normalized (false).
func normalizePercent(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 {
		return s, true
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		hi, ok1 := unhex(s[i+1])
		lo, ok2 := unhex(s[i+2])
		if !ok1 || !ok2 {
			return "", false
		}
		if d := hi<<4 | lo; unreserved(d) {
			b.WriteByte(d)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[hi])
			b.WriteByte(hex[lo])
		}
		i += 2
	}
	return b.String(), true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// unreserved reports whether c is an unreserved character (RFC 3986 §2.3).
func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// removeDotSegments is RFC 3986 §5.2.4 for an absolute path: "." and ".."
// segments go, a trailing slash stays.
func removeDotSegments(p string) string {
	if !strings.Contains(p, ".") {
		return p
	}
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	r := strings.Join(out, "/")
	if !strings.HasPrefix(r, "/") {
		r = "/" + r
	}
	return r
}

// Forwarded returns u as a reverse proxy in front of the server says the
// client addressed it: the first element of Forwarded (RFC 7239: proto,
// host), otherwise the leftmost values of X-Forwarded-Proto and
// X-Forwarded-Host, and X-Forwarded-Prefix before the path. header reads a
// request header. Only call it when a trusted proxy sets those headers,
// overwriting what clients send: otherwise a client chooses the URL its
// proofs are checked against.
func Forwarded(u URL, header func(name string) string) URL {
	proto, host := forwardedElement(header("Forwarded"))
	if proto == "" {
		proto = leftmost(header("X-Forwarded-Proto"))
	}
	if host == "" {
		host = leftmost(header("X-Forwarded-Host"))
	}
	if p := strings.ToLower(proto); p == "https" || p == "http" {
		u.Scheme = p
	}
	if host != "" && validHost(host) {
		u.Host = host
	}
	if prefix := strings.TrimSuffix(leftmost(header("X-Forwarded-Prefix")), "/"); prefix != "" && !strings.ContainsAny(prefix, "?# ") {
		if !strings.HasPrefix(prefix, "/") {
			prefix = "/" + prefix
		}
		u.Path = prefix + u.Path
	}
	return u
}

// forwardedElement reads proto and host from the first element of a
// Forwarded header (RFC 7239 §4), values plain or quoted.
func forwardedElement(v string) (proto, host string) {
	if v == "" {
		return "", ""
	}
	first, _, _ := strings.Cut(v, ",")
	for _, pair := range strings.Split(first, ";") {
		name, value, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok {
			continue
		}
		value = strings.Trim(value, `"`)
		switch strings.ToLower(name) {
		case "proto":
			proto = value
		case "host":
			host = value
		}
	}
	return proto, host
}

func leftmost(v string) string {
	first, _, _ := strings.Cut(v, ",")
	return strings.TrimSpace(first)
}

// validHost reports whether h is a plausible host[:port]: no user
// information, path, query or white space.
func validHost(h string) bool {
	return !strings.ContainsAny(h, "/?#@ \t\\")
}
