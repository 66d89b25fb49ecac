package fibermw

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"github.com/tokengate/tokengate/core/issuer"
)

// Mount registers the token service's endpoints (iss.Routes) on a fiber
// app or router.
func Mount(r fiber.Router, routes []issuer.Route) {
	for _, rt := range routes {
		r.Add(rt.Method, rt.Path, adaptor.HTTPHandler(rt.Handler))
	}
}

// Renew returns middleware that renews an ageing access token cookie
// before the route's Guard sees it (issuer.Config.RenewAfter): the new
// cookie is set on the response, and the request goes on with the token it
// carries.
func Renew(iss *issuer.Issuer) fiber.Handler {
	return func(c *fiber.Ctx) error {
		for _, ck := range iss.Renew(c.UserContext(), request{c}) {
			c.Response().Header.Add(fiber.HeaderSetCookie, ck.String())
		}
		return c.Next()
	}
}
