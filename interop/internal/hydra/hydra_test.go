package hydra_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/tokengate/tokengate/interop/internal/hydra"
)

func TestBinaryIsRequired(t *testing.T) {
	notExec := filepath.Join(t.TempDir(), "hydra")
	if err := os.WriteFile(notExec, []byte("not a program"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, value string }{
		{"unset", ""},
		{"missing file", filepath.Join(t.TempDir(), "none")},
		{"directory", t.TempDir()},
		{"not executable", notExec},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(hydra.EnvBinary, tc.value)
			if _, err := hydra.Launch(hydra.Options{}); !errors.Is(err, hydra.ErrNoBinary) {
				t.Fatalf("Launch: got %v, want ErrNoBinary", err)
			}
		})
	}
}

func TestInvalidOptionsFailNamingTheField(t *testing.T) {
	for _, tc := range []struct {
		opts  hydra.Options
		field string
	}{
		{hydra.Options{Strategy: "paseto"}, "Options.Strategy"},
		{hydra.Options{Issuer: "not a url"}, "Options.Issuer"},
		{hydra.Options{AccessTokenTTL: -1}, "Options.AccessTokenTTL"},
	} {
		t.Run(tc.field, func(t *testing.T) {
			_, err := hydra.Launch(tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("Launch: got %v, want an error naming %s", err, tc.field)
			}
		})
	}
}

// TestJWTStrategyIssuesVerifiableJWT: the JWT carries the discovery
// document's issuer, the granted scopes in scp and the client's audience,
// and verifies against the published JWK Set.
func TestJWTStrategyIssuesVerifiableJWT(t *testing.T) {
	for _, tc := range []struct {
		name   string
		issuer string // Options.Issuer; empty: the public URL
	}{
		{"issuer is the public URL", ""},
		{"issuer configured", "https://issuer.test/tenant-a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := hydra.Start(t, hydra.Options{Issuer: tc.issuer})
			want := tc.issuer
			if want == "" {
				want = h.PublicURL()
			}
			if h.Issuer() != want {
				t.Fatalf("Issuer() = %q, want %q", h.Issuer(), want)
			}

			doc := discovery(t, h)
			if doc.Issuer != want {
				t.Errorf("discovery issuer = %q, want %q", doc.Issuer, want)
			}
			if doc.JWKSURI != h.JWKSURL() || !strings.HasPrefix(doc.JWKSURI, h.PublicURL()+"/") {
				t.Errorf("discovery jwks_uri = %q, want %q on the public URL", doc.JWKSURI, h.JWKSURL())
			}

			c := h.CreateClient(t, hydra.ClientSpec{Scopes: []string{"read", "write"}, Audience: []string{"api"}})
			tok := h.Token(t, c, "read")
			if !strings.EqualFold(tok.TokenType, "bearer") {
				t.Errorf("token_type = %q, want bearer", tok.TokenType)
			}
			claims, err := jwt.Parse([]byte(tok.AccessToken), jwt.WithKeySet(h.PublicKeys(t)), jwt.WithValidate(true))
			if err != nil {
				t.Fatalf("the access token does not verify against Hydra's JWK Set: %v", err)
			}
			if claims.Issuer() != want {
				t.Errorf("iss = %q, want %q", claims.Issuer(), want)
			}
			if claims.Subject() != c.ID {
				t.Errorf("sub = %q, want the client id %q", claims.Subject(), c.ID)
			}
			if !slices.Equal(claims.Audience(), []string{"api"}) {
				t.Errorf("aud = %q, want [api]", claims.Audience())
			}
			scp, _ := claims.Get("scp")
			if b, _ := json.Marshal(scp); string(b) != `["read"]` {
				t.Errorf("scp = %s, want [\"read\"]", b)
			}
		})
	}
}

// TestOpaqueTokenIsActiveUntilRevoked: an opaque token is active at the
// admin introspection endpoint, and inactive once revoked. A client may ask
// for opaque tokens from a JWT server.
func TestOpaqueTokenIsActiveUntilRevoked(t *testing.T) {
	for _, tc := range []struct {
		name   string
		server hydra.Strategy
		client hydra.Strategy
	}{
		{"opaque server", hydra.Opaque, ""},
		{"opaque client of a JWT server", hydra.JWT, hydra.Opaque},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := hydra.Start(t, hydra.Options{Strategy: tc.server})
			c := h.CreateClient(t, hydra.ClientSpec{Scopes: []string{"read"}, Strategy: tc.client})
			tok := h.Token(t, c, "read")
			if strings.Count(tok.AccessToken, ".") == 2 {
				t.Fatalf("the access token has the shape of a JWT: %d bytes", len(tok.AccessToken))
			}

			got := h.Introspect(t, tok.AccessToken)
			if got["active"] != true || got["client_id"] != c.ID || got["scope"] != "read" || got["iss"] != h.Issuer() {
				t.Fatalf("introspection = %v, want active, client_id %s, scope read, iss %s", got, c.ID, h.Issuer())
			}

			h.Revoke(t, c, tok.AccessToken)
			if got := h.Introspect(t, tok.AccessToken); got["active"] != false {
				t.Fatalf("introspection after revocation = %v, want active false", got)
			}
		})
	}
}

