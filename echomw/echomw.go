// Package echomw puts a tokengate Guard in front of echo (v4) handlers.
//
// Like nethttpmw, it only translates: the request becomes a core.Request,
// the Guard decides, and a refusal is written exactly as
// core.Guard.Reject says, ending the handler chain.
//
//	e := echo.New()
//	e.GET("/me", me, echomw.New(guard))
//	e.GET("/admin", admin, echomw.New(guard, core.Scopes("admin")))
//
// The Principal is stored in c.Request()'s context, as nethttpmw does:
// handlers read it with Principal(c), code that only sees a context.Context
// with core.PrincipalFrom.
package echomw

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/nethttpmw"
)

// New returns middleware that requires a valid token satisfying rules and
// stores its Principal in the request context (Echo.Use, a group, a route).
func New(g *core.Guard, rules ...core.Rule) echo.MiddlewareFunc {
	return guard(g, func(ctx context.Context, r core.Request) (*core.Principal, error) {
		return g.Authenticate(ctx, r, rules...)
	})
}

// Optional returns middleware for routes where signing in is optional: a
// request without a token passes with no Principal, an invalid token is refused.
func Optional(g *core.Guard) echo.MiddlewareFunc { return guard(g, g.AuthenticateOptional) }

// guard is the one body of New and Optional.
func guard(g *core.Guard, authenticate func(context.Context, core.Request) (*core.Principal, error)) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			p, err := authenticate(r.Context(), nethttpmw.Request(r))
			if err != nil {
				return Write(c, g.Reject(err))
			}
			c.SetRequest(r.WithContext(core.WithPrincipal(r.Context(), p)))
			return next(c)
		}
	}
}

// Require returns middleware that applies rules to the Principal an outer
// New or Optional stored, for checks that differ per route.
func Require(g *core.Guard, rules ...core.Rule) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p, _ := Principal(c)
			if err := core.Authorize(p, rules...); err != nil {
				return Write(c, g.Reject(err))
			}
			return next(c)
		}
	}
}

// Principal returns the Principal the middleware stored for this request.
func Principal(c echo.Context) (*core.Principal, bool) {
	return core.PrincipalFrom(c.Request().Context())
}

// Write sends a refusal; return its error from the handler.
func Write(c echo.Context, rej core.Rejection) error {
	rej.SetHeaders(c.Response().Header().Set)
	return c.Blob(rej.Status, rej.ContentType, rej.Body)
}

// Router is what Mount registers routes on: an *echo.Echo or *echo.Group.
type Router interface {
	Add(method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
}

// Mount registers the token service's endpoints (iss.Routes) on an echo
// instance or group.
func Mount(r Router, routes []issuer.Route) {
	for _, rt := range routes {
		r.Add(rt.Method, rt.Path, echo.WrapHandler(rt.Handler))
	}
}

// Renew returns middleware that renews an ageing access token cookie
// before the route's Guard sees it (issuer.Config.RenewAfter): the new
// cookie is set on the response; the request goes on with its old token.
func Renew(iss *issuer.Issuer) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			for _, ck := range iss.Renew(c.Request().Context(), nethttpmw.Request(c.Request())) {
				http.SetCookie(c.Response(), ck)
			}
			return next(c)
		}
	}
}
