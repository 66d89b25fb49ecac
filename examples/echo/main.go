// Command echo is the smallest echo resource server protected by
// tokengate. Configure it with TOKENGATE_* variables (see the README):
//
//	TOKENGATE_JWKS_URL=https://idp.example/.well-known/jwks.json go run ./examples/echo
package main

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/echomw"
	"github.com/tokengate/tokengate/examples/internal/demo"
)

func main() {
	log := demo.Logger()
	guard := demo.Guard(log)
	defer guard.Close()
	demo.Serve(log, "echo example", routes(guard))
}

func routes(guard *core.Guard) http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/healthz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, demo.Health())
	})
	me := func(c echo.Context) error {
		p, _ := echomw.Principal(c)
		return c.JSON(http.StatusOK, p)
	}
	e.GET("/me", me, echomw.New(guard))
	e.GET("/admin", me, echomw.New(guard, core.Scopes("admin")))
	e.GET("/whoami", func(c echo.Context) error {
		p, _ := echomw.Principal(c)
		return c.JSON(http.StatusOK, demo.WhoAmI(p))
	}, echomw.Optional(guard))
	return e
}
