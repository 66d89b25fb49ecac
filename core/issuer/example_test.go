package issuer_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
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
