package ginmw_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/ginmw"
	"github.com/tokengate/tokengate/internal/conformance"
	"github.com/tokengate/tokengate/internal/testutil"
)

func TestTokenServiceConformance(t *testing.T) {
	gin.SetMode(gin.TestMode)
	conformance.RunTokenService(t, func(t *testing.T, iss *issuer.Issuer, g *core.Guard, check issuer.CredentialsFunc) string {
		r := gin.New()
		ginmw.Mount(r, iss.Routes(check))
		r.GET("/me", ginmw.Renew(iss), ginmw.New(g), func(c *gin.Context) {
			p, _ := ginmw.Principal(c)
			c.JSON(http.StatusOK, conformance.Echo(p))
		})
		r.GET("/ctx", ginmw.New(g), func(c *gin.Context) {
			p, _ := core.PrincipalFrom(c.Request.Context())
			c.JSON(http.StatusOK, conformance.Echo(p))
		})
		return testutil.ServeHandler(t, r).URL
	})
}
