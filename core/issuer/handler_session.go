package issuer

import (
	"errors"
	"math"
	"net/http"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal"
)

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
// credentials are 401 invalid_credentials (logged at info level, without
// the password), and too many of them for the username or from the
// client's address 429 too_many_attempts with Retry-After (Config.Throttle).
func (iss *Issuer) LoginHandler(check CredentialsFunc) http.Handler {
	return iss.endpoint(browserEndpoint, func(w http.ResponseWriter, r *http.Request) error {
		params, err := readParams(r)
		if err != nil {
			return err
		}
		username, password := params["username"], params["password"]
		if username == "" || password == "" {
			return newError(ErrInvalidRequest, "username and password required", nil)
		}
		try, err := iss.beginAttempt(r.Context(), r, "login", username)
		if err != nil {
			return err
		}
		grant, err := check(r.Context(), username, password)
		switch {
		case errors.Is(err, ErrInvalidCredentials):
			try.failed(r.Context(), "tokengate: failed sign-in", "username", username)
			iss.tel.login(r.Context(), &err)
			return newError(ErrInvalidCredentials, "wrong username or password", nil)
		case err != nil:
			try.succeeded(r.Context()) // not the user's failure
			return newError(core.ErrUnavailable, "cannot check credentials", err)
		}
		try.succeeded(r.Context())
		t, err := iss.Login(r.Context(), grant)
		if err != nil {
			return err
		}
		iss.writeTokens(w, t)
		return nil
	}, http.MethodPost)
}

// RefreshHandler rotates a refresh token, read from the refresh cookie or
// from refresh_token in a JSON or form body: 200 with new cookies (and
// body as at login), or 401 invalid_grant, which also clears the cookies
// of a refresh cookie that no longer works.
func (iss *Issuer) RefreshHandler() http.Handler {
	return iss.endpoint(browserEndpoint, func(w http.ResponseWriter, r *http.Request) error {
		params, err := readParams(r)
		if err != nil {
			return err
		}
		tok, fromCookie := params["refresh_token"], false
		if tok == "" {
			fromCookie = true
			if tok, err = cookieValue(r, iss.RefreshCookieName()); err != nil {
				return err
			}
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
	}, http.MethodPost)
}

// LogoutHandler ends the sign-in of the refresh token (cookie or body) and
// of the access token (cookie or Authorization header), clears both
// cookies and answers 204. If the store cannot be reached it answers 503
// and leaves the cookies, so that the client can try again.
func (iss *Issuer) LogoutHandler() http.Handler {
	return iss.endpoint(browserEndpoint, func(w http.ResponseWriter, r *http.Request) error {
		params, err := readParams(r)
		if err != nil {
			return err
		}
		refresh := params["refresh_token"]
		if refresh == "" {
			if refresh, err = cookieValue(r, iss.RefreshCookieName()); err != nil {
				return err
			}
		}
		access, err := cookieValue(r, iss.AccessCookieName())
		if err != nil {
			return err
		}
		if access == "" {
			access, _, _ = internal.Bearer(r.Header.Get("Authorization"))
		}
		if err := iss.Logout(r.Context(), refresh, access); err != nil {
			return err
		}
		setCookies(w, iss.ClearCookies())
		w.WriteHeader(http.StatusNoContent)
		return nil
	}, http.MethodPost)
}

// writeTokens answers a login or refresh: cookies, and the JSON body.
func (iss *Issuer) writeTokens(w http.ResponseWriter, t *Tokens) {
	setCookies(w, iss.Cookies(t))
	body := tokenBody{Subject: t.Subject, ExpiresAt: t.AccessExpires.UTC().Format(time.RFC3339)}
	if iss.cfg.TokenInBody {
		body.AccessToken, body.RefreshToken, body.TokenType = t.AccessToken, t.RefreshToken, "Bearer"
		body.ExpiresIn = iss.expiresIn(t.AccessExpires)
	}
	writeJSON(w, body)
}

// expiresIn is the expires_in of a token expiring at exp: the seconds
// left, rounded up as a cookie's Max-Age is (a token's exp is a whole
// second, the clock is not), at least 1.
func (iss *Issuer) expiresIn(exp time.Time) int64 {
	return max(1, int64(math.Ceil(exp.Sub(iss.cfg.Now()).Seconds())))
}
