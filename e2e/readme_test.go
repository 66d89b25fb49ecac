package e2e

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The README's pairs of commands, the token service and a resource server
// configured by its issuer URL, work as written: the resource server
// accepts the service's tokens. The first pair waives the audience check
// (TOKENGATE_AUDIENCE=*, the demo's tokens carry no aud), the second gives
// both sides the same audience, and then the resource server refuses the
// tokens of a service that sets none. The commands name fixed ports; the
// test runs them on free ones, replacing each address wherever it occurs.
func TestReadmePairsWork(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	pairs := regexp.MustCompile("(?m)^((?:[A-Z_]+=\\S+ )*)go run \\./examples/sts\n((?:[A-Z_]+=\\S+ )+)go run \\./examples/nethttp$").FindAllSubmatch(readme, -1)
	if len(pairs) != 2 || len(pairs[0][1]) != 0 || !strings.Contains(string(pairs[0][2]), "TOKENGATE_AUDIENCE=* ") ||
		!strings.Contains(string(pairs[1][1]), "TOKENGATE_AUDIENCE=api ") || !strings.Contains(string(pairs[1][2]), "TOKENGATE_AUDIENCE=api ") {
		t.Fatalf("README.md should have two blocks of `go run ./examples/sts` followed by a `go run ./examples/nethttp` line: "+
			"a bare sts with TOKENGATE_AUDIENCE=* on the resource server, then TOKENGATE_AUDIENCE=api on both; found %q", pairs)
	}
	bareSTS := ""
	for i, pair := range pairs {
		stsAddr, rsAddr := freeAddr(t), freeAddr(t)
		env := func(vars []byte) []string {
			var out []string
			for _, kv := range strings.Fields(string(vars)) {
				kv = strings.ReplaceAll(kv, "127.0.0.1:8080", stsAddr)
				out = append(out, strings.ReplaceAll(kv, "127.0.0.1:8081", rsAddr))
			}
			return out
		}
		sts := startExample(t, "sts", append(env(pair[1]), "ADDR="+stsAddr)...)
		rs := startExample(t, "nethttp", env(pair[2])...)
		if rs != "http://"+rsAddr {
			t.Fatalf("the resource server listens on %s, want %s", rs, rsAddr)
		}
		access := signIn(t, sts)
		for _, tt := range []struct {
			path, token string
			status      int
		}{
			{"/me", access, 200},
			{"/admin", access, 200},
			{"/me", access[:len(access)-4] + "AAAA", 401},
			{"/me", "", 401},
		} {
			if got := status(t, rs+tt.path, tt.token); got != tt.status {
				t.Errorf("pair %d: %s: %d, want %d", i+1, tt.path, got, tt.status)
			}
		}
		if i == 0 {
			bareSTS = sts
			continue
		}
		// The bare service's tokens have no aud: refused where one is required.
		other := startExample(t, "nethttp", "TOKENGATE_ISSUER="+bareSTS, "TOKENGATE_AUDIENCE=api", "ADDR="+freeAddr(t))
		if got := status(t, other+"/me", signIn(t, bareSTS)); got != 401 {
			t.Errorf("a token without aud at a resource server requiring one: %d, want 401", got)
		}
	}
}

// TestResourceServerByIssuerNeedsAnAudience: given only an issuer URL, the
// example refuses to start, naming TOKENGATE_AUDIENCE.
func TestResourceServerByIssuerNeedsAnAudience(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "nethttp")
	build := exec.Command("go", "build", "-o", bin, "./examples/nethttp")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "TOKENGATE_ISSUER=http://127.0.0.1:8080", "TOKENGATE_AUDIENCE=", "ADDR="+freeAddr(t))
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "TOKENGATE_AUDIENCE") {
		t.Fatalf("want a non-zero exit naming TOKENGATE_AUDIENCE, got %v: %s", err, out)
	}
}

// signIn signs alice in at the service and returns her access token.
func signIn(t *testing.T, sts string) string {
	t.Helper()
	res, err := http.PostForm(sts+"/login", map[string][]string{"username": {"alice"}, "password": {"alice"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == "access_token" && res.StatusCode == 200 {
			return c.Value
		}
	}
	t.Fatalf("login: %d", res.StatusCode)
	return ""
}

// status GETs url with token as a Bearer token ("": none) and returns the
// answer's status.
func status(t *testing.T, url, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
