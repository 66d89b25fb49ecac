package core_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

var benchAlgs = []jwa.SignatureAlgorithm{jwa.HS256, jwa.RS256, jwa.ES256, jwa.EdDSA}

// benchGuard returns a Guard that trusts k, caching results or not, and a
// token of about 1 KiB.
func benchGuard(b *testing.B, k testutil.Key, cached bool) (*core.Guard, string) {
	cfg := core.Config{}
	if !cached {
		cfg.CacheTTL = -1
	}
	if k.Alg == jwa.HS256 {
		cfg.HMACSecret = testutil.Secret
	} else {
		cfg.PublicKeysPEM = testutil.PublicPEM(b, k)
	}
	g, err := core.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = g.Close() })
	tok := testutil.Mint(b, k, testutil.Claims(map[string]any{"pad": strings.Repeat("x", 600)}), nil)
	return g, tok
}

// BenchmarkValidateCached is the hot path: a token seen before.
func BenchmarkValidateCached(b *testing.B) {
	for _, alg := range benchAlgs {
		b.Run(alg.String(), func(b *testing.B) {
			g, tok := benchGuard(b, testutil.NewKey(b, alg, ""), true)
			req := testutil.Bearer(tok)
			ctx := context.Background()
			if _, err := g.Authenticate(ctx, req); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := g.Validate(ctx, tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAuthenticateCached is the hot path as an adapter takes it: a
// request whose token was seen before, through Authenticate.
func BenchmarkAuthenticateCached(b *testing.B) {
	benchAuthenticateCached(b, core.Config{})
}

// benchAuthenticateCached runs BenchmarkAuthenticateCached on a Guard built
// from base, for each algorithm.
func benchAuthenticateCached(b *testing.B, base core.Config) {
	for _, alg := range benchAlgs {
		b.Run(alg.String(), func(b *testing.B) {
			k := testutil.NewKey(b, alg, "")
			cfg := base
			if k.Alg == jwa.HS256 {
				cfg.HMACSecret = testutil.Secret
			} else {
				cfg.PublicKeysPEM = testutil.PublicPEM(b, k)
			}
			g, err := core.New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = g.Close() })
			var req core.Request = testutil.Bearer(testutil.Mint(b, k, testutil.Claims(map[string]any{"pad": strings.Repeat("x", 600)}), nil))
			ctx := context.Background()
			if _, err := g.Authenticate(ctx, req); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := g.Authenticate(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkValidateFirstSeen validates a token never seen before: signature
// and claims every time (the cache is off).
func BenchmarkValidateFirstSeen(b *testing.B) {
	for _, alg := range benchAlgs {
		b.Run(alg.String(), func(b *testing.B) {
			g, tok := benchGuard(b, testutil.NewKey(b, alg, ""), false)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := g.Validate(ctx, tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// issuersGuard returns a Guard trusting n issuers, each with its own RS256
// key, caching results or not, and a token of about 1 KiB from the last
// of them.
func issuersGuard(b *testing.B, n int, cached bool) (*core.Guard, string) {
	cfg := core.Config{Audience: []string{"api"}}
	if !cached {
		cfg.CacheTTL = -1
	}
	var key testutil.Key
	for i := range n {
		key = testutil.NewKey(b, jwa.RS256, fmt.Sprintf("k%d", i))
		set := jwk.NewSet()
		_ = set.AddKey(key.Public(b))
		cfg.Issuers = append(cfg.Issuers, core.IssuerConfig{URL: fmt.Sprintf("https://tenant-%d.example", i), Keys: set})
	}
	g, err := core.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = g.Close() })
	tok := testutil.Mint(b, key, testutil.Claims(map[string]any{
		"iss": cfg.Issuers[n-1].URL, "aud": "api", "pad": strings.Repeat("x", 560),
	}), nil)
	return g, tok
}

// BenchmarkValidateCachedIssuers is the hot path with one and with ten
// trusted issuers: a token seen before never looks at the issuers again.
func BenchmarkValidateCachedIssuers(b *testing.B) {
	for _, n := range []int{1, 10} {
		b.Run(fmt.Sprintf("issuers=%d", n), func(b *testing.B) {
			g, tok := issuersGuard(b, n, true)
			ctx := context.Background()
			if _, err := g.Authenticate(ctx, testutil.Bearer(tok)); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := g.Validate(ctx, tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkValidateFirstSeenIssuers validates an RS256 token never seen
// before, its iss picking its key set among one or ten issuers.
func BenchmarkValidateFirstSeenIssuers(b *testing.B) {
	for _, n := range []int{1, 10} {
		b.Run(fmt.Sprintf("issuers=%d", n), func(b *testing.B) {
			g, tok := issuersGuard(b, n, false)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := g.Validate(ctx, tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
