package redisstore_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/core/issuer/redisstore"
	"github.com/tokengate/tokengate/internal/testutil"
)

// walk takes Issuers on store through everything that writes to it: a
// sign-in and its rotation with a handoff, a reference token's
// revocation, a reuse, a JWT's revocation, a logout, API tokens minted,
// revoked and listed.
func walk(t *testing.T, store issuer.Store, clock *testutil.Clock) {
	t.Helper()
	newIssuer := func(format issuer.TokenFormat) *issuer.Issuer {
		iss, err := issuer.New(issuer.Config{URL: "https://sts.example", HMACSecret: testutil.Secret,
			AccessTokenFormat: format, RefreshGrace: time.Minute, Store: store, Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		return iss
	}
	ref, jwt := newIssuer(issuer.FormatReference), newIssuer(issuer.FormatJWT)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	a, err := ref.Login(ctx, issuer.Grant{Subject: "alice"})
	must(err)
	clock.Advance(time.Minute)
	a2, err := ref.Refresh(ctx, a.RefreshToken) // rotation, with a handoff
	must(err)
	must(ref.Revoke(ctx, a2.AccessToken, "access_token")) // a reference token's revocation
	clock.Advance(2 * time.Minute)
	_, err = ref.Refresh(ctx, a.RefreshToken) // reuse: the sign-in is revoked
	if err == nil {
		t.Fatal("reuse accepted")
	}
	b, err := jwt.Login(ctx, issuer.Grant{Subject: "bob"})
	must(err)
	must(jwt.Revoke(ctx, b.AccessToken, "")) // a JWT's revocation: no record, only the id
	must(jwt.Logout(ctx, b.RefreshToken, ""))
	_, _, err = ref.MintAPIToken(ctx, issuer.APITokenRequest{Name: "ci"})
	must(err)
	_, gone, err := ref.MintAPIToken(ctx, issuer.APITokenRequest{Name: "old", Lifetime: time.Hour})
	must(err)
	must(ref.RevokeAPIToken(ctx, gone.ID))
	_, err = ref.APITokens(ctx)
	must(err)
}

// TestEveryKeyHasATTL walks an Issuer through everything that writes to the
// store, then checks that each key it left has a TTL, no longer than the
// longest record's life (an API token's) plus the skew margin: Redis
// evicts whatever has ended, without any scan.
func TestEveryKeyHasATTL(t *testing.T) {
	for _, su := range setups()[:2] { // one server and a cluster
		t.Run(su.name, func(t *testing.T) {
			clock := testutil.NewClock(testutil.Epoch)
			prefix := nextPrefix("ttl")
			walk(t, open(t, su.url(), redisstore.Options{Prefix: prefix, Now: clock.Now}), clock)

			ctx := context.Background()
			client := universal(t, su.url())
			keys := allKeys(t, client, prefix+"*") // a test may scan; the store never does
			longest := issuer.DefaultAPITokenLifetime + time.Minute
			kinds := map[string]bool{}
			for _, k := range keys {
				ttl, err := client.PTTL(ctx, k).Result()
				if err != nil {
					t.Fatal(err)
				}
				if ttl <= 0 || ttl > longest {
					t.Errorf("%s: TTL %v", k, ttl)
				}
				kind, _, _ := strings.Cut(strings.TrimPrefix(k, prefix), ":")
				kinds[kind] = true
			}
			for _, kind := range []string{"s", "r", "t", "i", "x", "api"} {
				if !kinds[kind] {
					t.Errorf("the walk left no %q key: %v", kind, keys)
				}
			}
		})
	}
}

// universal returns a plain go-redis client of a test URL (one server or
// a cluster), closed at the end of the test.
func universal(t *testing.T, url string) redis.UniversalClient {
	t.Helper()
	var c redis.UniversalClient
	if strings.Contains(url, "addr=") {
		o, err := redis.ParseClusterURL(url)
		if err != nil {
			t.Fatal(err)
		}
		c = redis.NewClusterClient(o)
	} else {
		o, err := redis.ParseURL(url)
		if err != nil {
			t.Fatal(err)
		}
		c = redis.NewClient(o)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// allKeys lists the keys matching pattern, on every primary of a cluster.
func allKeys(t *testing.T, c redis.UniversalClient, pattern string) []string {
	t.Helper()
	ctx := context.Background()
	cc, ok := c.(*redis.ClusterClient)
	if !ok {
		keys, err := c.Keys(ctx, pattern).Result()
		if err != nil {
			t.Fatal(err)
		}
		return keys
	}
	var (
		mu  sync.Mutex
		out []string
	)
	err := cc.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
		keys, err := m.Keys(ctx, pattern).Result()
		mu.Lock()
		defer mu.Unlock()
		out = append(out, keys...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
