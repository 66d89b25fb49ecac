package issuer

import (
	"mime"
	"net/http"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal"
)

// tokenResponse is the RFC 6749 §5.1 answer of the token endpoint.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
}

// TokenHandler is the RFC 6749 token endpoint: POST a form with
// grant_type
//
//   - refresh_token (§6): refresh_token, optionally scope (a subset of the
//     sign-in's). The same rotation, reuse detection and grace period as
//     the refresh endpoint. Sign-ins made at the login endpoint belong to
//     no client, so no client authentication is needed; credentials that
//     are presented must be right, and the client must list the grant.
//   - client_credentials (§4.4): client authentication
//     (client_secret_basic or client_secret_post) and optionally scope, a
//     subset of the client's. An access token for the client, never a
//     refresh token.
//
// It answers 200 with access_token, token_type, expires_in, refresh_token
// (when one is issued) and scope, Cache-Control: no-store; errors per §5.2:
// 400 invalid_request, invalid_grant, unsupported_grant_type,
// invalid_scope, unauthorized_client, and 401 invalid_client with a Basic
// challenge. The endpoint reads no cookies.
//
// With a DPoP header (RFC 9449 §5), the proof (htm POST, htu this
// endpoint's URL) is checked and the access token is bound to its key
// (cnf.jkt, token_type DPoP), as is the refresh token of a sign-in, which
// then refreshes only with a proof of that key; an invalid proof is 400
// invalid_dpop_proof (use_dpop_nonce with a DPoP-Nonce header when a
// nonce is required). A client credentials token is bound too.
func (iss *Issuer) TokenHandler() http.Handler {
	return iss.endpoint(tokenEndpoint, func(w http.ResponseWriter, r *http.Request) error {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
			return newError(ErrInvalidRequest, "the body must be application/x-www-form-urlencoded", nil)
		}
		params, err := readParams(r)
		if err != nil {
			return err
		}
		client, err := iss.authenticateClient(r, params)
		if err != nil {
			return err
		}
		grant := params["grant_type"]
		switch grant {
		case "":
			return newError(ErrInvalidRequest, "grant_type required", nil)
		case GrantRefreshToken, GrantClientCredentials:
		default:
			return newError(ErrUnsupportedGrantType, "unsupported grant_type", nil)
		}
		scope, err := parseScope(params["scope"])
		if err != nil {
			return err
		}
		// RFC 9449 §5: a DPoP proof asks for tokens bound to its key.
		jkt, err := iss.verifier.VerifyProof(r.Context(), internal.HTTPRequest{R: r})
		if err != nil {
			return err
		}
		if jkt == "" && iss.cfg.DPoP.Mode == core.DPoPRequired {
			return newError(core.ErrDPoPProof, "DPoP proof required", nil)
		}
		var t *Tokens
		switch grant {
		case GrantRefreshToken:
			if !iss.cfg.refreshEnabled() {
				return newError(ErrUnsupportedGrantType, "refresh tokens are off", nil)
			}
			if client != nil && !client.allows(grant) {
				return newError(ErrUnauthorizedClient, "client may not use this grant type", nil)
			}
			if params["refresh_token"] == "" {
				return newError(ErrInvalidRequest, "refresh_token required", nil)
			}
			t, err = iss.refresh(r.Context(), params["refresh_token"], scope, jkt, client == nil)
		case GrantClientCredentials:
			if client == nil {
				return newError(ErrInvalidClient, "client authentication required", nil)
			}
			if !client.allows(grant) {
				return newError(ErrUnauthorizedClient, "client may not use this grant type", nil)
			}
			t, err = iss.grantClientCredentials(r.Context(), client, scope, jkt)
		}
		if err != nil {
			return err
		}
		tokenType := "Bearer"
		if t.JKT != "" {
			tokenType = "DPoP"
		}
		writeJSON(w, tokenResponse{
			AccessToken:  t.AccessToken,
			TokenType:    tokenType,
			ExpiresIn:    iss.expiresIn(t.AccessExpires),
			RefreshToken: t.RefreshToken,
			Scope:        t.Scope,
		})
		return nil
	}, http.MethodPost)
}
