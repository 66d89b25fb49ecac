// Package fibermw puts a tokengate Guard in front of fiber (v2) handlers.
//
// Like nethttpmw, it only translates: the request is read straight from
// fasthttp through fiber's accessors, the Guard decides, and a refusal is
// written exactly as core.Guard.Reject says.
//
//	app := fiber.New()
//	app.Get("/me", fibermw.New(guard), me)
//	app.Get("/admin", fibermw.New(guard, core.Scopes("admin")), admin)
//
// The strings fiber returns point into fasthttp's reusable buffers; the
// Guard copies whatever it keeps, so a Principal stays valid after the
// request. It is stored in c.Locals, where handlers read it with
// Principal(c), and in c.UserContext(), where code that only sees a
// context.Context finds it with core.PrincipalFrom.
//
// fasthttp answers a bare 431 to requests whose headers do not fit its read
// buffer (4 KiB by default), before any middleware runs. Set
// fiber.Config.ReadBufferSize above the largest token the Guard accepts
// (core.DefaultMaxTokenSize, 8 KiB) plus the other headers, so that an
// oversized token gets the Guard's own 401, as with the other adapters.
package fibermw

import (
	"context"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/tokengate/tokengate/core"
)

// New returns middleware that requires a valid token satisfying rules and
// stores its Principal in c.Locals and in c.UserContext().
func New(g *core.Guard, rules ...core.Rule) fiber.Handler {
	return guard(g, func(ctx context.Context, r core.Request) (*core.Principal, error) {
		return g.Authenticate(ctx, r, rules...)
	})
}

// Optional returns middleware for routes where signing in is optional: a
// request without a token passes with no Principal, one with an invalid
// token is refused.
func Optional(g *core.Guard) fiber.Handler {
	return guard(g, g.AuthenticateOptional)
}

// guard is the one body of New and Optional.
func guard(g *core.Guard, authenticate func(context.Context, core.Request) (*core.Principal, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, err := authenticate(c.UserContext(), request{c})
		if err != nil {
			return Write(c, g.Reject(err))
		}
		c.Locals(principalKey{}, p)
		c.SetUserContext(core.WithPrincipal(c.UserContext(), p))
		return c.Next()
	}
}

// Require returns middleware that applies rules to the Principal an outer
// New or Optional stored, for checks that differ per route.
func Require(g *core.Guard, rules ...core.Rule) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, _ := Principal(c)
		if err := core.Authorize(p, rules...); err != nil {
			return Write(c, g.Reject(err))
		}
		return c.Next()
	}
}

// Principal returns the Principal the middleware stored for this request.
func Principal(c *fiber.Ctx) (*core.Principal, bool) {
	p, ok := c.Locals(principalKey{}).(*core.Principal)
	return p, ok && p != nil
}

// Write sends a refusal. The handler chain stops there: return its error
// from the handler.
func Write(c *fiber.Ctx, rej core.Rejection) error {
	rej.SetHeaders(c.Set)
	return c.Status(rej.Status).Send(rej.Body)
}

// principalKey is the c.Locals key of the Principal; unexported so that
// only this package sets it.
type principalKey struct{}

// request is the core.Request view of a fiber request. Its strings alias
// fasthttp's buffers and are valid only during the call.
type request struct{ c *fiber.Ctx }

func (q request) Header(name string) string { return q.c.Get(name) }
func (q request) Query(name string) string  { return q.c.Query(name) }
func (q request) Method() string            { return q.c.Method() }
func (q request) Path() string              { return q.c.Path() }

// Host is the Host header as fasthttp read it: fiber's Hostname reads
// X-Forwarded-Host, which is for the Guard to trust or not.
func (q request) Host() string { return q.c.Get(fiber.HeaderHost) }

// EscapedPath is the path as the request line sent it, whatever fiber's
// UnescapePath.
func (q request) EscapedPath() string { return utils.UnsafeString(q.c.Request().URI().PathOriginal()) }

// Scheme is the connection's: fiber's Protocol reads X-Forwarded-Proto,
// which is for the Guard to trust or not.
func (q request) Scheme() string {
	if q.c.Context().IsTLS() {
		return "https"
	}
	return "http"
}

// Cookies returns the values of every cookie of that name; the slice is
// new, its strings alias fasthttp's buffers.
func (q request) Cookies(name string) []string {
	var out []string
	q.c.Request().Header.VisitAllCookie(func(key, value []byte) {
		if string(key) == name {
			out = append(out, utils.UnsafeString(value))
		}
	})
	return out
}

// HeaderValues returns every value of the named header; the slice is
// new, its strings alias fasthttp's buffers.
func (q request) HeaderValues(name string) []string {
	all := q.c.Request().Header.PeekAll(name)
	if len(all) == 0 {
		return nil
	}
	out := make([]string, len(all))
	for i, v := range all {
		out[i] = utils.UnsafeString(v)
	}
	return out
}
