package echomw_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/echomw"
	"github.com/tokengate/tokengate/internal/conformance"
	"github.com/tokengate/tokengate/internal/testutil"
	"github.com/tokengate/tokengate/nethttpmw"
)

// serve runs the app routes builds on a loopback server.
func serve(t *testing.T, routes func(e *echo.Echo)) string {
	e := echo.New()
	routes(e)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL
}

func echoPrincipal(c echo.Context) error {
	p, _ := echomw.Principal(c)
	return c.JSON(http.StatusOK, conformance.Echo(p))
}

func TestMiddleware(t *testing.T) {
	conformance.RunMiddleware(t, func(t *testing.T, g *core.Guard) string {
		return serve(t, func(e *echo.Echo) {
			e.GET("/required", echoPrincipal, echomw.New(g))
			e.POST("/required", echoPrincipal, echomw.New(g))
			e.GET("/admin", echoPrincipal, echomw.New(g, core.Scopes("admin")))
			e.GET("/ops", echoPrincipal, echomw.New(g, core.Roles("ops")))
			group := e.Group("/group", echomw.New(g))
			group.GET("/admin", echoPrincipal, echomw.Require(g, core.Scopes("admin")))
			optional := e.Group("/optional", echomw.Optional(g))
			optional.GET("", echoPrincipal)
			optional.GET("/admin", echoPrincipal, echomw.Require(g, core.Scopes("admin")))
			e.GET("/skipped", echoPrincipal, echomw.New(g, core.Scopes("admin")))
		})
	})
}

func TestPrincipalIsInTheRequestContext(t *testing.T) {
	g := conformance.NewGuard(t, core.Config{HMACSecret: testutil.Secret})
	var seen atomic.Bool
	url := serve(t, func(e *echo.Echo) {
		e.GET("/", func(c echo.Context) error {
			p, ok := echomw.Principal(c)
			fromRequest, _ := nethttpmw.Principal(c.Request())
			fromContext, _ := core.PrincipalFrom(c.Request().Context())
			seen.Store(ok && p.Subject == "alice" && fromRequest == p && fromContext == p)
			return c.NoContent(http.StatusNoContent)
		}, echomw.New(g))
	})
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+testutil.Mint(t, testutil.NewKey(t, jwa.HS256, ""), testutil.Claims(nil), nil))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent || !seen.Load() {
		t.Fatalf("status %d; Principal the same through echomw, the request and its context: %v", res.StatusCode, seen.Load())
	}
}

func TestRefusalStopsTheChain(t *testing.T) {
	g := conformance.ChainGuard(t)
	var reached atomic.Int64
	handler := func(c echo.Context) error { reached.Add(1); return nil }
	url := serve(t, func(e *echo.Echo) {
		e.GET("/new", handler, echomw.New(g))
		e.GET("/optional", handler, echomw.Optional(g))
		e.GET("/require", handler, echomw.Optional(g), echomw.Require(g, core.Scopes("admin")))
	})
	conformance.RunRefusalStopsTheChain(t, url, &reached)
}
