package issuer

import (
	"net/http"
	"net/url"
)

// credentials are the client credentials a request presents.
type credentials struct {
	id, secret string
	// raw holds the Basic id and secret as sent, for clients that do not
	// form-encode them first (curl -u).
	rawID, rawSecret string
	method           string // AuthClientSecretBasic or AuthClientSecretPost
}

// authenticateClient is the one client authentication of the token,
// introspection and revocation endpoints (RFC 6749 §2.3.1):
// client_secret_basic (HTTP Basic, id and secret form-urlencoded before
// the Basic encoding) or client_secret_post (client_id and client_secret
// form fields), never both. It returns the authenticated client, or nil
// when the request carries no client credentials at all; a client_id
// alone that names a registered client is refused, since a registered
// client must authenticate. Wrong credentials are ErrInvalidClient
// (logged at info level, without the secret); too many of them for the
// client_id or from the caller's address are ErrThrottled
// (Config.Throttle), answered before the secret is checked.
func (iss *Issuer) authenticateClient(r *http.Request, params map[string]string) (*registeredClient, error) {
	cred, err := clientCredentials(r, params)
	if err != nil {
		return nil, err
	}
	if cred == nil {
		if id := params["client_id"]; id != "" && iss.clients.known(id) {
			return nil, newError(ErrInvalidClient, "client authentication required", nil)
		}
		return nil, nil
	}
	try, err := iss.beginAttempt(r.Context(), r, "client", cred.id)
	if err != nil {
		return nil, err
	}
	c, ok := iss.clients.authenticate(cred.id, cred.secret)
	if !ok && cred.method == AuthClientSecretBasic && (cred.rawID != cred.id || cred.rawSecret != cred.secret) {
		c, ok = iss.clients.authenticate(cred.rawID, cred.rawSecret)
	}
	if !ok {
		try.failed(r.Context(), "tokengate: failed client authentication", "client_id", cred.id)
		return nil, newError(ErrInvalidClient, "client authentication failed", nil)
	}
	try.succeeded(r.Context())
	return c, nil
}

// requireClient is authenticateClient for endpoints that serve
// authenticated clients only.
func (iss *Issuer) requireClient(r *http.Request, params map[string]string) (*registeredClient, error) {
	c, err := iss.authenticateClient(r, params)
	if err == nil && c == nil {
		err = newError(ErrInvalidClient, "client authentication required", nil)
	}
	return c, err
}

// clientCredentials reads the client credentials of r: nil when there are
// none.
func clientCredentials(r *http.Request, params map[string]string) (*credentials, error) {
	postID, postSecret := params["client_id"], params["client_secret"]
	switch n := len(r.Header.Values("Authorization")); {
	case n > 1:
		return nil, newError(ErrInvalidRequest, "more than one Authorization header", nil)
	case n == 1:
		id, secret, ok := r.BasicAuth()
		if !ok {
			return nil, newError(ErrInvalidClient, "client authentication uses HTTP Basic", nil)
		}
		if postSecret != "" { // RFC 6749 §2.3: one method per request
			return nil, newError(ErrInvalidRequest, "client credentials both in the header and in the body", nil)
		}
		c := &credentials{id: id, secret: secret, rawID: id, rawSecret: secret, method: AuthClientSecretBasic}
		if v, err := url.QueryUnescape(id); err == nil {
			c.id = v
		}
		if v, err := url.QueryUnescape(secret); err == nil {
			c.secret = v
		}
		if postID != "" && postID != c.id && postID != c.rawID {
			return nil, newError(ErrInvalidRequest, "client_id differs from the authenticated client", nil)
		}
		return c, nil
	}
	if postSecret != "" {
		if postID == "" {
			return nil, newError(ErrInvalidClient, "client_secret without client_id", nil)
		}
		return &credentials{id: postID, secret: postSecret, method: AuthClientSecretPost}, nil
	}
	return nil, nil
}
