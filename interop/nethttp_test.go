package interop_test

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tokengate/tokengate/internal/testutil"
	"github.com/tokengate/tokengate/interop/internal/hydra"
)

// exampleBinary builds examples/nethttp from the main module (the parent
// directory) into the test's temporary directory: the example runs as a
// process, configured only through its environment, as a user runs it.
// The go command's build cache makes every build after the first a link.
func exampleBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "nethttp")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./examples/nethttp")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/nethttp: %v\n%s", err, out)
	}
	return bin
}

// exampleStart bounds how long the example may take to say it is ready,
// and exampleStop how long it may take to shut down on SIGTERM.
const (
	exampleStart = time.Minute
	exampleStop  = 10 * time.Second
)

var readyAddr = regexp.MustCompile(`msg="nethttp example ready" addr=(http://127\.0\.0\.1:[0-9]+)`)

// startNetHTTP runs examples/nethttp with env (and ADDR on a free loopback
// port) until the test ends, and returns its base URL once it logged that
// it is ready.
func startNetHTTP(t *testing.T, env map[string]string) string {
	t.Helper()
	bin := exampleBinary(t)
	cmd := exec.Command(bin)
	cmd.Env = []string{"ADDR=127.0.0.1:0", "PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	setPdeathsig(cmd)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var (
		mu  sync.Mutex
		log bytes.Buffer
	)
	ready := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			mu.Lock()
			log.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if m := readyAddr.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case ready <- m[1]:
				default:
				}
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { <-done; exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(exampleStop):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			mu.Lock()
			t.Logf("examples/nethttp log:\n%s", log.String())
			mu.Unlock()
		}
	})
	select {
	case base := <-ready:
		return base
	case err := <-exited:
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("examples/nethttp exited: %v\n%s", err, log.String())
	case <-time.After(exampleStart):
		t.Fatal("examples/nethttp did not say it was ready")
	}
	return ""
}

// getNetHTTP calls the example with tok as a bearer token ("" for none) and
// returns the status and the decoded JSON body.
func getNetHTTP(t *testing.T, url, tok string) (int, map[string]any, http.Header) {
	t.Helper()
	var h http.Header
	if tok != "" {
		h = http.Header{"Authorization": {"Bearer " + tok}}
	}
	res, body := testutil.Call(t, http.MethodGet, url, nil, h)
	return res.StatusCode, testutil.JSON(t, body), res.Header
}

func TestNethttpWithHydraIssuerAlone(t *testing.T) {
	h := hydra.Start(t, hydra.Options{Strategy: hydra.JWT})
	c := apiClient(t, h)
	base := startNetHTTP(t, map[string]string{
		"TOKENGATE_ISSUER":    h.Issuer(),
		"TOKENGATE_AUDIENCE":  "api",
		"TOKENGATE_CACHE_TTL": "0", // every request checks the token against the keys
	})
	read := h.Token(t, c, "read").AccessToken
	admin := h.Token(t, c, "read", "admin").AccessToken

	tests := []struct {
		name, path, tok string
		status          int
		check           func(t *testing.T, body map[string]any, header http.Header)
	}{
		{name: "healthz", path: "/healthz", status: 200},
		{name: "me without a token", path: "/me", status: 401, check: errorIs("unauthorized")},
		{name: "me with Hydra's JWT", path: "/me", tok: read, status: 200, check: principalIs(c.ID, h.Issuer(), "read")},
		{name: "admin lacking the scope", path: "/admin", tok: read, status: 403, check: func(t *testing.T, body map[string]any, header http.Header) {
			errorIs("insufficient_scope")(t, body, header)
			if !strings.Contains(header.Get("WWW-Authenticate"), `scope="admin"`) {
				t.Fatalf("WWW-Authenticate %q", header.Get("WWW-Authenticate"))
			}
		}},
		{name: "admin with the admin scope", path: "/admin", tok: admin, status: 200, check: principalIs(c.ID, h.Issuer(), "read", "admin")},
		{name: "whoami", path: "/whoami", tok: read, status: 200, check: func(t *testing.T, body map[string]any, _ http.Header) {
			if body["authenticated"] != true || body["sub"] != c.ID {
				t.Fatalf("body %v", body)
			}
		}},
		{name: "a token claiming Hydra, signed elsewhere", path: "/me", tok: garbageToken(t, h.Issuer()), status: 401, check: errorIs("invalid_token")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, header := getNetHTTP(t, base+tt.path, tt.tok)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %v", status, tt.status, body)
			}
			if tt.check != nil {
				tt.check(t, body, header)
			}
		})
	}

	t.Run("a key added through Hydra's admin API passes on first sight", func(t *testing.T) {
		kid := h.AddSigningKey(t, "RS256")
		fresh := h.Token(t, c, "read").AccessToken
		if got := kidOf(t, fresh); got != kid {
			t.Fatalf("Hydra signed with %q, not the new key %q", got, kid)
		}
		if status, body, _ := getNetHTTP(t, base+"/me", fresh); status != 200 {
			t.Fatalf("new key: %d %v", status, body)
		}
		if status, body, _ := getNetHTTP(t, base+"/me", read); status != 200 {
			t.Fatalf("old token: %d %v", status, body)
		}
	})
}

