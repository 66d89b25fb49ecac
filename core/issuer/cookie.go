package issuer

import (
	"math"
	"net/http"
	"time"
)

// AccessCookieName is the name of the access token cookie.
func (iss *Issuer) AccessCookieName() string { return iss.cfg.Cookie.Name }

// RefreshCookieName is the name of the refresh token cookie.
func (iss *Issuer) RefreshCookieName() string { return iss.cfg.Cookie.Name + RefreshCookieSuffix }

// Cookies returns the cookies that carry t: the access token and, when t
// has one, the refresh token. Persistent cookies (the default) get a
// Max-Age that ends with their token; session cookies get none.
func (iss *Issuer) Cookies(t *Tokens) []*http.Cookie {
	now := iss.cfg.Now()
	out := []*http.Cookie{iss.cookie(iss.AccessCookieName(), t.AccessToken, t.AccessExpires, now)}
	if t.RefreshToken != "" {
		out = append(out, iss.cookie(iss.RefreshCookieName(), t.RefreshToken, t.RefreshExpires, now))
	}
	return out
}

// ClearCookies returns the cookies that delete both token cookies (same
// name, path and domain, empty, already expired).
func (iss *Issuer) ClearCookies() []*http.Cookie {
	out := make([]*http.Cookie, 0, 2)
	for _, name := range []string{iss.AccessCookieName(), iss.RefreshCookieName()} {
		c := iss.cookie(name, "", time.Time{}, time.Time{})
		c.MaxAge = -1 // "Max-Age=0"
		c.Expires = time.Unix(0, 0)
		out = append(out, c)
	}
	return out
}

func (iss *Issuer) cookie(name, value string, expires, now time.Time) *http.Cookie {
	cc := &iss.cfg.Cookie
	c := &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     cc.Path,
		Domain:   cc.Domain,
		HttpOnly: !cc.DisableHTTPOnly,
		Secure:   !cc.DisableSecure,
		SameSite: cc.SameSite,
	}
	if !cc.SessionCookies && !expires.IsZero() {
		c.MaxAge = max(1, int(math.Ceil(expires.Sub(now).Seconds())))
	}
	return c
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
