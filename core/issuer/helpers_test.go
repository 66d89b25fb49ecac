package issuer_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/conformance"
	"github.com/tokengate/tokengate/internal/testutil"
)

const testIssuer = "https://sts.example"

// newIssuer builds an Issuer for tests: issuer testIssuer, the test HMAC
// secret unless other signing material is set, and a clock at
// testutil.Epoch unless cfg has one (returned for advancing).
func newIssuer(t *testing.T, cfg issuer.Config) (*issuer.Issuer, *testutil.Clock) {
	t.Helper()
	clock := testutil.NewClock(testutil.Epoch)
	if cfg.Now == nil {
		cfg.Now = clock.Now
	}
	if cfg.URL == "" {
		cfg.URL = testIssuer
	}
	if cfg.HMACSecret == nil && cfg.SigningKeys == nil && cfg.SecretFile == "" {
		cfg.HMACSecret = testutil.Secret
	}
	iss, err := issuer.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return iss, clock
}

// guardFor returns a Guard that accepts what iss issues.
func guardFor(t *testing.T, iss *issuer.Issuer, base core.Config) *core.Guard {
	t.Helper()
	return conformance.NewGuard(t, iss.GuardConfig(base))
}

// login signs alice in with scopes read and admin.
func login(t *testing.T, iss *issuer.Issuer) *issuer.Tokens {
	t.Helper()
	tok, err := iss.Login(context.Background(), issuer.Grant{Subject: "alice", Scopes: []string{"read", "admin"}})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// payload decodes a JWT's header and claims without verifying it.
func payload(t *testing.T, tok string) (jws.Headers, map[string]any) {
	t.Helper()
	msg, err := jws.Parse([]byte(tok))
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(msg.Payload(), &claims); err != nil {
		t.Fatal(err)
	}
	return msg.Signatures()[0].ProtectedHeaders(), claims
}

// isActive reports whether iss's introspection says tok is active.
func isActive(t *testing.T, iss *issuer.Issuer, tok string) bool {
	t.Helper()
	out, err := iss.Introspect(context.Background(), tok, "")
	if err != nil {
		t.Fatal(err)
	}
	return out["active"] == true
}