func TestNethttpWithHydraOpaqueTokens(t *testing.T) {
	h := hydra.Start(t, hydra.Options{Strategy: hydra.Opaque})
	c := apiClient(t, h)
	const ttl = time.Second
	base := startNetHTTP(t, map[string]string{
		"TOKENGATE_ISSUER":            h.Issuer(),
		"TOKENGATE_AUDIENCE":          "api",
		"TOKENGATE_INTROSPECTION_URL": h.IntrospectionURL(),
		"TOKENGATE_CACHE_TTL":         ttl.String(),
	})
	tok := h.Token(t, c, "read").AccessToken
	status, body, header := getNetHTTP(t, base+"/me", tok)
	if status != 200 {
		t.Fatalf("active opaque token: %d %v", status, body)
	}
	principalIs(c.ID, h.Issuer(), "read")(t, body, header)
	h.Revoke(t, c, tok)
	time.Sleep(ttl + 100*time.Millisecond) // past the cached answer's life, whatever it had left
	status, body, _ = getNetHTTP(t, base+"/me", tok)
	if status != 401 {
		t.Fatalf("revoked at Hydra, once the cache TTL passed: %d %v", status, body)
	}
	errorIs("invalid_token")(t, body, nil)
}

func TestNethttpWithTwoHydras(t *testing.T) {
	a := hydra.Start(t, hydra.Options{Strategy: hydra.JWT})
	b := hydra.Start(t, hydra.Options{Strategy: hydra.JWT})
	impostor := hydra.Start(t, hydra.Options{Strategy: hydra.JWT, Issuer: b.Issuer()})
	ca, cb := apiClient(t, a), apiClient(t, b)
	base := startNetHTTP(t, map[string]string{
		"TOKENGATE_ISSUER":   a.Issuer() + "," + b.Issuer(),
		"TOKENGATE_AUDIENCE": "api",
	})
	onlyB := startNetHTTP(t, map[string]string{
		"TOKENGATE_ISSUER":   b.Issuer(),
		"TOKENGATE_AUDIENCE": "api",
	})
	tests := []struct {
		name, base, tok string
		status          int
		check           func(t *testing.T, body map[string]any, header http.Header)
	}{
		{"a's token", base, a.Token(t, ca, "read").AccessToken, 200, principalIs(ca.ID, a.Issuer(), "read")},
		{"b's token", base, b.Token(t, cb, "read").AccessToken, 200, principalIs(cb.ID, b.Issuer(), "read")},
		{"claims b, signed by another Hydra", base, impostor.Token(t, apiClient(t, impostor), "read").AccessToken, 401, errorIs("invalid_token")},
		{"a's token where only b is trusted", onlyB, a.Token(t, ca, "read").AccessToken, 401, errorIs("invalid_token")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, header := getNetHTTP(t, tt.base+"/me", tt.tok)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %v", status, tt.status, body)
			}
			tt.check(t, body, header)
		})
	}
}

// principalIs checks a /me body: sub, the iss claim and the scopes.
func principalIs(sub, iss string, scopes ...string) func(*testing.T, map[string]any, http.Header) {
	return func(t *testing.T, body map[string]any, _ http.Header) {
		t.Helper()
		claims, _ := body["claims"].(map[string]any)
		var got []string
		for _, s := range body["scopes"].([]any) {
			got = append(got, s.(string))
		}
		if body["sub"] != sub || claims["iss"] != iss || !slices.Equal(got, scopes) {
			t.Fatalf("body %v", body)
		}
	}
}

// errorIs checks a failure body's error code.
func errorIs(code string) func(*testing.T, map[string]any, http.Header) {
	return func(t *testing.T, body map[string]any, _ http.Header) {
		t.Helper()
		if body["error"] != code {
			t.Fatalf("error %v, want %q", body["error"], code)
		}
	}
}
