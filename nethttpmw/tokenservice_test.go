package nethttpmw_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/testutil"
	"github.com/tokengate/tokengate/nethttpmw"
)

func TestMountAndRenew(t *testing.T) {
	clock := testutil.NewClock(testutil.Epoch)
	iss, err := issuer.New(issuer.Config{
		URL: "https://sts.example", HMACSecret: testutil.Secret, Now: clock.Now,
		AccessTTL: 10 * time.Minute, RenewAfter: 0.5,
	})
	if err != nil {
		t.Fatal(err)
	}
	guard, err := core.New(iss.GuardConfig(core.Config{}))
	if err != nil {
		t.Fatal(err)
	}
	defer guard.Close()
	mux := http.NewServeMux()
	nethttpmw.Mount(mux, iss.Routes(func(_ context.Context, u, _ string) (issuer.Grant, error) {
		return issuer.Grant{Subject: u}, nil
	}))
	mux.Handle("GET /me", nethttpmw.Renew(iss)(nethttpmw.New(guard)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := nethttpmw.Principal(r)
		_, _ = w.Write([]byte(p.Subject))
	}))))
	base := testutil.ServeHandler(t, mux).URL

	res, _ := testutil.Call(t, "POST", base+"/login", url.Values{"username": {"carol"}, "password": {"x"}}, nil)
	cookies := res.Cookies()
	res, body := testutil.Call(t, "GET", base+"/me", nil, nil, cookies...)
	if res.StatusCode != 200 || string(body) != "carol" || len(res.Cookies()) != 0 {
		t.Fatalf("fresh token: %d %q %v", res.StatusCode, body, res.Cookies())
	}
	clock.Advance(6 * time.Minute)
	res, body = testutil.Call(t, "GET", base+"/me", nil, nil, cookies...)
	renewed := testutil.ResponseCookie(res, "access_token")
	if res.StatusCode != 200 || string(body) != "carol" || renewed == nil || renewed.Value == cookies[0].Value {
		t.Fatalf("aging token: %d %q %v", res.StatusCode, body, res.Cookies())
	}
	clock.Advance(5 * time.Minute) // the first token has expired, the renewed one has not
	res, body = testutil.Call(t, "GET", base+"/me", nil, nil, renewed)
	if res.StatusCode != 200 || string(body) != "carol" {
		t.Fatalf("renewed token: %d %q", res.StatusCode, body)
	}
}
