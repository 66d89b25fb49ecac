package issuer

import (
	"net/http"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal"
)

// UserInfoHandler is the OpenID Connect userinfo endpoint (Core §5.3),
// GET or POST, for the access token in the Authorization header
// (Bearer, or DPoP with a proof for a DPoP-bound token, RFC 9449 §7): 200
// with UserInfo's answer. Failures are the Guard's RFC 6750
// answers: 401 without an error code when there is no token, 401
// invalid_token for a token that is not valid (or no longer), 503 when the
// store cannot answer.
func (iss *Issuer) UserInfoHandler() http.Handler {
	return iss.endpoint(apiEndpoint, func(w http.ResponseWriter, r *http.Request) error {
		if len(r.Header.Values("Authorization")) > 1 {
			return newError(core.ErrMalformed, "more than one Authorization header", nil)
		}
		authz := r.Header.Get("Authorization")
		tok, isBearer, err := internal.Bearer(authz)
		viaDPoP := false
		if !isBearer {
			tok, viaDPoP, err = internal.DPoP(authz)
		}
		switch {
		case err != nil:
			return err
		case !isBearer && !viaDPoP:
			return newError(core.ErrNoToken, "no bearer token", nil)
		}
		if err := iss.checkPresentation(r, tok, viaDPoP); err != nil {
			return err
		}
		out, err := iss.UserInfo(r.Context(), tok)
		if err != nil {
			return err
		}
		writeJSON(w, out)
		return nil
	}, http.MethodGet, http.MethodPost)
}

// checkPresentation checks that tok came as its binding requires (RFC
// 9449 §7): a DPoP-bound token only with the DPoP scheme and a valid
// proof of its key, any other never with the DPoP scheme. A token that is
// not valid is left for UserInfo to refuse.
func (iss *Issuer) checkPresentation(r *http.Request, tok string, viaDPoP bool) error {
	if !iss.acceptable(tok) {
		return nil
	}
	info, err := iss.accessInfo(r.Context(), tok)
	if err != nil {
		return nil
	}
	jkt := ""
	if cnf, ok := info.claims["cnf"].(map[string]any); ok {
		jkt, _ = cnf["jkt"].(string)
	}
	switch {
	case jkt != "" && !viaDPoP:
		return newError(core.ErrDPoPBinding, "DPoP-bound token sent as a bearer token", nil)
	case jkt == "" && viaDPoP:
		return newError(core.ErrDPoPBinding, "token is not bound to a DPoP key", nil)
	case viaDPoP:
		return iss.verifier.CheckProof(r.Context(), internal.HTTPRequest{R: r}, tok, jkt)
	}
	return nil
}
