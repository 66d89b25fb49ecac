package bench

import (
	"context"
	"net/http"
	"testing"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2"
	"github.com/auth0/go-jwt-middleware/v2/validator"

	"github.com/tokengate/tokengate/bench/internal/fixture"
	"github.com/tokengate/tokengate/nethttpmw"
)

// auth0Handler protects noContent with auth0/go-jwt-middleware, which
// checks the algorithm, the signature, exp/nbf/iat, the issuer and the
// audience.
func auth0Handler(tb testing.TB, f *fixture.Fixture) http.Handler {
	v, err := validator.New(func(context.Context) (any, error) { return f.Verify, nil },
		validator.SignatureAlgorithm(f.Alg), fixture.Issuer, []string{fixture.Audience})
	if err != nil {
		tb.Fatal(err)
	}
	return jwtmiddleware.New(v.ValidateToken).CheckJWT(noContent)
}

// BenchmarkNetHTTP: a token seen before, first-seen tokens, and the same
// route without middleware, on net/http.
func BenchmarkNetHTTP(b *testing.B) {
	b.Run("route=bare", func(b *testing.B) {
		benchHTTP(b, noContent, "/", fixtures(b)[0].Token)
	})
	for _, f := range fixtures(b) {
		impls := []struct {
			name string
			h    func(cache bool) http.Handler
		}{
			{"tokengate", func(cache bool) http.Handler { return nethttpmw.New(newGuard(b, f, cache))(noContent) }},
			{"auth0", func(bool) http.Handler { return auth0Handler(b, f) }},
		}
		for _, impl := range impls {
			b.Run("alg="+f.Alg+"/case=seen/impl="+impl.name, func(b *testing.B) {
				benchHTTP(b, impl.h(true), "/", f.Token)
			})
		}
		for _, impl := range impls {
			b.Run("alg="+f.Alg+"/case=first/impl="+impl.name, func(b *testing.B) {
				benchHTTP(b, impl.h(false), "/", pool(b, f)...)
			})
		}
	}
}
