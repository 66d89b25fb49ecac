// Command gin is the smallest gin resource server protected by tokengate.
// Configure it with TOKENGATE_* variables (see the README):
//
//	TOKENGATE_JWKS_URL=https://idp.example/.well-known/jwks.json go run ./examples/gin
package main

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/examples/internal/demo"
	"github.com/tokengate/tokengate/ginmw"
)

func main() {
	log := demo.Logger()
	guard := demo.Guard(log)
	defer guard.Close()
	demo.Serve(log, "gin example", routes(guard))
}

func routes(guard *core.Guard) http.Handler {
	gin.SetMode(gin.ReleaseMode) // no debug banner
	r := gin.New()
	r.GET("/healthz", func(c *gin.Context) {
		c.JSON(http.StatusOK, demo.Health())
	})
	me := func(c *gin.Context) {
		p, _ := ginmw.Principal(c)
		c.JSON(http.StatusOK, p)
	}
	api := r.Group("/", ginmw.New(guard))
	api.GET("/me", me)
	api.GET("/admin", ginmw.Require(guard, core.Scopes("admin")), me)
	r.GET("/whoami", ginmw.Optional(guard), func(c *gin.Context) {
		p, _ := ginmw.Principal(c)
		c.JSON(http.StatusOK, demo.WhoAmI(p))
	})
	return r
}
