package issuer

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal"
)

// Default paths of the token service's endpoints (Routes).
const (
	PathLogin      = "/login"
	PathRefresh    = "/refresh"
	PathLogout     = "/logout"
	PathIntrospect = "/introspect"
	PathRevoke     = "/revoke"
	PathJWKS       = "/.well-known/jwks.json"
)

// CredentialsFunc is the app's check of a username and password at the
// login endpoint. It returns the Grant to issue, ErrInvalidCredentials
// (possibly wrapped) when the credentials are wrong, or another error when
// it cannot tell (the login then answers 503). It should take the same
// time whether or not the user exists.
type CredentialsFunc func(ctx context.Context, username, password string) (Grant, error)

// Route is one endpoint of the token service, for mounting on a router.
type Route struct {
	Method  string
	Path    string
	Handler http.Handler
}

// Routes returns every endpoint at its default path: login (with check),
// refresh, logout, introspection, revocation and the JWKS. The adapters'
// Mount helpers register them on a router.
func (iss *Issuer) Routes(check CredentialsFunc) []Route {
	return []Route{
		{http.MethodPost, PathLogin, iss.LoginHandler(check)},
		{http.MethodPost, PathRefresh, iss.RefreshHandler()},
		{http.MethodPost, PathLogout, iss.LogoutHandler()},
		{http.MethodPost, PathIntrospect, iss.IntrospectHandler()},
		{http.MethodPost, PathRevoke, iss.RevokeHandler()},
		{http.MethodGet, PathJWKS, iss.JWKSHandler()},
	}
}

