package core_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"golang.org/x/sys/unix"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/dpop"
	"github.com/tokengate/tokengate/internal/testutil"
)

// dpopBench is a client key, a token bound to it that the Guard has
// cached, and n proofs of that key for GET https://api.example/me, each
// with its own jti, as a client sends them.
type dpopBench struct {
	client testutil.Key
	token  string
	proofs []string
}

func newDPoPBench(b *testing.B, signer testutil.Key, n int) dpopBench {
	d := dpopBench{client: testutil.NewKey(b, jwa.ES256, "")}
	d.token = testutil.Mint(b, signer, testutil.Bound(b, d.client, nil), nil)
	now := time.Now()
	d.proofs = make([]string, n)
	for i := range d.proofs {
		d.proofs[i] = testutil.Proof(b, d.client, testutil.ProofClaims("GET", dpopURL, d.token, now, nil), nil)
	}
	return d
}

// BenchmarkDPoPAuthenticate is a request with a DPoP-bound token seen
// before: the token costs a cache hit, the proof its checks, one ES256
// signature verification and the replay-cache insert. Compare with
// BenchmarkDPoPBaseline.
func BenchmarkDPoPAuthenticate(b *testing.B) {
	signer := testutil.NewKey(b, jwa.RS256, "")
	ctx := context.Background()
	b.Run("ES256", func(b *testing.B) {
		g, err := core.New(core.Config{PublicKeysPEM: testutil.PublicPEM(b, signer)})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = g.Close() })
		d := newDPoPBench(b, signer, b.N+1)
		reqs := make([]testutil.Request, len(d.proofs))
		for i, p := range d.proofs {
			reqs[i] = dpopRequest(d.token, p)
		}
		if _, err := g.Authenticate(ctx, reqs[b.N]); err != nil { // caches the token
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := g.Authenticate(ctx, reqs[i]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDPoPBaseline is the least a proof check can cost: a bare jwx
// ES256 verification of each proof plus the replay-cache insert, with the
// proof parsed by jws.Verify ("jws.Verify") or the key and the signing
// input prepared beforehand ("verifier").
func BenchmarkDPoPBaseline(b *testing.B) {
	signer := testutil.NewKey(b, jwa.RS256, "")
	ctx := context.Background()
	var raw any
	b.Run("jws.Verify", func(b *testing.B) {
		d := newDPoPBench(b, signer, b.N)
		if err := d.client.Public(b).Raw(&raw); err != nil {
			b.Fatal(err)
		}
		cache := dpop.NewMemoryReplayCache(core.DefaultDPoPReplayMaxEntries)
		keys := replayKeys(b.N)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := jws.Verify([]byte(d.proofs[i]), jws.WithKey(jwa.ES256, raw)); err != nil {
				b.Fatal(err)
			}
			if first, err := cache.FirstUse(ctx, keys[i], time.Minute); !first || err != nil {
				b.Fatal("replay cache refused", err)
			}
		}
	})
	b.Run("verifier", func(b *testing.B) {
		d := newDPoPBench(b, signer, b.N)
		if err := d.client.Public(b).Raw(&raw); err != nil {
			b.Fatal(err)
		}
		v, err := jws.NewVerifier(jwa.ES256)
		if err != nil {
			b.Fatal(err)
		}
		inputs, sigs := make([][]byte, b.N), make([][]byte, b.N)
		for i, p := range d.proofs {
			m, err := jws.Parse([]byte(p))
			if err != nil {
				b.Fatal(err)
			}
			h, pl, _, _ := jws.SplitCompact([]byte(p))
			inputs[i] = []byte(string(h) + "." + string(pl))
			sigs[i] = m.Signatures()[0].Signature()
		}
		cache := dpop.NewMemoryReplayCache(core.DefaultDPoPReplayMaxEntries)
		keys := replayKeys(b.N)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := v.Verify(inputs[i], sigs[i], raw); err != nil {
				b.Fatal(err)
			}
			if first, err := cache.FirstUse(ctx, keys[i], time.Minute); !first || err != nil {
				b.Fatal("replay cache refused", err)
			}
		}
	})
}

// replayKeys are n distinct keys of the replay cache's length.
func replayKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = testutil.ProofClaims("GET", dpopURL, "", time.Now(), nil)["jti"].(string)[:22]
	}
	return keys
}

