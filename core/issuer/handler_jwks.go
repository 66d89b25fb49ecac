package issuer

import (
	"encoding/json"
	"net/http"

	"github.com/lestrrat-go/jwx/v2/jwk"
)

// JWKSHandler serves the public keys as a JWK Set: those of the key ring
// for RS256, ES256 and EdDSA; an empty set for HS256, whose secret is
// never published.
func (iss *Issuer) JWKSHandler() http.Handler {
	set := iss.keys.publicSet()
	if set == nil {
		set = jwk.NewSet()
	}
	body, err := json.Marshal(set)
	return iss.endpoint(apiEndpoint, func(w http.ResponseWriter, r *http.Request) error {
		if err != nil {
			return newError(ErrServer, "", err)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(body)
		return nil
	}, http.MethodGet)
}