// tokenBody is the JSON answer of login and refresh.
type tokenBody struct {
	Subject      string `json:"sub"`
	ExpiresAt    string `json:"expires_at"`
	AccessToken  string `json:"access_token,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	TokenType    string `json:"token_type,omitempty"`
	ExpiresIn    int64  `json:"expires_in,omitempty"`
}

// LoginHandler signs a user in: POST with JSON {"username","password"} or
// a form. On success it sets the token cookies and answers 200
// {"sub","expires_at"} (plus the tokens when TokenInBody is set); wrong
// credentials are 401 invalid_credentials.
func (iss *Issuer) LoginHandler(check CredentialsFunc) http.Handler {
	return iss.endpoint(http.MethodPost, true, func(w http.ResponseWriter, r *http.Request) error {
		params, err := readParams(r)
		if err != nil {
			return err
		}
		username, password := params["username"], params["password"]
		if username == "" || password == "" {
			return newError(ErrInvalidRequest, "username and password required", nil)
		}
		grant, err := check(r.Context(), username, password)
		switch {
		case errors.Is(err, ErrInvalidCredentials):
			return newError(ErrInvalidCredentials, "wrong username or password", nil)
		case err != nil:
			return newError(core.ErrUnavailable, "cannot check credentials", err)
		}
		t, err := iss.Login(r.Context(), grant)
		if err != nil {
			return err
		}
		iss.writeTokens(w, t)
		return nil
	})
}

// RefreshHandler rotates a refresh token, read from the refresh cookie or
// from refresh_token in a JSON or form body: 200 with new cookies (and
// body as at login), or 401 invalid_grant, which also clears the cookies
// of a refresh cookie that no longer works.
func (iss *Issuer) RefreshHandler() http.Handler {
	return iss.endpoint(http.MethodPost, true, func(w http.ResponseWriter, r *http.Request) error {
		params, err := readParams(r)
		if err != nil {
			return err
		}
		tok, fromCookie := params["refresh_token"], false
		if tok == "" {
			tok, fromCookie = cookieValue(r, iss.RefreshCookieName()), true
		}
		if tok == "" {
			return newError(ErrInvalidRequest, "no refresh token", nil)
		}
		t, err := iss.Refresh(r.Context(), tok)
		if err != nil {
			if fromCookie && errors.Is(err, ErrInvalidGrant) {
				setCookies(w, iss.ClearCookies())
			}
			return err
		}
		iss.writeTokens(w, t)
		return nil
	})
}

// LogoutHandler ends the sign-in of the refresh token (cookie or body) and
// of the access token (cookie or Authorization header), clears both
// cookies and answers 204. If the store cannot be reached it answers 503
// and leaves the cookies, so that the client can try again.
func (iss *Issuer) LogoutHandler() http.Handler {
	return iss.endpoint(http.MethodPost, true, func(w http.ResponseWriter, r *http.Request) error {
		params, err := readParams(r)
		if err != nil {
			return err
		}
		refresh := params["refresh_token"]
		if refresh == "" {
			refresh = cookieValue(r, iss.RefreshCookieName())
		}
		access := cookieValue(r, iss.AccessCookieName())
		if access == "" {
			access, _, _ = internal.Bearer(r.Header.Get("Authorization"))
		}
		if err := iss.Logout(r.Context(), refresh, access); err != nil {
			return err
		}
		setCookies(w, iss.ClearCookies())
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
}

// IntrospectHandler is the RFC 7662 endpoint: POST token (and optionally
// token_type_hint) as a form, with HTTP Basic client authentication.
func (iss *Issuer) IntrospectHandler() http.Handler {
	return iss.endpoint(http.MethodPost, false, func(w http.ResponseWriter, r *http.Request) error {
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
	})
}

// RevokeHandler is the RFC 7009 endpoint: POST token (and optionally
// token_type_hint) as a form, with HTTP Basic client authentication; 200
// whether or not the token was known.
func (iss *Issuer) RevokeHandler() http.Handler {
	return iss.endpoint(http.MethodPost, false, func(w http.ResponseWriter, r *http.Request) error {
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
	})
}

// clientTokenRequest authenticates the client of an introspection or
// revocation request and returns its token and token_type_hint.
func (iss *Issuer) clientTokenRequest(r *http.Request) (token, hint string, err error) {
	if err := iss.authenticateClient(r); err != nil {
		return "", "", err
	}
	params, err := readParams(r)
	if err != nil {
		return "", "", err
	}
	if params["token"] == "" {
		return "", "", newError(ErrInvalidRequest, "token required", nil)
	}
	return params["token"], params["token_type_hint"], nil
}

// JWKSHandler serves the public keys as a JWK Set: those of the key ring
// for RS256, ES256 and EdDSA; an empty set for HS256, whose secret is
// never published.
func (iss *Issuer) JWKSHandler() http.Handler {
	set := iss.keys.publicSet()
	if set == nil {
		set = jwk.NewSet()
	}
	body, err := json.Marshal(set)
	return iss.endpoint(http.MethodGet, false, func(w http.ResponseWriter, r *http.Request) error {
		if err != nil {
			return newError(ErrServer, "", err)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(body)
		return nil
	})
}

// writeTokens answers a login or refresh: cookies, and the JSON body.
func (iss *Issuer) writeTokens(w http.ResponseWriter, t *Tokens) {
	setCookies(w, iss.Cookies(t))
	body := tokenBody{Subject: t.Subject, ExpiresAt: t.AccessExpires.UTC().Format(time.RFC3339)}
	if iss.cfg.TokenInBody {
		body.AccessToken, body.RefreshToken, body.TokenType = t.AccessToken, t.RefreshToken, "Bearer"
		body.ExpiresIn = max(1, int64(t.AccessExpires.Sub(iss.cfg.Now()).Seconds()))
	}
	writeJSON(w, body)
}

// endpoint wraps an endpoint: method check, cross-origin protection for
// the cookie endpoints (browser), a bounded body, and one place where
// errors become answers.
func (iss *Issuer) endpoint(method string, browser bool, fn func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method && !(method == http.MethodGet && r.Method == http.MethodHead) {
			w.Header().Set("Allow", method)
			core.WriteRejection(w, core.NewRejection(http.StatusMethodNotAllowed, "", "invalid_request", "method not allowed"))
			return
		}
		if browser {
			// Cookies ride along on cross-site requests (SameSite=None,
			// or a sibling subdomain): refuse those from browsers.
			if err := iss.csrf.Check(r); err != nil {
				iss.fail(w, r, newError(ErrCrossOrigin, "cross-origin request refused", err))
				return
			}
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, int64(2*iss.cfg.MaxTokenSize+4<<10))
		}
		if err := fn(w, r); err != nil {
			iss.fail(w, r, err)
		}
	})
}

// fail writes the answer for err and logs what an operator should see.
func (iss *Issuer) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := asError(err)
	switch {
	case errors.Is(e, core.ErrUnavailable), errors.Is(e, ErrServer):
		attrs := []slog.Attr{slog.String("path", r.URL.Path), slog.String("reason", e.Kind.Error())}
		if e.Cause != nil {
			attrs = append(attrs, slog.String("cause", e.Cause.Error()))
		}
		iss.log.LogAttrs(r.Context(), slog.LevelError, "tokengate: token service request failed", attrs...)
	default:
		iss.log.LogAttrs(r.Context(), slog.LevelDebug, "tokengate: token service request refused",
			slog.String("path", r.URL.Path), slog.String("reason", e.Kind.Error()))
	}
	core.WriteRejection(w, iss.rejection(e))
}

// readParams reads the request's parameters from a JSON object of strings
// or a form body; an empty body has none. Query parameters are ignored:
// credentials and tokens do not belong in URLs.
func readParams(r *http.Request) (map[string]string, error) {
	out := map[string]string{}
	ct := r.Header.Get("Content-Type")
	if ct == "" && (r.Body == nil || r.ContentLength == 0) {
		return out, nil
	}
	mt, _, _ := mime.ParseMediaType(ct)
	switch mt {
	case "application/json":
		var m map[string]any
		dec := json.NewDecoder(r.Body)
		if err := dec.Decode(&m); err != nil {
			return nil, bodyError(err, "body is not a JSON object")
		}
		if dec.More() {
			return nil, newError(ErrInvalidRequest, "trailing data after JSON", nil)
		}
		for k, v := range m {
			s, ok := v.(string)
			if !ok {
				return nil, newError(ErrInvalidRequest, "parameters must be strings", nil)
			}
			out[k] = s
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, bodyError(err, "malformed form")
		}
		for k, vs := range r.PostForm {
			if len(vs) > 1 { // RFC 6749 §3.2
				return nil, newError(ErrInvalidRequest, "repeated parameter", nil)
			}
			out[k] = vs[0]
		}
	default:
		return nil, newError(ErrInvalidRequest, "unsupported content type", nil)
	}
	return out, nil
}

func bodyError(err error, desc string) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		desc = "request body too large"
	}
	return newError(ErrInvalidRequest, desc, nil)
}

func cookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

func setCookies(w http.ResponseWriter, cookies []*http.Cookie) {
	for _, c := range cookies {
		http.SetCookie(w, c)
	}
}
