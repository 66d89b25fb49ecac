package bench

import (
	"net/http"
	"testing"

	jwtware "github.com/gofiber/contrib/jwt"
	"github.com/gofiber/fiber/v2"
	gjwt "github.com/golang-jwt/jwt/v5"
	"github.com/valyala/fasthttp"

	"github.com/tokengate/tokengate/bench/internal/fixture"
	"github.com/tokengate/tokengate/fibermw"
)

// contribJWT is gofiber/contrib/jwt's middleware for f's key. It checks
// the algorithm, the signature and exp/nbf; it has no issuer or audience
// option, so its SuccessHandler does that check.
func contribJWT(f *fixture.Fixture) fiber.Handler {
	return jwtware.New(jwtware.Config{
		SigningKey: jwtware.SigningKey{JWTAlg: f.Alg, Key: f.Verify},
		SuccessHandler: func(c *fiber.Ctx) error {
			tok, _ := c.Locals("user").(*gjwt.Token)
			if claims, ok := tok.Claims.(gjwt.MapClaims); !ok || !issAudOK(claims) {
				return c.SendStatus(http.StatusUnauthorized)
			}
			return c.Next()
		},
	})
}

// fiberApp serves noContent on /bare and, behind mw, on /me, and returns
// fiber's fasthttp handler, so that requests skip the network.
func fiberApp(mw fiber.Handler) fasthttp.RequestHandler {
	app := fiber.New(fiber.Config{DisableStartupMessage: true, ReadBufferSize: 16 << 10})
	handler := func(c *fiber.Ctx) error { return c.SendStatus(http.StatusNoContent) }
	app.Get("/bare", handler)
	if mw != nil {
		app.Get("/me", mw, handler)
	}
	return app.Handler()
}

// BenchmarkFiber: a token seen before, first-seen tokens, and the same
// route without middleware, on fiber.
func BenchmarkFiber(b *testing.B) {
	b.Run("route=bare", func(b *testing.B) {
		benchFiber(b, fiberApp(nil), "/bare", fixtures(b)[0].Token)
	})
	for _, f := range fixtures(b) {
		impls := []struct {
			name string
			mw   func(cache bool) fiber.Handler
		}{
			{"tokengate", func(cache bool) fiber.Handler { return fibermw.New(newGuard(b, f, cache)) }},
			{"contrib-jwt", func(bool) fiber.Handler { return contribJWT(f) }},
		}
		for _, impl := range impls {
			b.Run("alg="+f.Alg+"/case=seen/impl="+impl.name, func(b *testing.B) {
				benchFiber(b, fiberApp(impl.mw(true)), "/me", f.Token)
			})
		}
		for _, impl := range impls {
			b.Run("alg="+f.Alg+"/case=first/impl="+impl.name, func(b *testing.B) {
				benchFiber(b, fiberApp(impl.mw(false)), "/me", pool(b, f)...)
			})
		}
	}
}

// benchFiber sends requests for path carrying toks to h: the one token on
// every request, or several in turn.
func benchFiber(b *testing.B, h fasthttp.RequestHandler, path string, toks ...string) {
	headers := make([]string, len(toks))
	for i, tok := range toks {
		headers[i] = "Bearer " + tok
	}
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod(http.MethodGet)
	ctx.Request.SetRequestURI(path)
	serve := func(i int) {
		ctx.Request.Header.Set("Authorization", headers[i])
		ctx.Response.Reset()
		h(&ctx)
		if code := ctx.Response.StatusCode(); code != http.StatusNoContent {
			b.Fatalf("status %d", code)
		}
	}
	if len(toks) == 1 {
		steady(b, func() { serve(0) })
		return
	}
	firstSeen(b, len(toks), once(serve))
}
