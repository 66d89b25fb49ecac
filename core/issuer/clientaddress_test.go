package issuer_test

import (
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/tokengate/tokengate/core/issuer"
)

func TestForwardedFor(t *testing.T) {
	clientAddress := issuer.ForwardedFor(netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8"))
	tests := []struct {
		name   string
		peer   string
		xff    []string // X-Forwarded-For lines
		client string
	}{
		{"no proxy: the peer", "203.0.113.7:4000", nil, "203.0.113.7"},
		{"an untrusted peer's header is ignored", "203.0.113.7:4000", []string{"198.51.100.1"}, "203.0.113.7"},
		{"one proxy", "10.0.0.2:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"what the client wrote left of it is never read", "10.0.0.2:4000", []string{"1.2.3.4, 5.6.7.8, 198.51.100.1"}, "198.51.100.1"},
		{"two proxies", "10.0.0.2:4000", []string{"1.2.3.4, 198.51.100.1, 10.0.0.9"}, "198.51.100.1"},
		{"header lines read as one list", "10.0.0.2:4000", []string{"1.2.3.4, 198.51.100.1", "10.0.0.9"}, "198.51.100.1"},
		{"an entry with a port", "10.0.0.2:4000", []string{"198.51.100.1:5555"}, "198.51.100.1"},
		{"IPv6 behind an IPv6 proxy", "[fd00::2]:4000", []string{"2001:db8::1"}, "2001:db8::1"},
		{"a mapped IPv4 address", "[::ffff:10.0.0.2]:4000", []string{"::ffff:198.51.100.1"}, "198.51.100.1"},
		{"no header: the proxy", "10.0.0.2:4000", nil, "10.0.0.2"},
		{"a malformed entry: the proxy next to it", "10.0.0.2:4000", []string{"198.51.100.1, garbage, 10.0.0.9"}, "10.0.0.9"},
		{"only proxies: the innermost", "10.0.0.2:4000", []string{"10.0.0.8, 10.0.0.9"}, "10.0.0.8"},
		{"a long chain is read from the right, bounded", "10.0.0.2:4000", []string{strings.Repeat("198.51.100.9, ", 10000) + "198.51.100.1"}, "198.51.100.1"},
		{"a long chain of proxies stops at the bound", "10.0.0.2:4000", []string{"198.51.100.1, " + strings.Repeat("10.0.0.9, ", 40) + "10.0.0.8"}, "10.0.0.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/login", nil)
			r.RemoteAddr = tt.peer
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := clientAddress(r); got != tt.client {
				t.Fatalf("client address %q, want %q", got, tt.client)
			}
		})
	}
}
