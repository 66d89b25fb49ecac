package internal

import "net/http"

// HTTPRequest is the core.Request view of an *http.Request, shared by the
// adapters built on net/http (nethttpmw.Request) and the token service,
// which checks DPoP proofs at its token endpoint, so that both read a
// request alike.
type HTTPRequest struct{ R *http.Request }

func (q HTTPRequest) Header(name string) string         { return q.R.Header.Get(name) }
func (q HTTPRequest) HeaderValues(name string) []string { return q.R.Header.Values(name) }
func (q HTTPRequest) Method() string                    { return q.R.Method }
func (q HTTPRequest) Path() string                      { return q.R.URL.Path }
func (q HTTPRequest) EscapedPath() string               { return q.R.URL.EscapedPath() }
func (q HTTPRequest) Host() string                      { return q.R.Host }
func (q HTTPRequest) Query(name string) string          { return q.R.URL.Query().Get(name) }

// Scheme is the connection's: X-Forwarded-Proto is for the Guard to
// trust or not.
func (q HTTPRequest) Scheme() string {
	if q.R.TLS != nil {
		return "https"
	}
	return "http"
}

func (q HTTPRequest) Cookies(name string) []string {
	var out []string
	for _, c := range q.R.CookiesNamed(name) {
		out = append(out, c.Value)
	}
	return out
}
