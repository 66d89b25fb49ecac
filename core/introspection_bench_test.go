package core_test

import (
	"context"
	"testing"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

// Run with:
//
//	go test -run='^$' -bench=Introspection -benchmem ./core/
//
// The miss benchmarks pay for a real HTTP round trip to a loopback
// introspection server, JSON decoding and the claims checks.

func benchIntroGuard(b *testing.B, cacheTTL int) (*testutil.IntrospectionServer, *core.Guard, string) {
	srv := testutil.NewIntrospectionServer(b)
	cfg := core.Config{Introspection: core.IntrospectionConfig{URL: srv.IntrospectionURL()}}
	if cacheTTL < 0 {
		cfg.CacheTTL = -1
	}
	g, err := core.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = g.Close() })
	tok := refToken()
	srv.Activate(tok, testutil.Claims(nil))
	if _, err := g.Validate(context.Background(), tok); err != nil {
		b.Fatal(err)
	}
	return srv, g, tok
}

// BenchmarkIntrospectionCachedHit: a token introspected before.
func BenchmarkIntrospectionCachedHit(b *testing.B) {
	srv, g, tok := benchIntroGuard(b, 0)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Validate(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
	if srv.Calls() != 1 {
		b.Fatalf("%d calls", srv.Calls())
	}
}

// BenchmarkIntrospectionCachedHitParallel: the same under contention.
func BenchmarkIntrospectionCachedHitParallel(b *testing.B) {
	_, g, tok := benchIntroGuard(b, 0)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := g.Validate(ctx, tok); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkIntrospectionMiss: every validation calls the loopback
// endpoint (cache disabled).
func BenchmarkIntrospectionMiss(b *testing.B) {
	srv, g, tok := benchIntroGuard(b, -1)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Validate(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
	if srv.Calls() < 2 {
		b.Fatal("the endpoint was not called")
	}
}
