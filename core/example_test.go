package core_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/tokengate/tokengate/core"
)

// header is a core.Request with just an Authorization header.
type header string

func (h header) Header(name string) string {
	if name == "Authorization" {
		return string(h)
	}
	return ""
}
func (header) Cookies(string) []string      { return nil }
func (header) Query(string) string          { return "" }
func (header) Method() string               { return "GET" }
func (header) Path() string                 { return "/" }
func (header) EscapedPath() string          { return "/" }
func (header) Host() string                 { return "api.example" }
func (header) Scheme() string               { return "https" }
func (header) HeaderValues(string) []string { return nil }

func Example() {
	secret := []byte("an HMAC secret of at least 32 bytes!")
	guard, err := core.New(core.Config{HMACSecret: secret, Issuer: "https://issuer.example"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer guard.Close()

	// A token as an issuer would sign it.
	claims, _ := json.Marshal(map[string]any{
		"iss": "https://issuer.example", "sub": "alice", "scope": "read",
		"exp": time.Now().Add(time.Hour).Unix(),
	})
	tok, _ := jws.Sign(claims, jws.WithKey(jwa.HS256, secret))

	p, err := guard.Authenticate(context.Background(), header("Bearer "+string(tok)))
	fmt.Println(p.Subject, p.Scopes, err)

	err = core.Authorize(p, core.Scopes("admin"))
	rej := guard.Reject(err)
	fmt.Println(errors.Is(err, core.ErrInsufficientScope), rej.Status)
	fmt.Println(rej.WWWAuthenticate)
	// Output:
	// alice [read] <nil>
	// true 403
	// Bearer realm="tokengate", error="insufficient_scope", error_description="insufficient scope", scope="admin"
}

func ExampleGuard_Reject() {
	guard, _ := core.New(core.Config{HMACSecret: []byte("an HMAC secret of at least 32 bytes!")})
	defer guard.Close()
	_, err := guard.Authenticate(context.Background(), header(""))
	rej := guard.Reject(err)
	fmt.Println(rej.Status, rej.WWWAuthenticate)
	fmt.Println(string(rej.Body))
	// Output:
	// 401 Bearer realm="tokengate"
	// {"error":"unauthorized","error_description":"authentication required"}
}

func ExamplePrincipal_Decode() {
	secret := []byte("an HMAC secret of at least 32 bytes!")
	guard, _ := core.New(core.Config{HMACSecret: secret})
	defer guard.Close()
	claims, _ := json.Marshal(map[string]any{
		"sub": "alice", "tenant": "acme", "groups": []string{"ops"},
		"exp": time.Now().Add(time.Hour).Unix(),
	})
	tok, _ := jws.Sign(claims, jws.WithKey(jwa.HS256, secret))
	p, _ := guard.Authenticate(context.Background(), header("Bearer "+string(tok)))

	var c struct {
		Tenant string   `json:"tenant"`
		Groups []string `json:"groups"`
	}
	err := p.Decode(&c)
	fmt.Println(c.Tenant, c.Groups, err)

	// A claim rule, beside scope, role and group rules.
	err = core.Authorize(p, core.ClaimIs("tenant", "globex"))
	fmt.Println(guard.Reject(err).Status, errors.Is(err, core.ErrForbidden))
	// Output:
	// acme [ops] <nil>
	// 403 true
}

func ExampleIssuerConfig() {
	// Two issuers, each with its own key (here static; usually discovered
	// from the issuer URL, or a JWKS URL).
	newKey := func(kid string) (jwk.Key, jwk.Set) {
		raw, _ := rsa.GenerateKey(rand.Reader, 2048)
		priv, _ := jwk.FromRaw(raw)
		_ = priv.Set(jwk.KeyIDKey, kid)
		_ = priv.Set(jwk.AlgorithmKey, jwa.RS256)
		pub, _ := priv.PublicKey()
		set := jwk.NewSet()
		_ = set.AddKey(pub)
		return priv, set
	}
	keyA, setA := newKey("k1")
	keyB, setB := newKey("k1") // the same kid: it does not matter
	guard, err := core.New(core.Config{
		Audience: []string{"api"},
		Issuers: []core.IssuerConfig{
			{URL: "https://a.example", Keys: setA},
			{URL: "https://b.example", Keys: setB, Audience: []string{"b-api"}},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer guard.Close()
	sign := func(key jwk.Key, iss, aud string) string {
		claims, _ := json.Marshal(map[string]any{"iss": iss, "aud": aud, "sub": "alice", "exp": time.Now().Add(time.Hour).Unix()})
		tok, _ := jws.Sign(claims, jws.WithKey(jwa.RS256, key))
		return string(tok)
	}
	for _, tok := range []string{
		sign(keyA, "https://a.example", "api"),
		sign(keyB, "https://b.example", "b-api"),
		sign(keyA, "https://b.example", "b-api"), // A's key, claiming B
		sign(keyA, "https://c.example", "api"),   // not trusted: nothing is fetched
	} {
		_, err := guard.Validate(context.Background(), tok)
		var e *core.Error
		if errors.As(err, &e) {
			fmt.Println(guard.Reject(err).Status, e.Description)
		} else {
			fmt.Println("accepted")
		}
	}
	// Output:
	// accepted
	// accepted
	// 401 invalid signature
	// 401 invalid issuer
}
