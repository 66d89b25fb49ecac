package ginmw_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/ginmw"
	"github.com/tokengate/tokengate/internal/conformance"
	"github.com/tokengate/tokengate/internal/testutil"
	"github.com/tokengate/tokengate/nethttpmw"
)

// serve runs the router routes builds on a loopback server.
func serve(t *testing.T, routes func(r *gin.Engine)) string {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	routes(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv.URL
}

func echo(c *gin.Context) {
	p, _ := ginmw.Principal(c)
	c.JSON(http.StatusOK, conformance.Echo(p))
}

func TestMiddleware(t *testing.T) {
	conformance.RunMiddleware(t, func(t *testing.T, g *core.Guard) string {
		return serve(t, func(r *gin.Engine) {
			r.GET("/required", ginmw.New(g), echo)
			r.POST("/required", ginmw.New(g), echo)
			r.GET("/admin", ginmw.New(g, core.Scopes("admin")), echo)
			r.GET("/ops", ginmw.New(g, core.Roles("ops")), echo)
			group := r.Group("/group", ginmw.New(g))
			group.GET("/admin", ginmw.Require(g, core.Scopes("admin")), echo)
			optional := r.Group("/optional", ginmw.Optional(g))
			optional.GET("", echo)
			optional.GET("/admin", ginmw.Require(g, core.Scopes("admin")), echo)
			r.GET("/skipped", ginmw.New(g, core.Scopes("admin")), echo)
		})
	})
}

func TestPrincipalIsInTheRequestContext(t *testing.T) {
	g := conformance.NewGuard(t, core.Config{HMACSecret: testutil.Secret})
	var seen atomic.Bool
	url := serve(t, func(r *gin.Engine) {
		r.ContextWithFallback = true
		r.GET("/", ginmw.New(g), func(c *gin.Context) {
			p, ok := ginmw.Principal(c)
			fromRequest, _ := nethttpmw.Principal(c.Request)
			fromGin, _ := core.PrincipalFrom(c) // *gin.Context is a context.Context
			seen.Store(ok && p.Subject == "alice" && fromRequest == p && fromGin == p)
		})
	})
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+testutil.Mint(t, testutil.NewKey(t, jwa.HS256, ""), testutil.Claims(nil), nil))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !seen.Load() {
		t.Fatalf("status %d; Principal the same through ginmw, the request and gin's context: %v", res.StatusCode, seen.Load())
	}
}

func TestRefusalStopsTheChain(t *testing.T) {
	g := conformance.ChainGuard(t)
	var reached atomic.Int64
	handler := func(c *gin.Context) { reached.Add(1) }
	url := serve(t, func(r *gin.Engine) {
		r.GET("/new", ginmw.New(g), handler)
		r.GET("/optional", ginmw.Optional(g), handler)
		r.GET("/require", ginmw.Optional(g), ginmw.Require(g, core.Scopes("admin")), handler)
	})
	conformance.RunRefusalStopsTheChain(t, url, &reached)
}
