package issuer

import (
	"encoding/json"
	"net/http"
)

// MetadataHandler serves Metadata as JSON, for both
// PathAuthorizationServerMetadata (RFC 8414) and PathOpenIDConfiguration.
func (iss *Issuer) MetadataHandler() http.Handler {
	body, err := json.Marshal(iss.Metadata())
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
