package redisstore_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/core/issuer/redisstore"
	"github.com/tokengate/tokengate/internal/testutil"
	"github.com/tokengate/tokengate/nethttpmw"
)

// TestFirstUseIsAtomicAndExpires: SET NX on a real Redis, with its
// expiry.
func TestFirstUseIsAtomicAndExpires(t *testing.T) {
	s := open(t, "", redisstore.Options{Prefix: "replay-unit:"})
	ctx := context.Background()
	if first, err := s.FirstUse(ctx, "digest-a", time.Minute); !first || err != nil {
		t.Fatalf("first use: %v %v", first, err)
	}
	if first, err := s.FirstUse(ctx, "digest-a", time.Minute); first || err != nil {
		t.Fatalf("second use: %v %v", first, err)
	}
	if first, err := s.FirstUse(ctx, "digest-b", 50*time.Millisecond); !first || err != nil {
		t.Fatalf("another digest: %v %v", first, err)
	}
	// Redis drops the key at its expiry: wait for that, bounded.
	deadline := time.Now().Add(10 * time.Second)
	for {
		first, err := s.FirstUse(ctx, "digest-b", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if first {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the key did not expire")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// replayFixture is a signing key, a client key and a token bound to it.
type replayFixture struct {
	signer, client testutil.Key
	token          string
}

func newReplayFixture(t *testing.T) replayFixture {
	f := replayFixture{signer: testutil.NewKey(t, jwa.ES256, ""), client: testutil.NewKey(t, jwa.ES256, "")}
	f.token = testutil.Mint(t, f.signer, testutil.Bound(t, f.client, nil), nil)
	return f
}

// instance serves GET /me behind a Guard whose replay cache is replay,
// as one instance of a deployment, and returns its URL.
func (f replayFixture) instance(t *testing.T, replay core.ReplayCache) string {
	g, err := core.New(core.Config{PublicKeysPEM: testutil.PublicPEM(t, f.signer), DPoP: core.DPoPConfig{Replay: replay}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.Close() })
	srv := httptest.NewServer(nethttpmw.New(g)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	t.Cleanup(srv.Close)
	return srv.URL
}

// send sends proof with the token to GET base/me, addressed as the
// deployment's public host, and returns the status and challenge.
func (f replayFixture) send(t *testing.T, base, proof string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/me", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "api.example"
	req.Header.Set("Authorization", "DPoP "+f.token)
	req.Header.Set("DPoP", proof)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	return res.StatusCode, res.Header.Get("WWW-Authenticate")
}

func (f replayFixture) proof(t *testing.T) string {
	return testutil.Proof(t, f.client, testutil.ProofClaims(http.MethodGet, "http://api.example/me", f.token, time.Now(), nil), nil)
}

// TestTwoGuardsShareTheReplayCheck: two Guards, as two instances behind a
// balancer, on one Redis: a proof accepted by one is refused by the other,
// and by itself; a new proof passes at either.
func TestTwoGuardsShareTheReplayCheck(t *testing.T) {
	store := open(t, "", redisstore.Options{Prefix: "replay-guards:"})
	f := newReplayFixture(t)
	a, b := f.instance(t, store), f.instance(t, store)
	proof := f.proof(t)
	const replayed = `DPoP error="invalid_dpop_proof", error_description="DPoP proof replayed", algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512 EdDSA"`
	if status, _ := f.send(t, a, proof); status != http.StatusOK {
		t.Fatalf("first use at A: %d", status)
	}
	if status, challenge := f.send(t, b, proof); status != http.StatusUnauthorized || challenge != replayed {
		t.Fatalf("replay at B: %d %q", status, challenge)
	}
	if status, challenge := f.send(t, a, proof); status != http.StatusUnauthorized || challenge != replayed {
		t.Fatalf("replay at A: %d %q", status, challenge)
	}
	if status, _ := f.send(t, b, f.proof(t)); status != http.StatusOK {
		t.Fatalf("a new proof at B: %d", status)
	}
	// Without the shared store, each instance remembers only its own
	// proofs: the replay at the other one would pass.
	c, d := f.instance(t, nil), f.instance(t, nil)
	local := f.proof(t)
	if s1, _ := f.send(t, c, local); s1 != http.StatusOK {
		t.Fatalf("first use at C: %d", s1)
	}
	if s2, _ := f.send(t, d, local); s2 != http.StatusOK {
		t.Fatalf("in-memory caches are not shared, yet D refused: %d", s2)
	}
}

// TestRedisDownRefusesProofs: without an answer from Redis no proof is
// accepted unrecorded: 503.
func TestRedisDownRefusesProofs(t *testing.T) {
	srv := testutil.StartRedis(t)
	store := open(t, srv.URL(0), redisstore.Options{Prefix: "replay-down:", Timeout: 500 * time.Millisecond})
	f := newReplayFixture(t)
	base := f.instance(t, store)
	if status, _ := f.send(t, base, f.proof(t)); status != http.StatusOK {
		t.Fatalf("Redis up: %d", status)
	}
	srv.Stop(t)
	if _, err := store.FirstUse(context.Background(), "digest", time.Minute); err == nil {
		t.Fatal("a stopped Redis answered")
	}
	if status, challenge := f.send(t, base, f.proof(t)); status != http.StatusServiceUnavailable || challenge != "" {
		t.Fatalf("Redis down: %d %q", status, challenge)
	}
}

// TestGuardConfigSharesTheReplayCheck: a Guard built from the
// GuardConfig of an Issuer on the Redis store checks replays there.
func TestGuardConfigSharesTheReplayCheck(t *testing.T) {
	store := open(t, "", redisstore.Options{Prefix: "replay-config:"})
	iss, err := issuer.New(issuer.Config{URL: "https://sts.example", HMACSecret: testutil.Secret, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	if cfg := iss.GuardConfig(core.Config{}); cfg.DPoP.Replay != store {
		t.Fatalf("DPoP.Replay = %v, want the store", cfg.DPoP.Replay)
	}
	if cfg := issuerOnMemory(t).GuardConfig(core.Config{}); cfg.DPoP.Replay != nil {
		t.Fatal("the memory store has no replay cache, yet one was set")
	}
}

func issuerOnMemory(t *testing.T) *issuer.Issuer {
	iss, err := issuer.New(issuer.Config{URL: "https://sts.example", HMACSecret: testutil.Secret})
	if err != nil {
		t.Fatal(err)
	}
	return iss
}