// TestNewSigningKeySignsTheNextToken: Hydra signs with a key added through
// the admin API at once, publishes it beside the old ones, and goes back
// to the newest remaining key when it is deleted.
func TestNewSigningKeySignsTheNextToken(t *testing.T) {
	h := hydra.Start(t, hydra.Options{})
	c := h.CreateClient(t, hydra.ClientSpec{Scopes: []string{"read"}})
	first := h.Token(t, c, "read").AccessToken
	firstKid, _ := header(t, first)

	tokens := map[string]string{firstKid: first}
	var rsa, ec string
	for _, step := range []struct {
		name    string
		change  func()
		kid     *string // the key the next token must be signed with
		alg     string
		deleted *string // a key that must no longer be published
	}{
		{"RS256 key added", func() { rsa = h.AddSigningKey(t, "RS256") }, &rsa, "RS256", nil},
		{"ES256 key added", func() { ec = h.AddSigningKey(t, "ES256") }, &ec, "ES256", nil},
		{"ES256 key deleted", func() { h.DeleteSigningKey(t, ec) }, &rsa, "RS256", &ec},
	} {
		step.change()
		tok := h.Token(t, c, "read").AccessToken
		kid, alg := header(t, tok)
		if kid != *step.kid || alg != step.alg {
			t.Fatalf("%s: next token signed with kid %q %s, want %q %s", step.name, kid, alg, *step.kid, step.alg)
		}
		tokens[kid] = tok
		keys := h.PublicKeys(t)
		for kid, tok := range tokens {
			if step.deleted != nil && kid == *step.deleted {
				if _, ok := keys.LookupKeyID(kid); ok {
					t.Fatalf("%s: deleted key %q still published", step.name, kid)
				}
				continue
			}
			if _, err := jwt.Parse([]byte(tok), jwt.WithKeySet(keys)); err != nil {
				t.Fatalf("%s: token of key %q no longer verifies: %v", step.name, kid, err)
			}
		}
	}
}

// TestTwoServersSideBySide: two Hydras have their own ports, issuers and
// keys.
func TestTwoServersSideBySide(t *testing.T) {
	a := hydra.Start(t, hydra.Options{})
	b := hydra.Start(t, hydra.Options{})
	if a.PublicURL() == b.PublicURL() || a.AdminURL() == b.AdminURL() || a.Issuer() == b.Issuer() {
		t.Fatalf("servers share an address or issuer: %s %s %s, %s %s %s",
			a.PublicURL(), a.AdminURL(), a.Issuer(), b.PublicURL(), b.AdminURL(), b.Issuer())
	}
	tok := a.Token(t, a.CreateClient(t, hydra.ClientSpec{Scopes: []string{"read"}}), "read").AccessToken
	if _, err := jwt.Parse([]byte(tok), jwt.WithKeySet(a.PublicKeys(t))); err != nil {
		t.Fatalf("a's token with a's keys: %v", err)
	}
	if _, err := jwt.Parse([]byte(tok), jwt.WithKeySet(b.PublicKeys(t))); err == nil {
		t.Fatal("a's token verifies with b's keys")
	}
}

type discoveryDoc struct {
	Issuer  string `json:"issuer"`
	JWKSURI string `json:"jwks_uri"`
}

func discovery(t *testing.T, h *hydra.Server) discoveryDoc {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, h.DiscoveryURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := h.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", h.DiscoveryURL(), resp.StatusCode)
	}
	var doc discoveryDoc
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// header returns the kid and alg of a JWS.
func header(t *testing.T, token string) (kid, alg string) {
	t.Helper()
	msg, err := jws.Parse([]byte(token))
	if err != nil {
		t.Fatalf("not a JWS: %v", err)
	}
	h := msg.Signatures()[0].ProtectedHeaders()
	return h.KeyID(), h.Algorithm().String()
}
