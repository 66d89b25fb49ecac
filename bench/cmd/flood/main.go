// Command flood measures what floods of distinct tokens cost a Guard with
// its defaults, in one process on loopback:
//
//   - jwt: 100,000 distinct valid HS256 JWTs of about 2.8 KB, each seen
//     once: the growth of the live heap (after a full collection, every
//     10,000 tokens) and the process's peak RSS;
//   - introspection: 100,000 random 8 KB opaque tokens that a loopback
//     introspection endpoint calls inactive (heap and RSS as above); then
//     50 requests of one valid token, counting the endpoint's calls (is
//     the valid user still cached?); then 1,000 concurrent distinct tokens
//     against the endpoint slowed to 500 ms, counting its calls, the most
//     in flight at once and the requests answered unavailable.
//
// Run each mode in a process of its own, so that one's heap does not
// count in the other's:
//
//	go run ./cmd/flood -mode jwt
//	go run ./cmd/flood -mode introspection
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/tokengate/tokengate/core"
)

const (
	flood = 100_000
	every = 10_000
)

func main() {
	mode := flag.String("mode", "jwt", "jwt or introspection")
	flag.Parse()
	switch *mode {
	case "jwt":
		floodJWTs()
	case "introspection":
		floodIntrospection()
	default:
		log.Fatalf("-mode %q: want jwt or introspection", *mode)
	}
}

// liveHeap is the heap in use by live objects after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// peakRSS is the process's peak resident set (VmHWM), as Linux reports it.
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// heapWatch records the largest growth of the live heap over its start.
type heapWatch struct{ base, peak uint64 }

func newHeapWatch() *heapWatch { return &heapWatch{base: liveHeap()} }

func (w *heapWatch) sample() {
	if h := liveHeap(); h > w.base && h-w.base > w.peak {
		w.peak = h - w.base
	}
}

func (w *heapWatch) String() string {
	return fmt.Sprintf("live heap grew by at most %.1f MiB, peak RSS %s", float64(w.peak)/(1<<20), peakRSS())
}

func floodJWTs() {
	secret := randomBytes(32)
	g, err := core.New(core.Config{HMACSecret: secret})
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close()
	pad := strings.Repeat("p", 2000)
	exp := time.Now().Add(time.Hour).Unix()
	w := newHeapWatch()
	size := 0
	for i := range flood {
		claims, _ := json.Marshal(map[string]any{"sub": "user-" + strconv.Itoa(i), "exp": exp, "pad": pad})
		tok, err := jws.Sign(claims, jws.WithKey(jwa.HS256, secret))
		if err != nil {
			log.Fatal(err)
		}
		size = len(tok)
		if _, err := g.Validate(context.Background(), string(tok)); err != nil {
			log.Fatalf("token %d: %v", i, err)
		}
		if (i+1)%every == 0 {
			w.sample()
		}
	}
	fmt.Printf("%d distinct valid JWTs of %d bytes: %v\n", flood, size, w)
}

// endpoint is a loopback introspection endpoint: one token is active,
// every other inactive; it counts its calls and the most in flight.
type endpoint struct {
	valid                    string
	delay                    atomic.Int64
	calls, inflight, maxSeen atomic.Int64
}

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.calls.Add(1)
	n := e.inflight.Add(1)
	defer e.inflight.Add(-1)
	for {
		if m := e.maxSeen.Load(); n <= m || e.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	select {
	case <-time.After(time.Duration(e.delay.Load())):
	case <-r.Context().Done():
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if r.PostFormValue("token") == e.valid {
		fmt.Fprintf(w, `{"active":true,"sub":"alice","exp":%d}`, time.Now().Add(time.Hour).Unix())
		return
	}
	_, _ = w.Write([]byte(`{"active":false}`))
}

func floodIntrospection() {
	ep := &endpoint{valid: randomToken(64)}
	srv := httptest.NewServer(ep)
	defer srv.Close()
	g, err := core.New(core.Config{Introspection: core.IntrospectionConfig{
		URL: srv.URL, ClientID: "rs", ClientSecret: randomToken(32)}})
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close()
	ctx := context.Background()

	w := newHeapWatch()
	for i := range flood {
		_, _ = g.Validate(ctx, randomToken(8192))
		if (i+1)%every == 0 {
			w.sample()
		}
	}
	fmt.Printf("%d random 8 KB tokens, inactive: %v\n", flood, w)

	ep.calls.Store(0)
	for range 50 {
		if _, err := g.Validate(ctx, ep.valid); err != nil {
			log.Fatalf("the valid token after the flood: %v", err)
		}
	}
	fmt.Printf("then 50 requests of one valid token: calls to the endpoint: %d\n", ep.calls.Load())

	ep.delay.Store(int64(500 * time.Millisecond))
	ep.calls.Store(0)
	ep.maxSeen.Store(0)
	var wg sync.WaitGroup
	var unavailable atomic.Int64
	began := time.Now()
	for range 1000 {
		wg.Go(func() {
			if _, err := g.Validate(ctx, randomToken(100)); errors.Is(err, core.ErrUnavailable) {
				unavailable.Add(1)
			}
		})
	}
	wg.Wait()
	fmt.Printf("then 1,000 concurrent distinct tokens, endpoint at 500 ms: %d calls, at most %d in flight, %d answered unavailable, %v\n",
		ep.calls.Load(), ep.maxSeen.Load(), unavailable.Load(), time.Since(began).Round(100*time.Millisecond))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// randomToken is n characters of base64url.
func randomToken(n int) string {
	return base64.RawURLEncoding.EncodeToString(randomBytes(n * 3 / 4))[:n]
}
