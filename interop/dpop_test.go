package interop_test

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v3"
	"github.com/auth0/go-jwt-middleware/v3/validator"
	"github.com/bluesky-social/indigo/atproto/atcrypto"
	"github.com/bluesky-social/indigo/atproto/auth/oauth"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/core/issuer/redisstore"
	"github.com/tokengate/tokengate/internal/testutil"
	"github.com/tokengate/tokengate/nethttpmw"
)

// DPoP (RFC 9449) against independent code: proofs made by the DPoP
// client of bluesky-social/indigo (atproto/auth/oauth, which signs with
// golang-jwt, not jwx/v2), and tokens bound by tokengate's issuer checked
// by auth0/go-jwt-middleware v3's DPoP validation (on jwx/v3).

var dpopSecret = []byte("an HMAC secret of at least 32 bytes!")

// indigoClient is a client of indigo's with its own P-256 DPoP key.
type indigoClient struct {
	key atcrypto.PrivateKey
	jkt string // the RFC 7638 thumbprint of its public key
}

func newIndigoClient(t *testing.T) indigoClient {
	t.Helper()
	key, err := atcrypto.GeneratePrivateKeyP256()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := key.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := pub.JWK()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(raw)
	k, err := jwk.ParseKey(b)
	if err != nil {
		t.Fatal(err)
	}
	tp, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return indigoClient{key: key, jkt: base64.RawURLEncoding.EncodeToString(tp)}
}

// resourceProof is indigo's proof for a request to a resource server
// with an access token (ath, its session's host nonce).
func (c indigoClient) resourceProof(t *testing.T, method, target, token string) string {
	t.Helper()
	sess := &oauth.ClientSession{Data: &oauth.ClientSessionData{AccessToken: token}, DPoPPrivateKey: c.key}
	proof, err := sess.NewHostDPoP(method, target)
	if err != nil {
		t.Fatal(err)
	}
	return proof
}

// tokenProof is indigo's proof for a token request (no ath).
func (c indigoClient) tokenProof(t *testing.T, target string) string {
	t.Helper()
	proof, err := oauth.NewAuthDPoP(http.MethodPost, target, "", c.key)
	if err != nil {
		t.Fatal(err)
	}
	return proof
}

// boundToken is an HS256 access token bound to jkt, as an authorization
// server would issue it.
func boundToken(t *testing.T, jkt string) string {
	t.Helper()
	claims, _ := json.Marshal(map[string]any{"sub": "alice", "exp": time.Now().Add(time.Hour).Unix(), "cnf": map[string]string{"jkt": jkt}})
	tok, err := jws.Sign(claims, jws.WithKey(jwa.HS256, dpopSecret))
	if err != nil {
		t.Fatal(err)
	}
	return string(tok)
}

// guarded serves GET /me behind g and returns its URL.
func guarded(t *testing.T, g *core.Guard) string {
	srv := httptest.NewServer(nethttpmw.New(g)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := nethttpmw.Principal(r)
		_, _ = io.WriteString(w, p.Subject)
	})))
	t.Cleanup(srv.Close)
	return srv.URL
}

// call sends GET target with headers and returns the status and the
// WWW-Authenticate challenge.
func call(t *testing.T, target string, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	return res.StatusCode, res.Header.Get("WWW-Authenticate")
}

func newDPoPGuard(t *testing.T, cfg core.Config) *core.Guard {
	t.Helper()
	cfg.HMACSecret = dpopSecret
	g, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.Close() })
	return g
}

