package dpop_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/tokengate/tokengate/internal"
	"github.com/tokengate/tokengate/internal/dpop"
	"github.com/tokengate/tokengate/internal/testutil"
)

func newVerifier(t *testing.T) *dpop.Verifier {
	v, err := dpop.New(dpop.Config{Algorithms: dpop.DefaultAlgorithms, MaxAge: time.Minute, Leeway: 5 * time.Second, Replay: dpop.NewMemoryReplayCache(100)})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

var api = dpop.URL{Scheme: "https", Host: "api.example", Path: "/token"}

// TestTokenRequestProof: at the token endpoint there is no access token,
// so no ath and no binding to check; the proof's thumbprint is returned.
func TestTokenRequestProof(t *testing.T) {
	v := newVerifier(t)
	k := testutil.NewKey(t, jwa.ES256, "")
	now := time.Now()
	proof := testutil.Proof(t, k, testutil.ProofClaims("POST", "https://api.example/token", "", now, nil), nil)
	p, err := v.Verify(context.Background(), &dpop.Request{Proofs: []string{proof}, Method: "POST", URL: api}, now)
	if err != nil {
		t.Fatal(err)
	}
	if p.JKT != testutil.JKT(t, k) {
		t.Fatalf("JKT %q, want %q", p.JKT, testutil.JKT(t, k))
	}
	if dpop.ATH("abc") != "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0" {
		t.Fatalf("ATH = %q", dpop.ATH("abc"))
	}
}

// TestOnlyVerifiedHeadersAreCached: a forged proof leaves no header in
// the cache; a valid one does, once for every proof of its key.
func TestOnlyVerifiedHeadersAreCached(t *testing.T) {
	v := newVerifier(t)
	k, other := testutil.NewKey(t, jwa.ES256, ""), testutil.NewKey(t, jwa.ES256, "")
	now := time.Now()
	mint := func(headers map[string]any) string {
		return testutil.Proof(t, k, testutil.ProofClaims("POST", "https://api.example/token", "", now, nil), headers)
	}
	verify := func(proof string) error {
		_, err := v.Verify(context.Background(), &dpop.Request{Proofs: []string{proof}, Method: "POST", URL: api}, now)
		return err
	}
	if err := verify(mint(map[string]any{"jwk": other.Public(t)})); !errors.Is(err, internal.ErrDPoPProof) {
		t.Fatalf("forged: err = %v", err)
	}
	if n := dpop.CachedHeaders(v); n != 0 {
		t.Fatalf("%d headers cached after a forged proof", n)
	}
	for range 3 {
		if err := verify(mint(nil)); err != nil {
			t.Fatal(err)
		}
	}
	if n := dpop.CachedHeaders(v); n != 1 {
		t.Fatalf("%d headers cached for one key", n)
	}
}

func TestVerifierConfig(t *testing.T) {
	replay := dpop.NewMemoryReplayCache(1)
	for name, c := range map[string]dpop.Config{
		"no algorithm":    {Replay: replay},
		"HMAC":            {Algorithms: []jwa.SignatureAlgorithm{jwa.HS256}, Replay: replay},
		"no replay cache": {Algorithms: dpop.DefaultAlgorithms},
	} {
		if _, err := dpop.New(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
