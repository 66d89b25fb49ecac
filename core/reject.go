package core

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/tokengate/tokengate/internal"
)

// Rejection is the HTTP answer for a failed request, independent of any
// framework: adapters copy it onto their response as is.
type Rejection struct {
	// Status is the HTTP status code (401, 403 or 503).
	Status int
	// WWWAuthenticate is the WWW-Authenticate header value; empty means no
	// header (503 answers carry none).
	WWWAuthenticate string
	// ContentType of Body, "application/json" unless a custom renderer
	// changed it.
	ContentType string
	// Body is the response body.
	Body []byte
	// DPoPNonce, when set, is a fresh server nonce for DPoP proofs
	// (RFC 9449 §8), sent in the DPoP-Nonce header.
	DPoPNonce string
}

// SetHeaders calls set for each response header of the answer:
// WWW-Authenticate when there is a challenge, DPoP-Nonce when there is a
// nonce, Content-Type, and
// Cache-Control: no-store, so that no cache keeps an answer about
// credentials. Adapters pass their framework's setter
// (http.Header.Set, fiber's Ctx.Set), so every adapter sends the same
// headers.
func (r Rejection) SetHeaders(set func(name, value string)) {
	if r.WWWAuthenticate != "" {
		set("WWW-Authenticate", r.WWWAuthenticate)
	}
	if r.DPoPNonce != "" {
		set("DPoP-Nonce", r.DPoPNonce)
	}
	set("Content-Type", r.ContentType)
	set("Cache-Control", "no-store")
}

// ErrorBody is the JSON body of every failure.
type ErrorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// Reject maps an error returned by the Guard to its HTTP answer, as RFC 6750
// §3 describes:
//
//   - ErrNoToken: 401, WWW-Authenticate with the realm only, body error "unauthorized";
//   - ErrInsufficientScope: 403, error="insufficient_scope" and the scopes needed;
//   - ErrForbidden (a role, group or claim rule, Config.Check): 403, error="forbidden";
//   - ErrUnavailable: 503, no WWW-Authenticate, body error "temporarily_unavailable";
//   - ErrCrossOrigin: 403, no WWW-Authenticate, body error "invalid_request";
//   - anything else: 401, error="invalid_token".
//
// Failures of DPoP (RFC 9449 §7.1) are answered with the DPoP scheme and
// the algs proofs may use: ErrDPoPProof as error="invalid_dpop_proof",
// ErrDPoPNonce as error="use_dpop_nonce" with a DPoP-Nonce header,
// ErrDPoPBinding and the failures of requests made with the DPoP scheme
// as above; with DPoPRequired, a missing token too.
//
// Config.RenderError, when set, may rewrite the result.
func (g *Guard) Reject(err error) Rejection {
	r := rejection(g.cfg.Realm, err)
	if g.dpop != nil {
		r = g.dpopRejection(err, r)
	}
	if g.cfg.RenderError != nil {
		r = g.cfg.RenderError(err, r)
	}
	return r
}

func rejection(realm string, err error) Rejection {
	e := asError(err)
	var (
		status int
		code   string
		header string
	)
	switch {
	case errors.Is(e, ErrNoToken):
		status, code = http.StatusUnauthorized, "unauthorized"
		header = `Bearer realm=` + internal.Quote(realm)
	case errors.Is(e, ErrInsufficientScope):
		status, code = http.StatusForbidden, "insufficient_scope"
		header = challenge(realm, code, e.Description)
		if len(e.Scopes) > 0 {
			header += `, scope=` + internal.Quote(strings.Join(e.Scopes, " "))
		}
	case errors.Is(e, ErrForbidden):
		// Not a scope: RFC 6750's insufficient_scope would send the
		// client asking for scopes that cannot help.
		status, code = http.StatusForbidden, "forbidden"
		header = challenge(realm, code, e.Description)
	case errors.Is(e, ErrUnavailable):
		status, code = http.StatusServiceUnavailable, "temporarily_unavailable"
	case errors.Is(e, ErrCrossOrigin):
		// Not a matter of credentials: no challenge.
		status, code = http.StatusForbidden, "invalid_request"
	default:
		status, code = http.StatusUnauthorized, "invalid_token"
		header = challenge(realm, code, e.Description)
	}
	return NewRejection(status, header, code, e.Description)
}

// NewRejection builds an answer with a JSON ErrorBody: for answers of
// one's own (the token service's RFC 6749 errors) that adapters and
// RenderError treat like the Guard's.
func NewRejection(status int, challenge, code, description string) Rejection {
	body, _ := json.Marshal(ErrorBody{Error: code, Description: description})
	return Rejection{Status: status, WWWAuthenticate: challenge, ContentType: "application/json", Body: body}
}

func challenge(realm, code, desc string) string {
	return `Bearer realm=` + internal.Quote(realm) + `, error="` + code + `", error_description=` + internal.Quote(desc)
}