// TestGuardAcceptsIndigoProofs: indigo's proofs pass tokengate's Guard;
// the same proof again, a proof for another URL and a proof of another
// key do not.
func TestGuardAcceptsIndigoProofs(t *testing.T) {
	base := guarded(t, newDPoPGuard(t, core.Config{}))
	c, other := newIndigoClient(t), newIndigoClient(t)
	tok := boundToken(t, c.jkt)
	proof := c.resourceProof(t, http.MethodGet, base+"/me", tok)
	tests := []struct {
		name      string
		headers   map[string]string
		status    int
		challenge string // its beginning
	}{
		{"indigo's proof", map[string]string{"Authorization": "DPoP " + tok, "DPoP": proof}, 200, ""},
		{"the same proof again", map[string]string{"Authorization": "DPoP " + tok, "DPoP": proof}, 401, `DPoP error="invalid_dpop_proof", error_description="DPoP proof replayed"`},
		{"a proof for another URL", map[string]string{"Authorization": "DPoP " + tok, "DPoP": c.resourceProof(t, http.MethodGet, base+"/admin", tok)}, 401,
			`DPoP error="invalid_dpop_proof", error_description="DPoP proof htu does not match the request URL"`},
		{"a proof of another key", map[string]string{"Authorization": "DPoP " + tok, "DPoP": other.resourceProof(t, http.MethodGet, base+"/me", tok)}, 401,
			`DPoP error="invalid_dpop_proof", error_description="DPoP proof key does not match the token's binding"`},
		{"the token as Bearer", map[string]string{"Authorization": "Bearer " + tok}, 401, `DPoP error="invalid_token"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, challenge := call(t, base+"/me", tt.headers)
			if status != tt.status || !strings.HasPrefix(challenge, tt.challenge) {
				t.Fatalf("%d %q, want %d %q", status, challenge, tt.status, tt.challenge)
			}
		})
	}
}

// TestTwoGuardsOnOneRedisRefuseAReplayedIndigoProof: two instances whose
// Guards share the Redis store: indigo's proof used at one is refused at
// the other.
func TestTwoGuardsOnOneRedisRefuseAReplayedIndigoProof(t *testing.T) {
	srv := testutil.StartRedis(t)
	store, err := redisstore.Open(srv.URL(0), redisstore.Options{Prefix: "interop-dpop:"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	a := guarded(t, newDPoPGuard(t, core.Config{DPoP: core.DPoPConfig{Replay: store}}))
	b := guarded(t, newDPoPGuard(t, core.Config{DPoP: core.DPoPConfig{Replay: store}}))
	c := newIndigoClient(t)
	tok := boundToken(t, c.jkt)
	// Behind one balancer both instances answer one public URL; the
	// requests name its host.
	const public = "http://api.example/me"
	proof := c.resourceProof(t, http.MethodGet, public, tok)
	send := func(base string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, base+"/me", nil)
		req.Host = "api.example"
		req.Header.Set("Authorization", "DPoP "+tok)
		req.Header.Set("DPoP", proof)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		return res.StatusCode, res.Header.Get("WWW-Authenticate")
	}
	if status, challenge := send(a); status != 200 {
		t.Fatalf("at A: %d %q", status, challenge)
	}
	if status, challenge := send(b); status != 401 || !strings.Contains(challenge, "DPoP proof replayed") {
		t.Fatalf("replayed at B: %d %q", status, challenge)
	}
}

// TestAuth0AcceptsATokenBoundByTheIssuer: tokengate's token service binds
// an access token to indigo's key at its token endpoint; auth0's
// middleware, with its DPoP validation, accepts that token with indigo's
// proof, and refuses it as a bearer token or with another key's proof.
func TestAuth0AcceptsATokenBoundByTheIssuer(t *testing.T) {
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	iss, err := issuer.New(issuer.Config{URL: srv.URL, Audience: "api", HMACSecret: dpopSecret})
	if err != nil {
		t.Fatal(err)
	}
	nethttpmw.Mount(mux, iss.Routes(func(context.Context, string, string) (issuer.Grant, error) {
		return issuer.Grant{}, issuer.ErrInvalidCredentials // signed in below, without a password
	}))

	c, other := newIndigoClient(t), newIndigoClient(t)
	tokens, err := iss.Login(t.Context(), issuer.Grant{Subject: "alice", Scopes: []string{"read"}})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/token", strings.NewReader(url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {tokens.RefreshToken}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("DPoP", c.tokenProof(t, srv.URL+"/token"))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var answer struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	_ = json.NewDecoder(res.Body).Decode(&answer)
	res.Body.Close()
	if res.StatusCode != 200 || answer.TokenType != "DPoP" {
		t.Fatalf("token request with indigo's proof: %d %+v", res.StatusCode, answer)
	}

	v, err := validator.New(
		validator.WithKeyFunc(func(context.Context) (any, error) { return dpopSecret, nil }),
		validator.WithAlgorithm(validator.HS256),
		validator.WithIssuer(srv.URL),
		validator.WithAudiences([]string{"api"}),
	)
	if err != nil {
		t.Fatal(err)
	}
	mw, err := jwtmiddleware.New(jwtmiddleware.WithValidator(v))
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(mw.CheckJWT(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dpop := jwtmiddleware.GetDPoPContext(r.Context())
		if dpop == nil {
			http.Error(w, "no DPoP context", http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, dpop.PublicKeyThumbprint)
	})))
	t.Cleanup(api.Close)

	tok := answer.AccessToken
	tests := []struct {
		name    string
		headers map[string]string
		status  int
	}{
		{"with indigo's proof", map[string]string{"Authorization": "DPoP " + tok, "DPoP": c.resourceProof(t, http.MethodGet, api.URL+"/orders", tok)}, 200},
		{"as a bearer token", map[string]string{"Authorization": "Bearer " + tok}, 401},
		{"with another key's proof", map[string]string{"Authorization": "DPoP " + tok, "DPoP": other.resourceProof(t, http.MethodGet, api.URL+"/orders", tok)}, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, api.URL+"/orders", nil)
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tt.status {
				t.Fatalf("%d %s %q", res.StatusCode, body, res.Header.Get("WWW-Authenticate"))
			}
			if tt.status == 200 && string(body) != c.jkt {
				t.Fatalf("auth0 saw the key %q, want %q", body, c.jkt)
			}
		})
	}
}
