package bench

import (
	"net/http"
	"testing"

	ginjwt "github.com/appleboy/gin-jwt/v2"
	"github.com/gin-gonic/gin"
	gjwt4 "github.com/golang-jwt/jwt/v4"

	"github.com/tokengate/tokengate/bench/internal/fixture"
	"github.com/tokengate/tokengate/ginmw"
)

// ginJWT is appleboy/gin-jwt's middleware for f's key. It checks the
// algorithm, the signature and exp/nbf/iat; it has no issuer or audience
// option, so its Authorizator hook does that check.
func ginJWT(tb testing.TB, f *fixture.Fixture) gin.HandlerFunc {
	mw, err := ginjwt.New(&ginjwt.GinJWTMiddleware{
		Realm:            "bench",
		SigningAlgorithm: f.Alg,
		KeyFunc:          func(*gjwt4.Token) (any, error) { return f.Verify, nil },
		ParseOptions:     []gjwt4.ParserOption{gjwt4.WithValidMethods([]string{f.Alg})},
		Authorizator: func(_ any, c *gin.Context) bool {
			return issAudOK(ginjwt.ExtractClaims(c))
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return mw.MiddlewareFunc()
}

// ginRouter serves noContent on /bare and, behind mw, on /me.
func ginRouter(mw gin.HandlerFunc) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	handler := func(c *gin.Context) { c.Status(http.StatusNoContent) }
	r.GET("/bare", handler)
	if mw != nil {
		r.GET("/me", mw, handler)
	}
	return r
}

// BenchmarkGin: a token seen before, first-seen tokens, and the same route
// without middleware, on gin.
func BenchmarkGin(b *testing.B) {
	b.Run("route=bare", func(b *testing.B) {
		benchHTTP(b, ginRouter(nil), "/bare", fixtures(b)[0].Token)
	})
	for _, f := range fixtures(b) {
		impls := []struct {
			name string
			mw   func(cache bool) gin.HandlerFunc
		}{
			{"tokengate", func(cache bool) gin.HandlerFunc { return ginmw.New(newGuard(b, f, cache)) }},
			{"gin-jwt", func(bool) gin.HandlerFunc { return ginJWT(b, f) }},
		}
		for _, impl := range impls {
			b.Run("alg="+f.Alg+"/case=seen/impl="+impl.name, func(b *testing.B) {
				benchHTTP(b, ginRouter(impl.mw(true)), "/me", f.Token)
			})
		}
		for _, impl := range impls {
			b.Run("alg="+f.Alg+"/case=first/impl="+impl.name, func(b *testing.B) {
				benchHTTP(b, ginRouter(impl.mw(false)), "/me", pool(b, f)...)
			})
		}
	}
}
