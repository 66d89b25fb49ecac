package redisstore_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/core/issuer/redisstore"
	"github.com/tokengate/tokengate/internal/testutil"
)

// Against every setup, with a wrong password and with the right one while
// the server is down, every store call and Issuer call fails with 503 and
// no error, no log line of the Issuer and no log line of go-redis holds
// a password, the right one or the wrong one.
func TestCredentialsNeverInErrorsOrLogs(t *testing.T) {
	pw := testutil.RandomPassword()
	down := testutil.StartRedisWith(t, testutil.RedisOptions{Password: pw, Args: []string{"--requirepass", pw}})
	downURL := down.URL(0)
	down.Stop(t)
	wrong := testutil.RandomPassword()
	tests := []struct {
		name, url string
		secrets   []string
	}{
		{"one server, wrong password", strings.Replace(downURL, pw, wrong, 1), []string{pw, wrong}},
		{"one server down", downURL, []string{pw}},
		{"cluster, wrong password", strings.Replace(cluster.URL(), cluster.Password(), wrong, 1),
			[]string{cluster.Password(), wrong}},
		{"sentinel, wrong server password", strings.Replace(sentinel.URL(), sentinel.Password(), wrong, 1),
			[]string{sentinel.Password(), sentinel.SentinelPassword(), wrong}},
		{"sentinel, wrong sentinel password", strings.Replace(sentinel.URL(), sentinel.SentinelPassword(), wrong, 1),
			[]string{sentinel.Password(), sentinel.SentinelPassword(), wrong}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "one server, wrong password" {
				down.Start(t)
				defer down.Stop(t)
			}
			logger, logs := testutil.NewLogger()
			store := open(t, tt.url, redisstore.Options{Prefix: nextPrefix("creds"), Timeout: 300 * time.Millisecond})
			iss, err := issuer.New(issuer.Config{URL: "https://sts.example", HMACSecret: testutil.Secret,
				AccessTokenFormat: issuer.FormatReference, Store: store, Logger: logger})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			var errs []error
			errs = append(errs, store.Ping(ctx))
			_, err = iss.Login(ctx, issuer.Grant{Subject: "alice"})
			errs = append(errs, err)
			_, err = iss.Refresh(ctx, "c29tZSByZWZyZXNoIHRva2VuIHRoYXQgaXMgbm90IHRoZXJl")
			errs = append(errs, err)
			errs = append(errs, iss.Revoke(ctx, "c29tZSByZWZyZXNoIHRva2VuIHRoYXQgaXMgbm90IHRoZXJl", ""))
			for i, err := range errs {
				if err == nil {
					t.Fatalf("call %d succeeded", i)
				}
				if i > 0 && !errors.Is(err, core.ErrUnavailable) {
					t.Errorf("call %d: %v, want ErrUnavailable", i, err)
				}
				for _, s := range tt.secrets {
					if strings.Contains(err.Error(), s) {
						t.Fatalf("call %d: the error holds a password: %v", i, err)
					}
				}
			}
			// The token service's login endpoint logs the cause of its 503.
			login := iss.LoginHandler(func(context.Context, string, string) (issuer.Grant, error) {
				return issuer.Grant{Subject: "alice"}, nil
			})
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("POST", "https://sts.example/login", strings.NewReader("username=alice&password=alice"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			login.ServeHTTP(rec, req)
			if rec.Code != 503 || !strings.Contains(logs.String(), "cause=") {
				t.Fatalf("login endpoint: %d, logs %q", rec.Code, logs.String())
			}
			for _, s := range tt.secrets {
				if strings.Contains(rec.Body.String(), s) || strings.Contains(logs.String(), s) || strings.Contains(redisLog.String(), s) {
					t.Fatal("a password was logged")
				}
			}
		})
	}
}
