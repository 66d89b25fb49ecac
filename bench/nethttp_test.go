package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2"
	"github.com/auth0/go-jwt-middleware/v2/validator"

	"github.com/tokengate/tokengate/nethttpmw"
)

var noContent = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })

// discard is a ResponseWriter that keeps nothing, so that benchmarks
// measure the middleware, not a recorder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

func auth0Handler(tb testing.TB, f fixture) http.Handler {
	alg := validator.SignatureAlgorithm(f.alg)
	v, err := validator.New(func(context.Context) (any, error) { return f.verify, nil }, alg,
		"https://issuer.example", []string{"api"})
	if err != nil {
		tb.Fatal(err)
	}
	return jwtmiddleware.New(v.ValidateToken).CheckJWT(noContent)
}

// serve runs h for b.N requests carrying tok.
func serve(b *testing.B, h http.Handler, tok string) {
	req := httptest.NewRequest("GET", "/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	w := &discard{h: http.Header{}}
	h.ServeHTTP(w, req)
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		h.ServeHTTP(w, req)
	}
}

// BenchmarkNetHTTP: a token seen before (the steady state of a real app),
// a token never seen (tokengate's cache off, so every request does the full
// work), and the same route without middleware.
func BenchmarkNetHTTP(b *testing.B) {
	for _, f := range fixtures(b) {
		tok := f.mint(b, 0)
		b.Run(f.alg+"/seen/tokengate", func(b *testing.B) {
			serve(b, nethttpmw.New(guardFor(b, f, 0))(noContent), tok)
		})
		b.Run(f.alg+"/seen/auth0", func(b *testing.B) {
			serve(b, auth0Handler(b, f), tok)
		})
		b.Run(f.alg+"/first/tokengate", func(b *testing.B) {
			serve(b, nethttpmw.New(guardFor(b, f, -1))(noContent), tok)
		})
	}
	b.Run("bare", func(b *testing.B) {
		serve(b, noContent, "x")
	})
}
