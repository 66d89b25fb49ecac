package core_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

func authenticate(g *core.Guard, tok string) error {
	_, err := g.Authenticate(context.Background(), testutil.Bearer(tok))
	return err
}

func TestKeyRotationPicksUpNewKid(t *testing.T) {
	oldKey := testutil.NewKey(t, jwa.RS256, "2026-01")
	newKey := testutil.NewKey(t, jwa.RS256, "2026-02")
	srv := testutil.NewJWKSServer(t, oldKey)
	clock := testutil.NewClock(time.Now())
	g := newGuard(t, core.Config{JWKSURL: srv.JWKSURL(), Issuer: testutil.Issuer, AnyAudience: true, Now: clock.Now})

	if err := authenticate(g, testutil.Mint(t, oldKey, testutil.Claims(nil), nil)); err != nil {
		t.Fatalf("old key: %v", err)
	}
	srv.SetKeys(t, oldKey, newKey) // the provider publishes the new key, then signs with it
	clock.Advance(core.DefaultJWKSMinRefreshInterval)
	if err := authenticate(g, testutil.Mint(t, newKey, testutil.Claims(nil), nil)); err != nil {
		t.Fatalf("new key after rotation: %v", err)
	}
	if err := authenticate(g, testutil.Mint(t, oldKey, testutil.Claims(map[string]any{"sub": "alice2"}), nil)); err != nil {
		t.Fatalf("old key still published: %v", err)
	}
}

func TestJWKSDownAtStartThenUp(t *testing.T) {
	key := testutil.NewKey(t, jwa.ES256, "k1")
	srv := testutil.NewJWKSServer(t, key)
	srv.SetBody(http.StatusServiceUnavailable, []byte("down"))
	clock := testutil.NewClock(time.Now())
	g := newGuard(t, core.Config{JWKSURL: srv.JWKSURL(), Issuer: testutil.Issuer, AnyAudience: true, Now: clock.Now}) // must not fetch
	if srv.Hits() != 0 {
		t.Fatalf("New fetched the key set eagerly (%d hits)", srv.Hits())
	}
	tok := testutil.Mint(t, key, testutil.Claims(nil), nil)
	if err := authenticate(g, tok); !errors.Is(err, core.ErrUnavailable) {
		t.Fatalf("JWKS down: want ErrUnavailable, got %v", err)
	}
	srv.SetKeys(t, key)
	if err := authenticate(g, tok); !errors.Is(err, core.ErrUnavailable) {
		t.Fatalf("within the min refresh interval: want ErrUnavailable, got %v", err)
	}
	clock.Advance(core.DefaultJWKSMinRefreshInterval)
	if err := authenticate(g, tok); err != nil {
		t.Fatalf("JWKS up again: %v", err)
	}
}

func TestUnreachableJWKSIsUnavailable(t *testing.T) {
	srv := testutil.NewJWKSServer(t)
	url := srv.JWKSURL()
	srv.Close()
	g := newGuard(t, core.Config{JWKSURL: url, Issuer: testutil.Issuer, AnyAudience: true, Timeout: time.Second})
	key := testutil.NewKey(t, jwa.RS256, "k1")
	err := authenticate(g, testutil.Mint(t, key, testutil.Claims(nil), nil))
	if !errors.Is(err, core.ErrUnavailable) {
		t.Fatalf("want ErrUnavailable, got %v", err)
	}
	if rej := g.Reject(err); rej.Status != http.StatusServiceUnavailable || rej.WWWAuthenticate != "" {
		t.Fatalf("rejection = %d %q", rej.Status, rej.WWWAuthenticate)
	}
}

func TestFailedRefreshKeepsLastGoodKeys(t *testing.T) {
	key := testutil.NewKey(t, jwa.RS256, "k1")
	srv := testutil.NewJWKSServer(t, key)
	clock := testutil.NewClock(time.Now())
	g := newGuard(t, core.Config{JWKSURL: srv.JWKSURL(), Issuer: testutil.Issuer, AnyAudience: true, Now: clock.Now, CacheTTL: -1})
	if err := authenticate(g, testutil.Mint(t, key, testutil.Claims(nil), nil)); err != nil {
		t.Fatal(err)
	}
	srv.SetBody(http.StatusInternalServerError, []byte("oops"))
	clock.Advance(time.Hour)
	// An unknown kid forces a refresh, which fails...
	unknown := testutil.NewKey(t, jwa.RS256, "k2")
	if err := authenticate(g, testutil.Mint(t, unknown, testutil.Claims(nil), nil)); !errors.Is(err, core.ErrUnknownKey) {
		t.Fatalf("unknown kid with a good set cached: want ErrUnknownKey, got %v", err)
	}
	// ...and the known key keeps working.
	if err := authenticate(g, testutil.Mint(t, key, testutil.Claims(nil), nil)); err != nil {
		t.Fatalf("known key after failed refresh: %v", err)
	}
}

func TestKidFloodIsRateLimited(t *testing.T) {
	key := testutil.NewKey(t, jwa.RS256, "k1")
	srv := testutil.NewJWKSServer(t, key)
	g := newGuard(t, core.Config{JWKSURL: srv.JWKSURL(), Issuer: testutil.Issuer, AnyAudience: true, JWKSMinRefreshInterval: time.Hour})
	if err := authenticate(g, testutil.Mint(t, key, testutil.Claims(nil), nil)); err != nil {
		t.Fatal(err)
	}
	before := srv.Hits()
	attacker := testutil.NewKey(t, jwa.RS256, "")
	var wg sync.WaitGroup
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			kid := fmt.Sprintf("random-%d", i)
			tok := testutil.Mint(t, testutil.WithKid(t, attacker, kid), testutil.Claims(nil), nil)
			if err := authenticate(g, tok); !errors.Is(err, core.ErrUnknownKey) {
				t.Errorf("want ErrUnknownKey, got %v", err)
			}
		}(i)
	}
	wg.Wait()
	if got := srv.Hits() - before; got > 1 {
		t.Fatalf("200 unknown kids caused %d JWKS fetches, want at most 1", got)
	}
}
