// Package ginmw puts a tokengate Guard in front of gin handlers.
//
// Like nethttpmw, it only translates: the request becomes a core.Request,
// the Guard decides, and a refusal is written exactly as
// core.Guard.Reject says, aborting the handler chain.
//
//	r := gin.New()
//	api := r.Group("/", ginmw.New(guard))
//	api.GET("/me", me)
//	api.GET("/admin", ginmw.Require(guard, core.Scopes("admin")), admin)
//
// The Principal is stored in the context of c.Request, as nethttpmw does,
// so code below the handler that only sees a context.Context finds it with
// core.PrincipalFrom; handlers read it with Principal(c).
package ginmw

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/nethttpmw"
)

// New returns middleware that requires a valid token satisfying rules and
// stores its Principal in the request context. Use it on an engine, a
// route group or a single route.
func New(g *core.Guard, rules ...core.Rule) gin.HandlerFunc {
	return guard(g, func(ctx context.Context, r core.Request) (*core.Principal, error) {
		return g.Authenticate(ctx, r, rules...)
	})
}

// Optional returns middleware for routes where signing in is optional: a
// request without a token passes with no Principal, one with an invalid
// token is refused.
func Optional(g *core.Guard) gin.HandlerFunc {
	return guard(g, g.AuthenticateOptional)
}

// guard is the one body of New and Optional.
func guard(g *core.Guard, authenticate func(context.Context, core.Request) (*core.Principal, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, err := authenticate(c.Request.Context(), nethttpmw.Request(c.Request))
		if err != nil {
			Write(c, g.Reject(err))
			return
		}
		c.Request = c.Request.WithContext(core.WithPrincipal(c.Request.Context(), p))
	}
}

// Require returns middleware that applies rules to the Principal an outer
// New or Optional stored, for checks that differ per route.
func Require(g *core.Guard, rules ...core.Rule) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, _ := Principal(c)
		if err := core.Authorize(p, rules...); err != nil {
			Write(c, g.Reject(err))
		}
	}
}

// Principal returns the Principal the middleware stored for this request.
func Principal(c *gin.Context) (*core.Principal, bool) {
	return core.PrincipalFrom(c.Request.Context())
}

// Write sends a refusal and aborts the handler chain.
func Write(c *gin.Context, rej core.Rejection) {
	rej.SetHeaders(c.Writer.Header().Set)
	c.Data(rej.Status, rej.ContentType, rej.Body)
	c.Abort()
}
