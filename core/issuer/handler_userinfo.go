package issuer

import (
	"net/http"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal"
)

// UserInfoHandler is the OpenID Connect userinfo endpoint (Core §5.3),
// GET or POST, for the access token in the Authorization header
// (Bearer): 200 with UserInfo's answer. Failures are the Guard's RFC 6750
// answers: 401 without an error code when there is no token, 401
// invalid_token for a token that is not valid (or no longer), 503 when the
// store cannot answer.
func (iss *Issuer) UserInfoHandler() http.Handler {
	return iss.endpoint(apiEndpoint, func(w http.ResponseWriter, r *http.Request) error {
		if len(r.Header.Values("Authorization")) > 1 {
			return newError(core.ErrMalformed, "more than one Authorization header", nil)
		}
		tok, isBearer, err := internal.Bearer(r.Header.Get("Authorization"))
		switch {
		case err != nil:
			return err
		case !isBearer:
			return newError(core.ErrNoToken, "no bearer token", nil)
		}
		out, err := iss.UserInfo(r.Context(), tok)
		if err != nil {
			return err
		}
		writeJSON(w, out)
		return nil
	}, http.MethodGet, http.MethodPost)
}
