package redisstore_test

import (
	"context"
	"testing"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/redisstore"
	"github.com/tokengate/tokengate/internal/testutil"
)

// The request paths that reach the store, against the memory store and
// against Redis on loopback (the shared test server):
//
//	go test -run '^$' -bench . -benchmem ./core/redisstore/

// benchStore returns an empty store of the kind named.
func benchStore(b *testing.B, name string) core.Store {
	if name == "memory" {
		return core.NewMemoryStore(nil)
	}
	return open(b, "", redisstore.Options{Prefix: "bench:" + b.Name() + ":"})
}

func benchIssuer(b *testing.B, store core.Store, format core.TokenFormat) *core.Issuer {
	iss, err := core.NewIssuer(core.IssuerConfig{Issuer: "https://sts.example", HMACSecret: testutil.Secret,
		AccessTokenFormat: format, Store: store})
	if err != nil {
		b.Fatal(err)
	}
	return iss
}

// BenchmarkRefresh is one refresh: look the sign-in up, rotate it, sign a
// JWT access token.
func BenchmarkRefresh(b *testing.B) {
	for _, name := range []string{"memory", "redis"} {
		b.Run(name, func(b *testing.B) {
			iss := benchIssuer(b, benchStore(b, name), core.FormatJWT)
			ctx := context.Background()
			tok, err := iss.Login(ctx, core.Grant{Subject: "alice", Scopes: []string{"read"}})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if tok, err = iss.Refresh(ctx, tok.RefreshToken); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkValidateReference is a Guard accepting a reference access
// token: its record and its sign-in read from the store on every use.
func BenchmarkValidateReference(b *testing.B) {
	for _, name := range []string{"memory", "redis"} {
		b.Run(name, func(b *testing.B) {
			iss := benchIssuer(b, benchStore(b, name), core.FormatReference)
			g, err := core.New(iss.GuardConfig(core.Config{}))
			if err != nil {
				b.Fatal(err)
			}
			defer g.Close()
			ctx := context.Background()
			tok, err := iss.Login(ctx, core.Grant{Subject: "alice", Scopes: []string{"read"}})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := g.Validate(ctx, tok.AccessToken); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
