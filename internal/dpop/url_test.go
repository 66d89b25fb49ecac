package dpop

import "testing"

func TestHTUMatching(t *testing.T) {
	tests := []struct {
		name string
		u    URL
		htu  string
		want bool
	}{
		{"as addressed", URL{"https", "api.example", "/me"}, "https://api.example/me", true},
		{"query and fragment ignored", URL{"https", "api.example", "/me"}, "https://api.example/me?a=1#b", true},
		{"scheme and host case", URL{"https", "api.example", "/me"}, "HTTPS://Api.Example/me", true},
		{"path case matters", URL{"https", "api.example", "/me"}, "https://api.example/ME", false},
		{"default https port in htu", URL{"https", "api.example", "/me"}, "https://api.example:443/me", true},
		{"default https port in Host", URL{"https", "api.example:443", "/me"}, "https://api.example/me", true},
		{"default http port", URL{"http", "api.example:80", "/me"}, "http://api.example/me", true},
		{"other port", URL{"https", "api.example:8443", "/me"}, "https://api.example/me", false},
		{"port 443 on http is no default", URL{"http", "api.example:443", "/me"}, "http://api.example/me", false},
		{"empty path is /", URL{"https", "api.example", "/"}, "https://api.example", true},
		{"empty port", URL{"https", "api.example", "/"}, "https://api.example:/", true},
		{"encoded unreserved", URL{"https", "api.example", "/~alice"}, "https://api.example/%7Ealice", true},
		{"lower-case percent-encoding", URL{"https", "api.example", "/a%2Fb"}, "https://api.example/a%2fb", true},
		{"encoded slash is not a slash", URL{"https", "api.example", "/a/b"}, "https://api.example/a%2Fb", false},
		{"dot segments", URL{"https", "api.example", "/a/b"}, "https://api.example/a/./c/../b", true},
		{"dot segments in the request", URL{"https", "api.example", "/x/../me"}, "https://api.example/me", true},
		{"trailing slash kept", URL{"https", "api.example", "/me/"}, "https://api.example/me", false},
		{"IPv6 host", URL{"http", "[::1]:8080", "/me"}, "http://[::1]:8080/me", true},
		{"IPv6 default port", URL{"https", "[::1]:443", "/me"}, "https://[::1]/me", true},
		{"host prefix", URL{"https", "api.example", "/me"}, "https://api.example.evil/me", false},
		{"user information", URL{"https", "api.example", "/me"}, "https://u@api.example/me", false},
		{"other scheme", URL{"https", "api.example", "/me"}, "wss://api.example/me", false},
		{"relative", URL{"https", "api.example", "/me"}, "/me", false},
		{"garbage", URL{"https", "api.example", "/me"}, "%%%", false},
		{"bad escape in the request", URL{"https", "api.example", "/m%zz"}, "https://api.example/me", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.u.Matches(tt.htu); got != tt.want {
				t.Fatalf("%+v.Matches(%q) = %v", tt.u, tt.htu, got)
			}
		})
	}
}

func TestRemoveDotSegments(t *testing.T) {
	for in, want := range map[string]string{
		"/a/b/c/./../../g": "/a/g",
		"/../a":            "/a",
		"/a/..":            "/",
		"/a/.":             "/a/",
		"/a.b/c":           "/a.b/c",
		"/.well-known/x":   "/.well-known/x",
	} {
		if got := removeDotSegments(in); got != want {
			t.Errorf("removeDotSegments(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestForwarded(t *testing.T) {
	base := URL{"http", "10.0.0.7:8080", "/me"}
	tests := []struct {
		name    string
		headers map[string]string
		want    URL
	}{
		{"none", nil, base},
		{"X-Forwarded-*", map[string]string{"X-Forwarded-Proto": "HTTPS", "X-Forwarded-Host": "api.example"}, URL{"https", "api.example", "/me"}},
		{"Forwarded first element", map[string]string{"Forwarded": `proto=https;host="api.example", proto=http;host=x`}, URL{"https", "api.example", "/me"}},
		{"unknown proto ignored", map[string]string{"X-Forwarded-Proto": "gopher"}, base},
		{"host with a path ignored", map[string]string{"X-Forwarded-Host": "evil.example/x"}, base},
		{"prefix without a slash", map[string]string{"X-Forwarded-Prefix": "v1"}, URL{"http", "10.0.0.7:8080", "/v1/me"}},
		{"prefix with a query ignored", map[string]string{"X-Forwarded-Prefix": "/v1?x"}, base},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Forwarded(base, func(name string) string { return tt.headers[name] })
			if got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestSpelledHTUAllocatesNothing: the common case, an htu spelled as the
// request was addressed, costs no allocation.
func TestSpelledHTUAllocatesNothing(t *testing.T) {
	u := URL{"https", "api.example", "/me"}
	if n := testing.AllocsPerRun(100, func() { _ = u.Matches("https://api.example/me") }); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}
