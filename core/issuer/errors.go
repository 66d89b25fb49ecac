package issuer

import (
	"errors"
	"net/http"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal"
)

// The token service's own errors, returned by the Issuer and its
// endpoints next to the Guard's (core.ErrInactive, core.ErrUnavailable,
// ...) and answered with their RFC 6749 §5.2 codes. Every error wraps
// exactly one of these kinds or of the Guard's; classify with errors.Is.
var (
	// ErrInvalidCredentials: the login's username or password is wrong.
	ErrInvalidCredentials = errors.New("invalid credentials")
	// ErrInvalidGrant: a refresh token is unknown, expired, revoked or
	// already used.
	ErrInvalidGrant = errors.New("invalid grant")
	// ErrInvalidClient: client authentication at the token, introspection
	// or revocation endpoint failed.
	ErrInvalidClient = errors.New("invalid client")
	// ErrInvalidRequest: the request is malformed (missing parameter,
	// unsupported content type, body too large).
	ErrInvalidRequest = errors.New("invalid request")
	// ErrUnsupportedGrantType: the token endpoint does not serve this
	// grant_type.
	ErrUnsupportedGrantType = errors.New("unsupported grant type")
	// ErrInvalidScope: the requested scope is malformed or exceeds what the
	// client or the sign-in was granted.
	ErrInvalidScope = errors.New("invalid scope")
	// ErrUnauthorizedClient: the client authenticated but may not use this
	// grant type.
	ErrUnauthorizedClient = errors.New("unauthorized client")
	// ErrCrossOrigin: a browser sent a state-changing request from another
	// origin (cross-site request forgery).
	// It is the Guard's core.ErrCrossOrigin.
	ErrCrossOrigin = core.ErrCrossOrigin
	// ErrServer: the app handed the Issuer something it cannot issue (a
	// reserved claim, an empty subject); details are logged, not shown.
	ErrServer = errors.New("server error")
)

// kinds lists every kind an Issuer error may have, its own first.
var kinds = [...]error{
	ErrInvalidCredentials, ErrInvalidGrant, ErrInvalidClient, ErrInvalidRequest, ErrUnsupportedGrantType,
	ErrInvalidScope, ErrUnauthorizedClient, ErrCrossOrigin, ErrServer,
	core.ErrNoToken, core.ErrMalformed, core.ErrTokenTooLarge, core.ErrAlgorithm, core.ErrUnknownKey,
	core.ErrSignature, core.ErrTokenExpired, core.ErrTokenNotYetValid, core.ErrIssuedInFuture, core.ErrIssuer,
	core.ErrAudience, core.ErrType, core.ErrMissingClaim, core.ErrInactive, core.ErrInsufficientScope,
	core.ErrForbidden, core.ErrUnavailable, core.ErrDPoPProof, core.ErrDPoPNonce, core.ErrDPoPBinding,
}

func newError(kind error, desc string, cause error) *core.Error {
	return internal.NewError(kind, desc, cause)
}

// asError converts any error into a *core.Error, keeping the kind of a
// bare sentinel; anything else is an invalid token (fail closed).
func asError(err error) *core.Error {
	return internal.Classify(err, core.ErrMalformed, kinds[:]...)
}

// rejection maps an error of the token service to its HTTP answer: the
// token service's kinds to their RFC 6749 §5.2 codes, anything else as
// the Guard answers it (RFC 6750). A bad grant is 400 at the token
// endpoint (§5.2) and 401 at the cookie endpoints, as the example
// contract asks.
func (iss *Issuer) rejection(err error, kind endpointKind) core.Rejection {
	e := asError(err)
	realm := "realm=" + internal.Quote(iss.cfg.Realm)
	var (
		status int
		code   string
		header string
	)
	switch {
	case errors.Is(e, ErrInvalidCredentials):
		status, code, header = http.StatusUnauthorized, "invalid_credentials", "Bearer "+realm
	case errors.Is(e, ErrInvalidGrant) && kind == tokenEndpoint:
		status, code = http.StatusBadRequest, "invalid_grant"
	case errors.Is(e, ErrInvalidGrant):
		status, code, header = http.StatusUnauthorized, "invalid_grant", "Bearer "+realm
	case errors.Is(e, ErrInvalidClient):
		status, code, header = http.StatusUnauthorized, "invalid_client", "Basic "+realm
	case errors.Is(e, ErrInvalidRequest):
		status, code = http.StatusBadRequest, "invalid_request"
	case errors.Is(e, ErrUnsupportedGrantType):
		status, code = http.StatusBadRequest, "unsupported_grant_type"
	case errors.Is(e, ErrInvalidScope):
		status, code = http.StatusBadRequest, "invalid_scope"
	case errors.Is(e, ErrUnauthorizedClient):
		status, code = http.StatusBadRequest, "unauthorized_client"
	case errors.Is(e, ErrCrossOrigin):
		status, code = http.StatusForbidden, "invalid_request"
	case errors.Is(e, ErrServer):
		status, code = http.StatusInternalServerError, "server_error"
	case errors.Is(e, core.ErrDPoPProof) && kind == browserEndpoint:
		// A sign-in bound to a DPoP key refreshes only at the token
		// endpoint: to the refresh cookie, its token is no grant.
		status, code, header = http.StatusUnauthorized, "invalid_grant", "Bearer "+realm
	case errors.Is(e, core.ErrDPoPProof) && kind == tokenEndpoint:
		// RFC 9449 §5: an invalid proof at the token endpoint.
		status, code = http.StatusBadRequest, "invalid_dpop_proof"
	case errors.Is(e, core.ErrDPoPNonce) && kind == tokenEndpoint:
		// RFC 9449 §8: the nonce to use comes with the refusal.
		rej := core.NewRejection(http.StatusBadRequest, "", "use_dpop_nonce", e.Description)
		rej.DPoPNonce = iss.verifier.DPoPNonce()
		return rej
	default:
		return iss.verifier.Reject(e)
	}
	return core.NewRejection(status, header, code, e.Description)
}
