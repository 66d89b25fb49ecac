package issuer

import (
	"crypto/sha256"
	"net/http"
	"net/url"

	"github.com/tokengate/tokengate/internal"
)

// clientDigest holds a client's credentials as SHA-256 digests, so that
// comparing them takes the same time whatever their length and contents.
type clientDigest struct {
	id, secret [sha256.Size]byte
}

func newClientDigest(id, secret string) clientDigest {
	return clientDigest{id: sha256.Sum256([]byte(id)), secret: sha256.Sum256([]byte(secret))}
}

// authenticateClient checks the HTTP Basic credentials of a call to the
// introspection or revocation endpoint. Every configured client is
// compared, in constant time, so the answer's timing tells nothing about
// which part was wrong. Without configured clients everyone is refused.
func (iss *Issuer) authenticateClient(r *http.Request) error {
	id, secret, ok := r.BasicAuth()
	if !ok {
		return newError(ErrInvalidClient, "client authentication required", nil)
	}
	// RFC 6749 §2.3.1: credentials are form-encoded before Basic encoding.
	if v, err := url.QueryUnescape(id); err == nil {
		id = v
	}
	if v, err := url.QueryUnescape(secret); err == nil {
		secret = v
	}
	given := newClientDigest(id, secret)
	match := false
	for _, c := range iss.clients {
		idOK := internal.Equal(string(c.id[:]), string(given.id[:]))
		secretOK := internal.Equal(string(c.secret[:]), string(given.secret[:]))
		match = match || (idOK && secretOK)
	}
	if !match {
		return newError(ErrInvalidClient, "client authentication failed", nil)
	}
	return nil
}