// BenchmarkDPoPVersusBaseline measures the DPoP request of
// BenchmarkDPoPAuthenticate and both baselines of BenchmarkDPoPBaseline
// in the same loop, in turn, so that load from elsewhere on the machine
// touches all three alike, and reports each one's wall time and the CPU
// time of the thread that ran it (unaffected by other processes), and
// the ratios of the DPoP request to each baseline.
func BenchmarkDPoPVersusBaseline(b *testing.B) {
	signer := testutil.NewKey(b, jwa.RS256, "")
	ctx := context.Background()
	g, err := core.New(core.Config{PublicKeysPEM: testutil.PublicPEM(b, signer)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = g.Close() })
	d := newDPoPBench(b, signer, 3*b.N+1)
	if _, err := g.Authenticate(ctx, dpopRequest(d.token, d.proofs[3*b.N])); err != nil {
		b.Fatal(err)
	}
	reqs := make([]testutil.Request, b.N)
	for i := range reqs {
		reqs[i] = dpopRequest(d.token, d.proofs[i])
	}
	var raw any
	if err := d.client.Public(b).Raw(&raw); err != nil {
		b.Fatal(err)
	}
	verifier, err := jws.NewVerifier(jwa.ES256)
	if err != nil {
		b.Fatal(err)
	}
	inputs, sigs := make([][]byte, b.N), make([][]byte, b.N)
	for i := range inputs {
		p := d.proofs[b.N+i]
		m, err := jws.Parse([]byte(p))
		if err != nil {
			b.Fatal(err)
		}
		h, pl, _, _ := jws.SplitCompact([]byte(p))
		inputs[i] = []byte(string(h) + "." + string(pl))
		sigs[i] = m.Signatures()[0].Signature()
	}
	compact := make([][]byte, b.N)
	for i := range compact {
		compact[i] = []byte(d.proofs[2*b.N+i])
	}
	cache := dpop.NewMemoryReplayCache(core.DefaultDPoPReplayMaxEntries)
	keys := replayKeys(2 * b.N)

	runs := [3]func(i int){
		func(i int) { // tokengate: a DPoP request, token cached
			if _, err := g.Authenticate(ctx, reqs[i]); err != nil {
				b.Fatal(err)
			}
		},
		func(i int) { // jwx's ES256 verifier and the replay-cache insert
			if err := verifier.Verify(inputs[i], sigs[i], raw); err != nil {
				b.Fatal(err)
			}
			if first, err := cache.FirstUse(ctx, keys[i], time.Minute); !first || err != nil {
				b.Fatal("replay cache refused", err)
			}
		},
		func(i int) { // jws.Verify of the compact proof and the insert
			if _, err := jws.Verify(compact[i], jws.WithKey(jwa.ES256, raw)); err != nil {
				b.Fatal(err)
			}
			if first, err := cache.FirstUse(ctx, keys[b.N+i], time.Minute); !first || err != nil {
				b.Fatal("replay cache refused", err)
			}
		},
	}
	var wall, cpu [3]time.Duration
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := range runs {
			j := (i + k) % len(runs) // each goes first in turn
			w0, c0 := time.Now(), threadCPU(b)
			runs[j](i)
			cpu[j] += threadCPU(b) - c0
			wall[j] += time.Since(w0)
		}
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(wall[0].Nanoseconds())/n, "dpop-ns/op")
	b.ReportMetric(float64(wall[1].Nanoseconds())/n, "verifier-ns/op")
	b.ReportMetric(float64(wall[2].Nanoseconds())/n, "jwsverify-ns/op")
	b.ReportMetric(float64(cpu[0].Nanoseconds())/n, "dpop-cpu-ns/op")
	b.ReportMetric(float64(cpu[1].Nanoseconds())/n, "verifier-cpu-ns/op")
	b.ReportMetric(float64(cpu[2].Nanoseconds())/n, "jwsverify-cpu-ns/op")
	b.ReportMetric(float64(wall[0])/float64(wall[1]), "x-verifier")
	b.ReportMetric(float64(wall[0])/float64(wall[2]), "x-jwsverify")
	b.ReportMetric(float64(cpu[0])/float64(cpu[1]), "cpu-x-verifier")
	b.ReportMetric(float64(cpu[0])/float64(cpu[2]), "cpu-x-jwsverify")
	b.ReportMetric(0, "ns/op") // the sum of all three: not a figure of any
}

// threadCPU is the CPU time the calling OS thread has used.
func threadCPU(b *testing.B) time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ts.Nano())
}
