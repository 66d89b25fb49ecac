package issuer

import (
	"math"
	"net/http"
	"time"

	"github.com/tokengate/tokengate/core"
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

// cookieValue returns the value of the cookie called name, "" when there
// is none. Several cookies of that name are refused, as the Guard refuses
// them: a sibling subdomain may have planted one (cookie tossing), and
// picking either could sign the user in as someone else.
func cookieValue(r *http.Request, name string) (string, error) {
	var value string
	n := 0
	for _, c := range r.CookiesNamed(name) {
		if c.Value == "" {
			continue
		}
		if n++; n == 1 {
			value = c.Value
		}
	}
	if n > 1 {
		return "", newError(core.ErrMalformed, "several "+name+" cookies", nil)
	}
	return value, nil
}

func setCookies(w http.ResponseWriter, cookies []*http.Cookie) {
	for _, c := range cookies {
		http.SetCookie(w, c)
	}
}
