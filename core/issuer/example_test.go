package issuer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/nethttpmw"
)

// A token service and a resource server in one process: the Issuer signs
// users in, a Guard built from its GuardConfig accepts what it issues.
func ExampleNew() {
	iss, err := issuer.New(issuer.Config{
		URL:        "https://sts.example",
		HMACSecret: []byte("a secret of at least thirty-two bytes"),
	})
	if err != nil {
		panic(err)
	}
	guard, err := core.New(iss.GuardConfig(core.Config{}))
	if err != nil {
		panic(err)
	}
	defer guard.Close()

	ctx := context.Background()
	tokens, err := iss.Login(ctx, issuer.Grant{Subject: "alice", Scopes: []string{"read"}})
	if err != nil {
		panic(err)
	}
	p, err := guard.Validate(ctx, tokens.AccessToken)
	fmt.Println(p.Subject, p.Scopes, err)

	next, err := iss.Refresh(ctx, tokens.RefreshToken)
	fmt.Println(next.RefreshToken != tokens.RefreshToken, err)
	_, err = iss.Refresh(ctx, tokens.RefreshToken) // a rotated token again
	fmt.Println(err)
	// Output:
	// alice [read] <nil>
	// true <nil>
	// invalid grant: refresh token reused; sign-in revoked
}

// The endpoints are net/http handlers; Routes lists them with their default
// paths, for any router (nethttpmw.Mount, ginmw.Mount,
// fibermw.Mount).
func ExampleIssuer_Routes() {
	iss, err := issuer.New(issuer.Config{
		URL:        "https://sts.example",
		HMACSecret: []byte("a secret of at least thirty-two bytes"),
	})
	if err != nil {
		panic(err)
	}
	checkPassword := func(ctx context.Context, user, password string) (issuer.Grant, error) {
		if user == "alice" && password == "wonderland" { // look the user up instead
			return issuer.Grant{Subject: user}, nil
		}
		return issuer.Grant{}, issuer.ErrInvalidCredentials
	}
	mux := http.NewServeMux()
	for _, rt := range iss.Routes(checkPassword) {
		mux.Handle(rt.Method+" "+rt.Path, rt.Handler)
	}

	form := url.Values{"username": {"alice"}, "password": {"wonderland"}}
	req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		fmt.Println(c.Name, c.HttpOnly, c.Secure, c.SameSite == http.SameSiteLaxMode)
	}
	// Output:
	// access_token true true true
	// access_token_refresh true true true
}

// Registered clients get tokens of their own at the token endpoint (the
// client credentials grant), and introspect and revoke; the metadata tells
// clients and resource servers where everything is.
func ExampleIssuer_clients() {
	ciSecret := "a long random secret, from your secret store"
	checkPassword := func(ctx context.Context, user, password string) (issuer.Grant, error) {
		return issuer.Grant{}, issuer.ErrInvalidCredentials // look the user up instead
	}
	mux := http.NewServeMux()
	dir, err := os.MkdirTemp("", "sts")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	keyFile := filepath.Join(dir, "tokengate.secret")

	iss, err := issuer.New(issuer.Config{
		URL:        "https://sts.example",
		SecretFile: keyFile, // an RS256 key, generated on first start
		Clients: []issuer.Client{{ID: "ci", Secret: ciSecret, Scopes: []string{"deploy"},
			Grants: []string{issuer.GrantClientCredentials}}},
	})
	if err != nil {
		log.Fatal(err)
	}
	nethttpmw.Mount(mux, iss.Routes(checkPassword)) // /login, /token, /introspect, ...

	form := url.Values{"grant_type": {"client_credentials"}}
	req := httptest.NewRequest("POST", "/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("ci", url.QueryEscape(ciSecret)) // RFC 6749 §2.3.1
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	var tok struct {
		TokenType string `json:"token_type"`
		ExpiresIn int    `json:"expires_in"`
		Scope     string `json:"scope"`
	}
	_ = json.NewDecoder(rec.Body).Decode(&tok)
	fmt.Println(rec.Code, tok.TokenType, tok.ExpiresIn, tok.Scope)
	fmt.Println(iss.Metadata().TokenEndpoint)
	// Output:
	// 200 Bearer 3600 deploy
	// https://sts.example/token
}

// Behind a reverse proxy, failed sign-ins are throttled by the address
// the proxy appends to X-Forwarded-For, not by the proxy's own.
func ExampleForwardedFor() {
	clientAddress := issuer.ForwardedFor(netip.MustParsePrefix("10.0.0.0/8"))
	_, err := issuer.New(issuer.Config{
		URL:        "https://sts.example",
		HMACSecret: []byte("a secret of at least thirty-two bytes"),
		Throttle:   issuer.ThrottleConfig{ClientAddress: clientAddress},
	})
	if err != nil {
		log.Fatal(err)
	}

	r := httptest.NewRequest(http.MethodPost, "/login", nil)
	r.RemoteAddr = "10.0.0.2:41000" // the proxy
	r.Header.Set("X-Forwarded-For", "192.0.2.1, 198.51.100.7")
	fmt.Println(clientAddress(r))
	// Output: 198.51.100.7
}
