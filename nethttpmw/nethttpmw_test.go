package nethttpmw_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
	"github.com/tokengate/tokengate/nethttpmw"
)

func newGuard(t testing.TB) *core.Guard {
	g, err := core.New(core.Config{HMACSecret: testutil.Secret})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.Close() })
	return g
}

var echoSub = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	p, ok := nethttpmw.Principal(r)
	if !ok {
		_, _ = io.WriteString(w, "anonymous")
		return
	}
	_, _ = io.WriteString(w, p.Subject)
})

func TestMiddleware(t *testing.T) {
	g := newGuard(t)
	key := testutil.NewKey(t, jwa.HS256, "")
	reader := testutil.Mint(t, key, testutil.Claims(nil), nil)
	admin := testutil.Mint(t, key, testutil.Claims(map[string]any{"scope": "read admin"}), nil)

	mux := http.NewServeMux()
	mux.Handle("/me", nethttpmw.New(g)(echoSub))
	mux.Handle("/admin", nethttpmw.New(g, core.Scopes("admin"))(echoSub))
	mux.Handle("/admin2", nethttpmw.New(g)(nethttpmw.Require(g, core.Scopes("admin"))(echoSub)))
	mux.Handle("/whoami", nethttpmw.Optional(g)(echoSub))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	tests := []struct {
		path, token string
		status      int
		body        string
	}{
		{"/me", reader, 200, "alice"},
		{"/me", "", 401, `"unauthorized"`},
		{"/me", "x.y.z", 401, `"invalid_token"`},
		{"/admin", reader, 403, `"insufficient_scope"`},
		{"/admin", admin, 200, "alice"},
		{"/admin2", reader, 403, `"insufficient_scope"`},
		{"/admin2", admin, 200, "alice"},
		{"/whoami", "", 200, "anonymous"},
		{"/whoami", reader, 200, "alice"},
		{"/whoami", "x.y.z", 401, `"invalid_token"`},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.body, func(t *testing.T) {
			req, _ := http.NewRequest("GET", srv.URL+tt.path, nil)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.status || !strings.Contains(string(body), tt.body) {
				t.Fatalf("got %d %s", res.StatusCode, body)
			}
			if res.StatusCode != 200 {
				if res.Header.Get("Content-Type") != "application/json" || res.Header.Get("WWW-Authenticate") == "" {
					t.Fatalf("headers %v", res.Header)
				}
			}
		})
	}
}

// BenchmarkOverhead compares a route behind the middleware, with a token
// seen before, to the same route without it.
func BenchmarkOverhead(b *testing.B) {
	g := newGuard(b)
	tok := testutil.Mint(b, testutil.NewKey(b, jwa.HS256, ""), testutil.Claims(map[string]any{"pad": strings.Repeat("x", 600)}), nil)
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"bare", ok}, {"tokengate", nethttpmw.New(g)(ok)}} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/me", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			w := &discard{h: http.Header{}}
			bc.h.ServeHTTP(w, req)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				bc.h.ServeHTTP(w, req)
			}
		})
	}
}

// discard is a ResponseWriter that keeps nothing, so the benchmark measures
// the middleware rather than a recorder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}
