package fibermw_test

import (
	"net/http"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/valyala/fasthttp"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/fibermw"
	"github.com/tokengate/tokengate/internal/conformance"
	"github.com/tokengate/tokengate/internal/testutil"
)

// BenchmarkMiddleware compares a route behind New, with a token the Guard
// has cached, with the same route without it; both requests carry the
// token. Requests go straight to fiber's fasthttp handler, so the
// difference is the middleware's cost.
func BenchmarkMiddleware(b *testing.B) {
	key := testutil.NewKey(b, jwa.RS256, "")
	g := conformance.NewGuard(b, core.Config{PublicKeysPEM: testutil.PublicPEM(b, key)})
	token := testutil.Mint(b, key, testutil.Claims(nil), nil)

	app := newApp()
	handler := func(c *fiber.Ctx) error { return c.SendStatus(http.StatusNoContent) }
	app.Get("/bare", handler)
	app.Get("/guarded", fibermw.New(g), handler)
	handle := app.Handler()

	for _, path := range []string{"/bare", "/guarded"} {
		b.Run(path[1:], func(b *testing.B) {
			var ctx fasthttp.RequestCtx
			ctx.Request.Header.SetMethod(http.MethodGet)
			ctx.Request.SetRequestURI(path)
			ctx.Request.Header.Set("Authorization", "Bearer "+token)
			handle(&ctx) // fills the cache
			if code := ctx.Response.StatusCode(); code != http.StatusNoContent {
				b.Fatalf("status %d", code)
			}
			b.ReportAllocs()
			for b.Loop() {
				ctx.Response.Reset()
				handle(&ctx)
			}
		})
	}
}
