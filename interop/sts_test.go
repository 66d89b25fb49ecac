package interop_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// This file runs tokengate's own example apps, built from this checkout,
// as the servers the client libraries talk to: examples/sts (the token
// service) and examples/nethttp (a resource server).

// example is a running example app.
type example struct {
	base string // http://127.0.0.1:port
}

// startExample builds ./examples/<name> and runs it on addr (a free
// loopback address when ""), in a fresh directory where the sts keeps its
// secret file, with env added; it returns once the app logs that it is
// ready, and stops it when the test ends.
func startExample(t *testing.T, name, addr string, env ...string) *example {
	t.Helper()
	if addr == "" {
		addr = freeAddr(t)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, name)
	build := exec.Command("go", "build", "-o", bin, "./examples/"+name)
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/%s: %v\n%s", name, err, out)
	}
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ADDR="+addr, "TOKENGATE_SECRET_FILE="+filepath.Join(dir, "tokengate.secret"))
	cmd.Env = append(cmd.Env, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	ready := regexp.MustCompile(`ready"? addr=(http://127\.0\.0\.1:\d+)`)
	found := make(chan string, 1)
	go func() { // read the log to the end, reporting the ready line
		lines := bufio.NewScanner(stderr)
		for lines.Scan() {
			if m := ready.FindStringSubmatch(lines.Text()); m != nil {
				found <- m[1]
			}
		}
		close(found)
	}()
	select {
	case base, ok := <-found:
		if !ok {
			t.Fatalf("examples/%s exited before it was ready", name)
		}
		return &example{base: base}
	case <-time.After(time.Minute):
		t.Fatalf("examples/%s did not get ready", name)
	}
	return nil
}

// startSTS runs examples/sts with env. Its issuer is its own base URL.
func startSTS(t *testing.T, env ...string) *example {
	t.Helper()
	return startExample(t, "sts", "", env...)
}

// startResourceServer runs examples/nethttp in front of the token service
// sts, configured by its issuer URL alone (its keys, and its
// introspection endpoint when env gives client credentials, discovered)
// and trusting audience.
func startResourceServer(t *testing.T, sts *example, audience string, env ...string) *example {
	t.Helper()
	return startExample(t, "nethttp", "", append([]string{
		"TOKENGATE_ISSUER=" + sts.base,
		"TOKENGATE_AUDIENCE=" + audience,
	}, env...)...)
}

// freeAddr returns a loopback address whose port was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// httpClient bounds every call of the client libraries and follows no
// redirect.
var httpClient = &http.Client{
	Timeout: 10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// clientContext is t's context carrying httpClient for golang.org/x/oauth2
// (and the libraries built on it).
func clientContext(t *testing.T) context.Context {
	return context.WithValue(t.Context(), oauth2.HTTPClient, httpClient)
}

// loginTokens signs user in at the sts (TOKENGATE_TOKEN_IN_BODY=true) and
// returns the tokens of the login body.
func loginTokens(t *testing.T, sts *example, user, password string) (access, refresh string) {
	t.Helper()
	res, err := httpClient.PostForm(sts.base+"/login", url.Values{"username": {user}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != 200 || body.AccessToken == "" {
		t.Fatalf("login: %d %v (is TOKENGATE_TOKEN_IN_BODY set?)", res.StatusCode, err)
	}
	return body.AccessToken, body.RefreshToken
}

// get calls GET base+path with the bearer token and decodes the JSON answer.
func get(t *testing.T, base, path, token string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// revoke revokes token at the sts's RFC 7009 endpoint as client id.
func revoke(t *testing.T, sts *example, id, secret, token string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, sts.base+"/revoke",
		strings.NewReader(url.Values{"token": {token}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	res, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
}

// retrieveError returns the OAuth error code of a golang.org/x/oauth2
// token error, or "" when err is not one.
func retrieveError(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return re.ErrorCode
	}
	return ""
}
