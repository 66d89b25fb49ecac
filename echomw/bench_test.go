package echomw_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/echomw"
	"github.com/tokengate/tokengate/internal/conformance"
	"github.com/tokengate/tokengate/internal/testutil"
)

// BenchmarkMiddleware compares a route behind New, with a token the Guard
// has cached, with the same route without it; both requests carry the
// token. The difference is the middleware's cost.
func BenchmarkMiddleware(b *testing.B) {
	key := testutil.NewKey(b, jwa.RS256, "")
	g := conformance.NewGuard(b, core.Config{PublicKeysPEM: testutil.PublicPEM(b, key)})
	token := testutil.Mint(b, key, testutil.Claims(nil), nil)

	e := echo.New()
	handler := func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }
	e.GET("/bare", handler)
	e.GET("/guarded", handler, echomw.New(g))

	for _, path := range []string{"/bare", "/guarded"} {
		b.Run(path[1:], func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req) // fills the cache
			if rec.Code != http.StatusNoContent {
				b.Fatalf("status %d", rec.Code)
			}
			b.ReportAllocs()
			for b.Loop() {
				e.ServeHTTP(rec, req)
			}
		})
	}
}
