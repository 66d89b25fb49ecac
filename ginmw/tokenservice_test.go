package ginmw_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/ginmw"
	"github.com/tokengate/tokengate/internal/testutil"
)

func TestTokenServiceMountedOnGin(t *testing.T) {
	gin.SetMode(gin.TestMode)
	iss, err := issuer.New(issuer.Config{URL: "https://sts.example", HMACSecret: testutil.Secret})
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	ginmw.MountTokenService(r, iss.Routes(func(_ context.Context, u, p string) (issuer.Grant, error) {
		if u == "alice" && p == "alice" {
			return issuer.Grant{Subject: u}, nil
		}
		return issuer.Grant{}, issuer.ErrInvalidCredentials
	}))
	base := testutil.ServeHandler(t, r).URL
	res, body := testutil.Call(t, "POST", base+"/login", url.Values{"username": {"alice"}, "password": {"alice"}}, nil)
	if res.StatusCode != 200 || len(res.Cookies()) != 2 {
		t.Fatalf("login: %d %s %v", res.StatusCode, body, res.Cookies())
	}
	res, _ = testutil.Call(t, "POST", base+"/refresh", nil, nil, res.Cookies()...)
	if res.StatusCode != 200 {
		t.Fatalf("refresh: %d", res.StatusCode)
	}
	res, _ = testutil.Call(t, "POST", base+"/logout", nil, nil, res.Cookies()...)
	if res.StatusCode != 204 || len(res.Cookies()) != 2 {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	res, _ = testutil.Call(t, "GET", base+"/.well-known/jwks.json", nil, nil)
	if res.StatusCode != 200 {
		t.Fatalf("jwks: %d", res.StatusCode)
	}
}
