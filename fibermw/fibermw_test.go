package fibermw_test

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/valyala/fasthttp"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/fibermw"
	"github.com/tokengate/tokengate/internal/conformance"
	"github.com/tokengate/tokengate/internal/testutil"
)

func newApp() *fiber.App {
	return fiber.New(fiber.Config{DisableStartupMessage: true})
}

func echo(c *fiber.Ctx) error {
	p, _ := fibermw.Principal(c)
	return c.JSON(conformance.Echo(p))
}

func TestMiddleware(t *testing.T) {
	conformance.RunMiddleware(t, func(t *testing.T, g *core.Guard) string {
		app := newApp()
		app.Get("/required", fibermw.New(g), echo)
		app.Post("/required", fibermw.New(g), echo)
		app.Get("/admin", fibermw.New(g, core.Scopes("admin")), echo)
		app.Get("/ops", fibermw.New(g, core.Roles("ops")), echo)
		group := app.Group("/group", fibermw.New(g))
		group.Get("/admin", fibermw.Require(g, core.Scopes("admin")), echo)
		optional := app.Group("/optional", fibermw.Optional(g))
		optional.Get("", echo)
		optional.Get("/admin", fibermw.Require(g, core.Scopes("admin")), echo)
		app.Get("/skipped", fibermw.New(g, core.Scopes("admin")), echo)
		return testutil.Serve(t, app.Listener, app.Shutdown)
	})
}

func TestRefusalStopsTheChain(t *testing.T) {
	g := conformance.ChainGuard(t)
	var reached atomic.Int64
	handler := func(c *fiber.Ctx) error { reached.Add(1); return nil }
	app := newApp()
	app.Get("/new", fibermw.New(g), handler)
	app.Get("/optional", fibermw.Optional(g), handler)
	app.Get("/require", fibermw.Optional(g), fibermw.Require(g, core.Scopes("admin")), handler)
	url := testutil.Serve(t, app.Listener, app.Shutdown)
	conformance.RunRefusalStopsTheChain(t, url, &reached)
}

// TestPrincipalOutlivesRequestBuffers sends requests with different tokens
// of the same length through one fasthttp.RequestCtx, as fasthttp does on a
// keep-alive connection: each request's header is written over the
// previous one's bytes. The Principals kept from earlier requests, and the
// cache entries behind them, must not change.
func TestPrincipalOutlivesRequestBuffers(t *testing.T) {
	g := conformance.NewGuard(t, core.Config{HMACSecret: testutil.Secret, KeepToken: true})
	var (
		last   *core.Principal
		header string // the Authorization value as fiber handed it out
	)
	app := newApp()
	app.Get("/me", fibermw.New(g), func(c *fiber.Ctx) error {
		last, _ = fibermw.Principal(c)
		header = c.Get("Authorization")
		return nil
	})
	handle := app.Handler()
	var ctx fasthttp.RequestCtx
	send := func(token string) *core.Principal {
		t.Helper()
		ctx.Request.Reset()
		ctx.Response.Reset()
		ctx.Request.Header.SetMethod(http.MethodGet)
		ctx.Request.SetRequestURI("/me")
		ctx.Request.Header.Set("Authorization", "Bearer "+token)
		handle(&ctx)
		if code := ctx.Response.StatusCode(); code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
		return last
	}

	key := testutil.NewKey(t, jwa.HS256, "")
	const n = 50
	tokens := make([]string, n)
	kept := make([]*core.Principal, n)
	var firstHeader string
	for i := range tokens {
		tokens[i] = testutil.Mint(t, key, testutil.Claims(map[string]any{"sub": fmt.Sprintf("user-%03d", i)}), nil)
		kept[i] = send(tokens[i])
		if i == 0 {
			firstHeader = header
		}
	}
	if firstHeader == "Bearer "+tokens[0] {
		t.Fatal("fasthttp did not reuse the header buffer: this test would prove nothing")
	}
	for i, p := range kept {
		if want := fmt.Sprintf("user-%03d", i); p.Subject != want || p.Token != tokens[i] {
			t.Fatalf("request %d: Principal changed after the buffer was reused: sub %q (want %q), token intact: %v",
				i, p.Subject, want, p.Token == tokens[i])
		}
	}
	// Each token again: a cache hit returns the very same Principal, which
	// proves the cached copy of the token is intact.
	for i, tok := range tokens {
		if p := send(tok); p != kept[i] {
			t.Fatalf("request %d: not served from the cache (sub %q)", i, p.Subject)
		}
	}
}
