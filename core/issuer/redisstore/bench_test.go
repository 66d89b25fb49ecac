package redisstore_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/core/issuer/redisstore"
	"github.com/tokengate/tokengate/internal/testutil"
)

// The request paths that reach the store, against the memory store and
// against the shared Redis setups on loopback: one server, a primary with
// a replica behind Sentinel, a 3-primary cluster, the last two also with
// WAIT for one replica (-wait1):
//
//	go test -run '^$' -bench . -benchmem ./core/issuer/redisstore/

// benchStores are the stores each benchmark compares; wait lists those
// with replicas to WAIT for.
var (
	benchStores = []string{"memory", "single", "sentinel", "cluster"}
	benchWaits  = []string{"sentinel-wait1", "cluster-wait1"}
)

// benchStore returns an empty store of the kind named.
func benchStore(b *testing.B, name string) issuer.Store {
	opts := redisstore.Options{Prefix: nextPrefix("bench")}
	switch name {
	case "memory":
		return issuer.NewMemoryStore(nil)
	case "single":
		return open(b, single.URL(0), opts)
	case "sentinel", "sentinel-wait1", "cluster", "cluster-wait1":
	default:
		b.Fatalf("no store %s", name)
	}
	url := sentinel.URL()
	if name[0] == 'c' {
		url = cluster.URL()
	}
	if name[len(name)-1] == '1' {
		opts.WaitReplicas = 1
	}
	return open(b, url, opts)
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
	for _, name := range append(benchStores, benchWaits...) {
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
	for _, name := range benchStores {
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

// BenchmarkRevokeToken is the store's part of a revocation (a JWT's: the
// revoked id is written), what WAIT adds to every revocation.
func BenchmarkRevokeToken(b *testing.B) {
	for _, name := range append(benchStores[1:], benchWaits...) {
		b.Run(name, func(b *testing.B) {
			store := benchStore(b, name)
			ctx := context.Background()
			until := time.Now().Add(time.Hour)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				if err := store.RevokeToken(ctx, strconv.Itoa(i), until); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
