package fibermw_test

import (
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/fibermw"
	"github.com/tokengate/tokengate/internal/conformance"
	"github.com/tokengate/tokengate/internal/testutil"
)

func TestTokenServiceConformance(t *testing.T) {
	conformance.RunTokenService(t, func(t *testing.T, iss *issuer.Issuer, g *core.Guard, check issuer.CredentialsFunc) string {
		app := fiber.New(fiber.Config{DisableStartupMessage: true})
		fibermw.Mount(app, iss.Routes(check))
		app.Get("/me", fibermw.Renew(iss), fibermw.New(g), func(c *fiber.Ctx) error {
			p, _ := fibermw.Principal(c)
			return c.JSON(conformance.Echo(p))
		})
		app.Get("/ctx", fibermw.New(g), func(c *fiber.Ctx) error {
			p, _ := core.PrincipalFrom(c.UserContext())
			return c.JSON(conformance.Echo(p))
		})
		return testutil.Serve(t, app.Listener, app.Shutdown)
	})
}
