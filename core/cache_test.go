package core_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

func TestCachedTokenExpiresAtExp(t *testing.T) {
	key := testutil.NewKey(t, jwa.RS256, "k1")
	srv := testutil.NewJWKSServer(t, key)
	start := time.Unix(1_800_000_000, 0)
	clock := testutil.NewClock(start)
	g := newGuard(t, core.Config{JWKSURL: srv.JWKSURL(), Issuer: testutil.Issuer, AnyAudience: true, Leeway: -1, CacheTTL: time.Hour, Now: clock.Now})
	tok := testutil.Mint(t, key, testutil.Claims(map[string]any{"iat": start.Unix(), "nbf": start.Unix(), "exp": start.Unix() + 10}), nil)

	first, err := g.Validate(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(9 * time.Second)
	again, err := g.Validate(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Fatal("second validation did not come from the cache")
	}
	clock.Advance(time.Second) // now == exp
	if _, err := g.Validate(context.Background(), tok); !errors.Is(err, core.ErrTokenExpired) {
		t.Fatalf("at exp: want ErrTokenExpired, got %v", err)
	}
}

func TestCacheTTLBoundsReuse(t *testing.T) {
	key := testutil.NewKey(t, jwa.HS256, "")
	clock := testutil.NewClock(time.Now())
	g := newGuard(t, core.Config{HMACSecret: testutil.Secret, CacheTTL: time.Minute, Now: clock.Now})
	tok := testutil.Mint(t, key, testutil.Claims(nil), nil)
	first, _ := g.Validate(context.Background(), tok)
	clock.Advance(time.Minute)
	second, err := g.Validate(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if first == second {
		t.Fatal("entry outlived CacheTTL")
	}
}

func TestCacheDisabled(t *testing.T) {
	key := testutil.NewKey(t, jwa.HS256, "")
	g := newGuard(t, core.Config{HMACSecret: testutil.Secret, CacheTTL: -1})
	tok := testutil.Mint(t, key, testutil.Claims(nil), nil)
	a, _ := g.Validate(context.Background(), tok)
	b, _ := g.Validate(context.Background(), tok)
	if a == b {
		t.Fatal("result cached with CacheTTL < 0")
	}
}
