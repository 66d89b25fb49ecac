// Command fiber is the smallest fiber resource server protected by
// tokengate. Configure it with TOKENGATE_* variables (see the README):
//
//	TOKENGATE_JWKS_URL=https://idp.example/.well-known/jwks.json go run ./examples/fiber
package main

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/examples/internal/demo"
	"github.com/tokengate/tokengate/fibermw"
)

func main() {
	log := demo.Logger()
	guard := demo.Guard(log)
	defer guard.Close()
	app := newApp(guard)
	demo.Run(log, "fiber example", app.Listener, app.ShutdownWithContext)
}

func newApp(guard *core.Guard) *fiber.App {
	app := fiber.New(fiber.Config{
		DisableStartupMessage: true,
		// fasthttp refuses header blocks larger than its read buffer (4 KiB
		// by default) with a bare 431: leave room for the largest token the
		// Guard accepts, so that it answers with its own 401.
		ReadBufferSize: 2 * core.DefaultMaxTokenSize,
		// The timeouts of every example server (demo.NewServer).
		ReadTimeout:  demo.ReadTimeout,
		WriteTimeout: demo.WriteTimeout,
		IdleTimeout:  demo.IdleTimeout,
	})
	app.Get("/healthz", func(c *fiber.Ctx) error {
		return c.JSON(demo.Health())
	})
	me := func(c *fiber.Ctx) error {
		p, _ := fibermw.Principal(c)
		return c.JSON(p)
	}
	app.Get("/me", fibermw.New(guard), me)
	app.Get("/admin", fibermw.New(guard, core.Scopes("admin")), me)
	app.Get("/whoami", fibermw.Optional(guard), func(c *fiber.Ctx) error {
		p, _ := fibermw.Principal(c)
		return c.JSON(demo.WhoAmI(p))
	})
	return app
}
