package bench

import (
	"net/http"
	"sync"
	"testing"

	"github.com/tokengate/tokengate/bench/internal/fixture"
	"github.com/tokengate/tokengate/core"
)

// shared are the keys and tokens of every benchmark in this binary.
var shared = sync.OnceValues(fixture.New)

func fixtures(tb testing.TB) []*fixture.Fixture {
	fs, err := shared()
	if err != nil {
		tb.Fatal(err)
	}
	return fs
}

func pool(tb testing.TB, f *fixture.Fixture) []string {
	p, err := f.Pool()
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// newGuard builds a Guard that trusts f's key and requires the fixtures'
// issuer and audience, with the result cache on (the default) or off.
func newGuard(tb testing.TB, f *fixture.Fixture, cache bool) *core.Guard {
	cfg := core.Config{Issuer: fixture.Issuer, Audience: []string{fixture.Audience}}
	if !cache {
		cfg.CacheTTL = -1
	}
	if f.HMAC() {
		cfg.HMACSecret = []byte(fixture.Secret)
	} else {
		pem, err := f.PublicPEM()
		if err != nil {
			tb.Fatal(err)
		}
		cfg.PublicKeysPEM = pem
	}
	g, err := core.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = g.Close() })
	return g
}

// issAudOK is the issuer and audience check added, in their success
// hooks, to the middlewares that have no option for it.
func issAudOK(claims map[string]any) bool {
	if claims["iss"] != fixture.Issuer {
		return false
	}
	switch aud := claims["aud"].(type) {
	case string:
		return aud == fixture.Audience
	case []any:
		for _, a := range aud {
			if a == fixture.Audience {
				return true
			}
		}
	}
	return false
}

// steady runs op b.N times: the same token on every request, the steady
// state of a real app.
func steady(b *testing.B, op func()) {
	op() // a first request fills any cache
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		op()
	}
}

// firstSeen runs b.N requests that each carry a token the middleware has
// not seen: it cycles through n distinct tokens, and start, called with
// the timer stopped before the first request and whenever the tokens start
// over, returns a fresh op (for tokengate, one with a new Guard, whose
// cache is empty). op gets the index of the token to send.
func firstSeen(b *testing.B, n int, start func() func(i int)) {
	var op func(int)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i % n
		if j == 0 {
			b.StopTimer()
			op = start()
			b.StartTimer()
		}
		op(j)
	}
}

// once returns a start function for firstSeen that always hands out op:
// for middlewares that keep nothing between requests.
func once(op func(i int)) func() func(int) { return func() func(int) { return op } }

// noContent is the route every middleware protects: it answers 204 and
// does nothing else, so that the middleware is what is measured.
var noContent = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })

// recorder is a ResponseWriter that keeps only the status, so that
// benchmarks measure the middleware rather than a recorder.
type recorder struct {
	h    http.Header
	code int
}

func newRecorder() *recorder { return &recorder{h: http.Header{}} }

func (w *recorder) Header() http.Header         { return w.h }
func (w *recorder) Write(p []byte) (int, error) { return len(p), nil }
func (w *recorder) WriteHeader(code int)        { w.code = code }

// expect fails b unless the last answer had status want.
func (w *recorder) expect(b *testing.B, want int) {
	if w.code != want {
		b.Fatalf("status %d, want %d", w.code, want)
	}
}

// bearerRequests returns one GET request for path per token.
func bearerRequests(path string, toks ...string) []*http.Request {
	out := make([]*http.Request, len(toks))
	for i, tok := range toks {
		r, _ := http.NewRequest(http.MethodGet, "http://bench.example"+path, nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		out[i] = r
	}
	return out
}

// benchHTTP sends requests for path carrying toks to h: the one token on
// every request, or several in turn.
func benchHTTP(b *testing.B, h http.Handler, path string, toks ...string) {
	reqs := bearerRequests(path, toks...)
	w := newRecorder()
	serve := func(i int) {
		w.code = 0
		h.ServeHTTP(w, reqs[i])
		w.expect(b, http.StatusNoContent)
	}
	if len(reqs) == 1 {
		steady(b, func() { serve(0) })
		return
	}
	firstSeen(b, len(reqs), once(serve))
}
