package fibermw_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/fibermw"
	"github.com/tokengate/tokengate/internal/testutil"
)

func TestTokenServiceMountedOnFiber(t *testing.T) {
	iss, err := issuer.New(issuer.Config{URL: "https://sts.example", HMACSecret: testutil.Secret})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	fibermw.MountTokenService(app, iss.Routes(func(_ context.Context, u, p string) (issuer.Grant, error) {
		if u == "alice" && p == "alice" {
			return issuer.Grant{Subject: u}, nil
		}
		return issuer.Grant{}, issuer.ErrInvalidCredentials
	}))
	do := func(method, path, form string, cookies []*http.Cookie) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, "http://sts.test"+path, strings.NewReader(form))
		if form != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for _, c := range cookies {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		return res
	}
	res := do("POST", "/login", url.Values{"username": {"alice"}, "password": {"alice"}}.Encode(), nil)
	if res.StatusCode != 200 || len(res.Cookies()) != 2 || !res.Cookies()[0].HttpOnly {
		t.Fatalf("login: %d %v", res.StatusCode, res.Cookies())
	}
	res = do("POST", "/refresh", "", res.Cookies())
	if res.StatusCode != 200 || len(res.Cookies()) != 2 {
		t.Fatalf("refresh: %d", res.StatusCode)
	}
	res = do("POST", "/logout", "", res.Cookies())
	if res.StatusCode != 204 || len(res.Cookies()) != 2 || res.Cookies()[0].MaxAge >= 0 {
		t.Fatalf("logout: %d %v", res.StatusCode, res.Cookies())
	}
	if res := do("POST", "/login", "username=alice&password=x", nil); res.StatusCode != 401 {
		t.Fatalf("wrong password: %d", res.StatusCode)
	}
}
