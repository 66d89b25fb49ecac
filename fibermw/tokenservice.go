package fibermw

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"github.com/tokengate/tokengate/core/issuer"
)

// MountTokenService registers the token service's endpoints
// (issuer.Issuer.Routes) on r; they are net/http handlers, run through
// fiber's adaptor:
//
//	fibermw.MountTokenService(app, issuer.Routes(checkPassword))
func MountTokenService(r fiber.Router, routes []issuer.Route) {
	for _, rt := range routes {
		r.Add(rt.Method, rt.Path, adaptor.HTTPHandler(rt.Handler))
	}
}
