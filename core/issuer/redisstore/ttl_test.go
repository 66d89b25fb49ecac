package redisstore_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/core/issuer/redisstore"
	"github.com/tokengate/tokengate/internal/testutil"
)

// TestEveryKeyHasATTL walks an Issuer through everything that writes to the
// store, then checks that each key it left has a TTL, no longer than the
// longest record's life (an API token's) plus the skew margin: Redis
// evicts whatever has ended, without any scan.
func TestEveryKeyHasATTL(t *testing.T) {
	clock := testutil.NewClock(testutil.Epoch)
	store := open(t, "", redisstore.Options{Prefix: "ttl:", Now: clock.Now})
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

	opts, err := redis.ParseURL(os.Getenv(redisstore.EnvURL))
	must(err)
	client := redis.NewClient(opts)
	defer client.Close()
	keys, err := client.Keys(ctx, "ttl:*").Result() // a test may scan; the store never does
	must(err)
	longest := issuer.DefaultAPITokenLifetime + time.Minute
	kinds := map[string]bool{}
	for _, k := range keys {
		ttl, err := client.PTTL(ctx, k).Result()
		must(err)
		if ttl <= 0 || ttl > longest {
			t.Errorf("%s: TTL %v", k, ttl)
		}
		kind, _, _ := strings.Cut(strings.TrimPrefix(k, "ttl:"), ":")
		kinds[kind] = true
	}
	for _, kind := range []string{"s", "r", "t", "i", "x", "api"} {
		if !kinds[kind] {
			t.Errorf("the walk left no %q key: %v", kind, keys)
		}
	}
}
