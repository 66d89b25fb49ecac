// Package nethttpmw puts a tokengate Guard in front of net/http handlers.
//
// It only translates: the request becomes a core.Request, the Guard
// decides, and a refusal is written exactly as core.Guard.Reject says.
//
//	guard, _ := core.New(core.Config{JWKSURL: "https://idp.example/jwks.json"})
//	http.Handle("/me", nethttpmw.New(guard)(meHandler))
//	http.Handle("/admin", nethttpmw.New(guard, core.Scopes("admin"))(adminHandler))
package nethttpmw

import (
	"context"
	"net/http"

	"github.com/tokengate/tokengate/core"
)

// New returns middleware that requires a valid token satisfying rules and
// stores its Principal in the request context.
func New(g *core.Guard, rules ...core.Rule) func(http.Handler) http.Handler {
	return guard(g, func(ctx context.Context, r core.Request) (*core.Principal, error) {
		return g.Authenticate(ctx, r, rules...)
	})
}

// Optional returns middleware for routes where signing in is optional: a
// request without a token passes with no Principal, one with an invalid
// token is refused.
func Optional(g *core.Guard) func(http.Handler) http.Handler {
	return guard(g, g.AuthenticateOptional)
}

// guard is the one body of New and Optional.
func guard(g *core.Guard, authenticate func(context.Context, core.Request) (*core.Principal, error)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, err := authenticate(r.Context(), request{r})
			if err != nil {
				Write(w, g.Reject(err))
				return
			}
			next.ServeHTTP(w, r.WithContext(core.WithPrincipal(r.Context(), p)))
		})
	}
}

// Require returns middleware that applies rules to the Principal an outer
// New or Optional stored, for checks that differ per route.
func Require(g *core.Guard, rules ...core.Rule) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := core.PrincipalFrom(r.Context())
			if err := core.Authorize(p, rules...); err != nil {
				Write(w, g.Reject(err))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Principal returns the Principal the middleware stored in r's context.
func Principal(r *http.Request) (*core.Principal, bool) {
	return core.PrincipalFrom(r.Context())
}

// Write sends a refusal.
func Write(w http.ResponseWriter, rej core.Rejection) { core.WriteRejection(w, rej) }

// Request returns the core.Request view of r. Adapters for frameworks
// built on net/http (ginmw) use it so that they read tokens exactly as
// this package does.
func Request(r *http.Request) core.Request { return request{r} }

// request is the core.Request view of an *http.Request.
type request struct{ r *http.Request }

func (q request) Header(name string) string         { return q.r.Header.Get(name) }
func (q request) HeaderValues(name string) []string { return q.r.Header.Values(name) }
func (q request) Method() string                    { return q.r.Method }
func (q request) Path() string                      { return q.r.URL.Path }
func (q request) EscapedPath() string               { return q.r.URL.EscapedPath() }
func (q request) Host() string                      { return q.r.Host }
func (q request) Query(name string) string          { return q.r.URL.Query().Get(name) }

// Scheme is the connection's: X-Forwarded-Proto is for the Guard to
// trust or not.
func (q request) Scheme() string {
	if q.r.TLS != nil {
		return "https"
	}
	return "http"
}

func (q request) Cookies(name string) []string {
	var out []string
	for _, c := range q.r.CookiesNamed(name) {
		out = append(out, c.Value)
	}
	return out
}
