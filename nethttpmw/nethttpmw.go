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
	"github.com/tokengate/tokengate/internal"
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
			p, err := authenticate(r.Context(), Request(r))
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
func Request(r *http.Request) core.Request { return internal.HTTPRequest{R: r} }
