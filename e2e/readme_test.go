package e2e

import (
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
)

// The README's first pair of commands, the token service and a resource
// server configured by its issuer URL, works as written: the resource
// server accepts the service's tokens. The commands name fixed ports; the
// test runs them on free ones, replacing each address wherever it occurs.
func TestReadmePairWorks(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	pair := regexp.MustCompile("(?m)^go run \\./examples/sts\n((?:[A-Z_]+=\\S+ )+)go run \\./examples/nethttp$").FindSubmatch(readme)
	if pair == nil {
		t.Fatal("README.md has no block with `go run ./examples/sts` followed by a `go run ./examples/nethttp` line")
	}
	stsAddr, rsAddr := freeAddr(t), freeAddr(t)
	var env []string
	for _, kv := range strings.Fields(string(pair[1])) {
		kv = strings.ReplaceAll(kv, "127.0.0.1:8080", stsAddr)
		env = append(env, strings.ReplaceAll(kv, "127.0.0.1:8081", rsAddr))
	}
	sts := startExample(t, "sts", "ADDR="+stsAddr)
	rs := startExample(t, "nethttp", env...)
	if rs != "http://"+rsAddr {
		t.Fatalf("the resource server listens on %s, want %s", rs, rsAddr)
	}

	res, err := http.PostForm(sts+"/login", map[string][]string{"username": {"alice"}, "password": {"alice"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var access string
	for _, c := range res.Cookies() {
		if c.Name == "access_token" {
			access = c.Value
		}
	}
	if res.StatusCode != 200 || access == "" {
		t.Fatalf("login: %d", res.StatusCode)
	}
	for _, tt := range []struct {
		path, token string
		status      int
	}{
		{"/me", access, 200},
		{"/admin", access, 200},
		{"/me", access[:len(access)-4] + "AAAA", 401},
		{"/me", "", 401},
	} {
		req, _ := http.NewRequest("GET", rs+tt.path, nil)
		if tt.token != "" {
			req.Header.Set("Authorization", "Bearer "+tt.token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tt.status {
			t.Errorf("%s: %d, want %d", tt.path, res.StatusCode, tt.status)
		}
	}
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
