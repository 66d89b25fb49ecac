package echomw_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/echomw"
	"github.com/tokengate/tokengate/internal/conformance"
	"github.com/tokengate/tokengate/internal/testutil"
)

func TestTokenServiceConformance(t *testing.T) {
	conformance.RunTokenService(t, func(t *testing.T, iss *issuer.Issuer, g *core.Guard, check issuer.CredentialsFunc) string {
		e := echo.New()
		echomw.Mount(e, iss.Routes(check))
		e.GET("/me", echoPrincipal, echomw.Renew(iss), echomw.New(g))
		e.GET("/ctx", func(c echo.Context) error {
			p, _ := core.PrincipalFrom(c.Request().Context())
			return c.JSON(http.StatusOK, conformance.Echo(p))
		}, echomw.New(g))
		return testutil.ServeHandler(t, e).URL
	})
}
