package ginmw_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/ginmw"
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

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	handler := func(c *gin.Context) { c.Status(http.StatusNoContent) }
	r.GET("/bare", handler)
	r.GET("/guarded", ginmw.New(g), handler)

	for _, path := range []string{"/bare", "/guarded"} {
		b.Run(path[1:], func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, req) // fills the cache
			if rec.Code != http.StatusNoContent {
				b.Fatalf("status %d", rec.Code)
			}
			b.ReportAllocs()
			for b.Loop() {
				r.ServeHTTP(rec, req)
			}
		})
	}
}
