package core_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/tokengate/tokengate/core"
)

// dpopCall is a core.Request for GET https://api.example/orders with an
// Authorization header and DPoP proofs.
type dpopCall struct {
	authorization string
	proofs        []string
}

func (c dpopCall) Header(name string) string {
	switch name {
	case "Authorization":
		return c.authorization
	case "DPoP":
		if len(c.proofs) > 0 {
			return c.proofs[0]
		}
	}
	return ""
}
func (c dpopCall) HeaderValues(name string) []string {
	if name == "DPoP" {
		return c.proofs
	}
	return nil
}
func (dpopCall) Cookies(string) []string { return nil }
func (dpopCall) Query(string) string     { return "" }
func (dpopCall) Method() string          { return "GET" }
func (dpopCall) Path() string            { return "/orders" }
func (dpopCall) EscapedPath() string     { return "/orders" }
func (dpopCall) Host() string            { return "api.example" }
func (dpopCall) Scheme() string          { return "https" }

// A client holds a key; its token is bound to the key's thumbprint
// (cnf.jkt), and each request carries a proof signed with the key.
func ExampleDPoPConfig() {
	secret := []byte("an HMAC secret of at least 32 bytes!")
	guard, err := core.New(core.Config{HMACSecret: secret, DPoP: core.DPoPConfig{Mode: core.DPoPRequired}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer guard.Close()

	// The client's key, and the token an issuer bound to it.
	raw, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	private, _ := jwk.FromRaw(raw)
	public, _ := private.PublicKey()
	thumbprint, _ := public.Thumbprint(crypto.SHA256)
	claims, _ := json.Marshal(map[string]any{
		"sub": "alice", "exp": time.Now().Add(time.Hour).Unix(),
		"cnf": map[string]string{"jkt": base64.RawURLEncoding.EncodeToString(thumbprint)},
	})
	tok, _ := jws.Sign(claims, jws.WithKey(jwa.HS256, secret))

	// A proof for one request (RFC 9449 §4.2).
	ath := sha256.Sum256(tok)
	proofClaims, _ := json.Marshal(map[string]any{
		"jti": rand.Text(), "htm": "GET", "htu": "https://api.example/orders",
		"iat": time.Now().Unix(), "ath": base64.RawURLEncoding.EncodeToString(ath[:]),
	})
	hdr := jws.NewHeaders()
	_ = hdr.Set(jws.TypeKey, "dpop+jwt")
	_ = hdr.Set(jws.JWKKey, public)
	proof, _ := jws.Sign(proofClaims, jws.WithKey(jwa.ES256, raw, jws.WithProtectedHeaders(hdr)))

	ctx := context.Background()
	p, err := guard.Authenticate(ctx, dpopCall{"DPoP " + string(tok), []string{string(proof)}})
	fmt.Println(p.Subject, p.JKT != "", err)

	// The same proof again, and the token without a proof.
	_, err = guard.Authenticate(ctx, dpopCall{"DPoP " + string(tok), []string{string(proof)}})
	fmt.Println(guard.Reject(err).WWWAuthenticate)
	_, err = guard.Authenticate(ctx, dpopCall{"Bearer " + string(tok), nil})
	fmt.Println(guard.Reject(err).WWWAuthenticate)
	// Output:
	// alice true <nil>
	// DPoP error="invalid_dpop_proof", error_description="DPoP proof replayed", algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512 EdDSA"
	// DPoP error="invalid_token", error_description="DPoP-bound token required", algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512 EdDSA"
}
