package issuer

import "net/http"

// IntrospectHandler is the RFC 7662 endpoint: POST token (and optionally
// token_type_hint) as a form, authenticated as any registered client
// (client_secret_basic or client_secret_post).
func (iss *Issuer) IntrospectHandler() http.Handler {
	return iss.endpoint(apiEndpoint, func(w http.ResponseWriter, r *http.Request) error {
		token, hint, err := iss.clientTokenRequest(r)
		if err != nil {
			return err
		}
		out, err := iss.Introspect(r.Context(), token, hint)
		if err != nil {
			return err
		}
		writeJSON(w, out)
		return nil
	}, http.MethodPost)
}

// RevokeHandler is the RFC 7009 endpoint: POST token (and optionally
// token_type_hint) as a form, with the same client authentication as
// introspection; 200 whether or not the token was known.
func (iss *Issuer) RevokeHandler() http.Handler {
	return iss.endpoint(apiEndpoint, func(w http.ResponseWriter, r *http.Request) error {
		token, hint, err := iss.clientTokenRequest(r)
		if err != nil {
			return err
		}
		if err := iss.Revoke(r.Context(), token, hint); err != nil {
			return err
		}
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		return nil
	}, http.MethodPost)
}

// clientTokenRequest authenticates the client of an introspection or
// revocation request and returns its token and token_type_hint.
func (iss *Issuer) clientTokenRequest(r *http.Request) (token, hint string, err error) {
	params, err := readParams(r)
	if err != nil {
		// Unreadable parameters are still no reason to tell a stranger
		// more than that it did not authenticate.
		if _, aerr := iss.requireClient(r, nil); aerr != nil {
			return "", "", aerr
		}
		return "", "", err
	}
	if _, err := iss.requireClient(r, params); err != nil {
		return "", "", err
	}
	if params["token"] == "" {
		return "", "", newError(ErrInvalidRequest, "token required", nil)
	}
	return params["token"], params["token_type_hint"], nil
}
