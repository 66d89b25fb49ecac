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

func TestKidFloodCostsAFewFetches(t *testing.T) {
	for _, concurrent := range []bool{false, true} {
		t.Run(fmt.Sprintf("concurrent=%v", concurrent), func(t *testing.T) {
			key := testutil.NewKey(t, jwa.RS256, "k1")
			srv := testutil.NewJWKSServer(t, key)
			g := newGuard(t, core.Config{JWKSURL: srv.JWKSURL(), Issuer: testutil.Issuer, AnyAudience: true, Now: testutil.NewClock(time.Now()).Now})
			if err := authenticate(g, testutil.Mint(t, key, testutil.Claims(nil), nil)); err != nil {
				t.Fatal(err)
			}
			before := srv.Hits()
			attacker := testutil.NewKey(t, jwa.RS256, "")
			var wg sync.WaitGroup
			for i := range 60 {
				try := func() {
					tok := testutil.Mint(t, testutil.WithKid(t, attacker, fmt.Sprintf("random-%d", i)), testutil.Claims(nil), nil)
					if err := authenticate(g, tok); !errors.Is(err, core.ErrUnknownKey) {
						t.Errorf("want ErrUnknownKey, got %v", err)
					}
				}
				if concurrent {
					wg.Go(try)
				} else {
					try()
				}
			}
			wg.Wait()
			if got := srv.Hits() - before; got > core.KidRefreshBurst || got > 5 {
				t.Fatalf("60 unknown kids caused %d JWKS fetches, want at most %d", got, core.KidRefreshBurst)
			}
		})
	}
}

// rotationProvider is a provider that signs with its first key, as seen
// by a discovered Guard on a test clock, after a first token went through.
func rotationProvider(t *testing.T) (p *testutil.Provider, oldKey testutil.Key, g *core.Guard, clock *testutil.Clock) {
	t.Helper()
	oldKey = testutil.NewKey(t, jwa.RS256, "2026-01")
	p = testutil.NewProvider(t, oldKey)
	g, clock = discoveredGuard(t, p, nil)
	if _, err := auth(g, mintFor(t, oldKey, p.Issuer(""), nil)); err != nil {
		t.Fatal(err)
	}
	return p, oldKey, g, clock
}

// unknownKids presents n tokens of p's issuer signed with kids p never
// published.
func unknownKids(t *testing.T, g *core.Guard, p *testutil.Provider, n int) {
	t.Helper()
	attacker := testutil.NewKey(t, jwa.RS256, "")
	for i := range n {
		tok := mintFor(t, testutil.WithKid(t, attacker, fmt.Sprintf("garbage-%d", i)), p.Issuer(""), nil)
		if _, err := auth(g, tok); !errors.Is(err, core.ErrUnknownKey) {
			t.Fatalf("garbage kid: want ErrUnknownKey, got %v", err)
		}
	}
}

func TestNewKeyIsUsedOnFirstSightAfterAFewUnknownKids(t *testing.T) {
	p, oldKey, g, _ := rotationProvider(t)
	unknownKids(t, g, p, core.KidRefreshBurst-1)
	// The provider adds a key and signs with it at once.
	newKey := testutil.NewKey(t, jwa.RS256, "2026-02")
	p.SetKeys(t, oldKey, newKey)
	if _, err := auth(g, mintFor(t, newKey, p.Issuer(""), nil)); err != nil {
		t.Fatalf("first token of the new key: %v", err)
	}
	if _, err := auth(g, mintFor(t, oldKey, p.Issuer(""), map[string]any{"sub": "bob"})); err != nil {
		t.Fatalf("old key, still published: %v", err)
	}
}

func TestKidFloodThenRealRotation(t *testing.T) {
	p, oldKey, g, clock := rotationProvider(t)
	before := p.Hits("/jwks.json")
	unknownKids(t, g, p, 60)
	if got := p.Hits("/jwks.json") - before; got > 5 {
		t.Fatalf("60 unknown kids caused %d fetches", got)
	}
	newKey := testutil.NewKey(t, jwa.RS256, "2026-02")
	p.SetKeys(t, oldKey, newKey)
	fresh := mintFor(t, newKey, p.Issuer(""), nil)
	// The bucket is empty: refused at once, without a fetch or a wait...
	hits := p.TotalHits()
	if _, err := auth(g, fresh); !errors.Is(err, core.ErrUnknownKey) {
		t.Fatalf("bucket empty: want ErrUnknownKey, got %v", err)
	}
	if p.TotalHits() != hits {
		t.Fatal("fetched with an empty bucket")
	}
	// ...and one interval later the new key is picked up on first sight.
	clock.Advance(core.DefaultJWKSMinRefreshInterval)
	if _, err := auth(g, fresh); err != nil {
		t.Fatalf("new key one interval after the flood: %v", err)
	}
	if _, err := auth(g, mintFor(t, oldKey, p.Issuer(""), map[string]any{"sub": "bob"})); err != nil {
		t.Fatalf("old key: %v", err)
	}
}
