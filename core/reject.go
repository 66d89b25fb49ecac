package core

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
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
}

// SetHeaders calls set for each response header of the answer:
// WWW-Authenticate when there is a challenge, Content-Type, and
// Cache-Control: no-store, so that no cache keeps an answer about
// credentials. Adapters pass their framework's setter
// (http.Header.Set, fiber's Ctx.Set), so every adapter sends the same
// headers.
func (r Rejection) SetHeaders(set func(name, value string)) {
	if r.WWWAuthenticate != "" {
		set("WWW-Authenticate", r.WWWAuthenticate)
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
//   - ErrInsufficientScope, ErrForbidden: 403, error="insufficient_scope";
//   - ErrUnavailable: 503, no WWW-Authenticate, body error "temporarily_unavailable";
//   - the token service's errors (ErrInvalidCredentials, ErrInvalidGrant,
//     ErrInvalidClient, ErrInvalidRequest, ErrCrossOrigin, ErrServer): their
//     RFC 6749 codes, see [WriteRejection];
//   - anything else: 401, error="invalid_token".
//
// Config.RenderError, when set, may rewrite the result.
func (g *Guard) Reject(err error) Rejection {
	r := rejection(g.cfg.Realm, err)
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
		header = `Bearer realm=` + quote(realm)
	case errors.Is(e, ErrInsufficientScope), errors.Is(e, ErrForbidden):
		status, code = http.StatusForbidden, "insufficient_scope"
		header = challenge(realm, code, e.Description)
		if len(e.Scopes) > 0 {
			header += `, scope=` + quote(strings.Join(e.Scopes, " "))
		}
	case errors.Is(e, ErrUnavailable):
		status, code = http.StatusServiceUnavailable, "temporarily_unavailable"
	// Token service answers (RFC 6749 §5.2; 401 rather than 400 for a bad
	// grant, as the example contract asks).
	case errors.Is(e, ErrInvalidCredentials):
		status, code = http.StatusUnauthorized, "invalid_credentials"
		header = `Bearer realm=` + quote(realm)
	case errors.Is(e, ErrInvalidGrant):
		status, code = http.StatusUnauthorized, "invalid_grant"
		header = `Bearer realm=` + quote(realm)
	case errors.Is(e, ErrInvalidClient):
		status, code = http.StatusUnauthorized, "invalid_client"
		header = `Basic realm=` + quote(realm)
	case errors.Is(e, ErrInvalidRequest):
		status, code = http.StatusBadRequest, "invalid_request"
	case errors.Is(e, ErrCrossOrigin):
		status, code = http.StatusForbidden, "invalid_request"
	case errors.Is(e, ErrServer):
		status, code = http.StatusInternalServerError, "server_error"
	default:
		status, code = http.StatusUnauthorized, "invalid_token"
		header = challenge(realm, code, e.Description)
	}
	body, _ := json.Marshal(ErrorBody{Error: code, Description: e.Description})
	return Rejection{Status: status, WWWAuthenticate: header, ContentType: "application/json", Body: body}
}

func challenge(realm, code, desc string) string {
	return `Bearer realm=` + quote(realm) + `, error="` + code + `", error_description=` + quote(desc)
}

// quote renders a quoted-string (RFC 9110 §5.6.4), dropping characters that
// cannot appear in one.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\t' || (c >= 0x20 && c < 0x7f):
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
