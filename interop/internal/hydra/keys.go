package hydra

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
)

// AccessTokenKeySet is the key set Hydra signs JWT access tokens with.
const AccessTokenKeySet = "hydra.jwt.access-token"

// AddSigningKey makes Hydra generate a new key pair in AccessTokenKeySet
// (POST /admin/keys/hydra.jwt.access-token) for alg ("RS256", "ES256",
// "ES512"...) and returns its kid.
//
// Hydra v2.3.0 signs every access token issued from then on with it: the
// signing key is the newest private key of the set, read from the database
// for each token, with no cache. The public JWK Set publishes it at once,
// next to the older keys, which keep verifying the tokens they signed until
// they are deleted. An RS256 key is 4096 bits: generating it takes Hydra a
// few seconds.
func (s *Server) AddSigningKey(t testing.TB, alg string) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	kid := "test-" + hex.EncodeToString(b)
	body := map[string]string{"alg": alg, "use": "sig", "kid": kid}
	err := s.call(t.Context(), http.MethodPost, s.keySetURL(), body, "", http.StatusCreated, nil)
	var status *StatusError
	if err != nil && !errors.As(err, &status) {
		// The answer was lost, most likely to Hydra's 10 s write timeout
		// while it generated the key on a busy machine: the key is stored
		// when the generation ends. Wait (bounded) until it is there.
		ctx, cancel := context.WithTimeout(t.Context(), keyWait)
		defer cancel()
		err = s.retry(ctx, func(ctx context.Context) error {
			err := s.call(ctx, http.MethodGet, s.keySetURL()+"/"+kid, nil, "", http.StatusOK, nil)
			if errors.As(err, &status) && status.Status == http.StatusNotFound {
				return errors.New("key not stored yet") // retried
			}
			return err
		})
	}
	if err != nil {
		t.Fatalf("add signing key: %v", err)
	}
	return kid
}

// keyWait bounds how long AddSigningKey waits for a key whose creation
// answer was lost.
const keyWait = 2 * time.Minute

// DeleteSigningKey deletes key kid of AccessTokenKeySet
// (DELETE /admin/keys/hydra.jwt.access-token/KID): it leaves the public JWK
// Set, and Hydra signs with the newest remaining key (generating a new one
// when none remains).
func (s *Server) DeleteSigningKey(t testing.TB, kid string) {
	t.Helper()
	if err := s.call(t.Context(), http.MethodDelete, s.keySetURL()+"/"+url.PathEscape(kid), nil, "", http.StatusNoContent, nil); err != nil {
		t.Fatalf("delete signing key: %v", err)
	}
}

// PublicKeys fetches the public JWK Set from JWKSURL.
func (s *Server) PublicKeys(t testing.TB) jwk.Set {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.JWKSURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var body []byte
	if err := s.do(req, http.StatusOK, &body); err != nil {
		t.Fatalf("fetch JWK Set: %v", err)
	}
	set, err := jwk.Parse(body)
	if err != nil {
		t.Fatalf("JWK Set from %s: %v", s.JWKSURL(), err)
	}
	return set
}

func (s *Server) keySetURL() string {
	return s.AdminURL() + "/admin/keys/" + url.PathEscape(AccessTokenKeySet)
}
