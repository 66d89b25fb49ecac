package redisstore_test

import (
	"context"
	"testing"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/core/issuer/redisstore"
	"github.com/tokengate/tokengate/internal/testutil"
)

// The request paths that reach the store, against the memory store and
// against Redis on loopback (the shared test server):
//
//	go test -run '^$' -bench . -benchmem ./core/redisstore/

// benchStore returns an empty store of the kind named.
func benchStore(b *testing.B, name string) issuer.Store {
	if name == "memory" {
		return issuer.NewMemoryStore(nil)
	}
	return open(b, "", redisstore.Options{Prefix: "bench:" + b.Name() + ":"})
}

func benchIssuer(b *testing.B, store issuer.Store, format issuer.TokenFormat) *issuer.Issuer {
	iss, err := issuer.New(issuer.Config{URL: "https://sts.example", HMACSecret: testutil.Secret,
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
			iss := benchIssuer(b, benchStore(b, name), issuer.FormatJWT)
			ctx := context.Background()
			tok, err := iss.Login(ctx, issuer.Grant{Subject: "alice", Scopes: []string{"read"}})
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
			iss := benchIssuer(b, benchStore(b, name), issuer.FormatReference)
			g, err := core.New(iss.GuardConfig(core.Config{}))
			if err != nil {
				b.Fatal(err)
			}
			defer g.Close()
			ctx := context.Background()
			tok, err := iss.Login(ctx, issuer.Grant{Subject: "alice", Scopes: []string{"read"}})
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
