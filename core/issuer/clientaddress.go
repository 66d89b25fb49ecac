package issuer

import (
	"net/http"
	"net/netip"
	"strings"
)

// maxForwardedHops bounds the X-Forwarded-For entries ForwardedFor reads.
const maxForwardedHops = 32

// ForwardedFor returns a ThrottleConfig.ClientAddress for an Issuer behind
// reverse proxies: when a request comes from one of the trusted proxies
// (addresses or prefixes), the client is the rightmost X-Forwarded-For
// entry that is not itself a trusted proxy; otherwise it is the request's
// own peer. Entries left of the client's are the client's to write and are
// never read, so a client cannot pick its own address. Every proxy in
// front of the app must be trusted and must append to X-Forwarded-For (as
// nginx's $proxy_add_x_forwarded_for, HAProxy's option forwardfor and
// cloud load balancers do). A malformed entry where the client should be
// counts as the proxy's own address: the proxy's clients then share its
// allowance, which throttles more, never less.
func ForwardedFor(trusted ...netip.Prefix) func(*http.Request) string {
	isTrusted := func(a netip.Addr) bool {
		a = a.Unmap()
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	return func(r *http.Request) string {
		peer := remoteHost(r)
		addr, err := netip.ParseAddr(peer)
		if err != nil || !isTrusted(addr) {
			return peer
		}
		client := addr.Unmap().String()
		eachHopFromRight(r.Header.Values("X-Forwarded-For"), func(entry string) bool {
			hop, ok := parseHop(entry)
			switch {
			case !ok:
				return false // the proxy's own address stands
			case !isTrusted(hop):
				client = hop.String()
				return false
			}
			client = hop.String() // a trusted proxy: look further left
			return true
		})
		return client
	}
}

// parseHop reads one X-Forwarded-For entry: an address, or an address
// with a port as some proxies write it.
func parseHop(entry string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(entry); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(entry); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

// eachHopFromRight calls f with the X-Forwarded-For entries of values
// from the rightmost on, at most maxForwardedHops of them, until f
// returns false.
func eachHopFromRight(values []string, f func(entry string) bool) {
	n := 0
	for i := len(values) - 1; i >= 0; i-- {
		v := values[i]
		for n < maxForwardedHops {
			j := strings.LastIndexByte(v, ',')
			n++
			if !f(strings.TrimSpace(v[j+1:])) {
				return
			}
			if j < 0 {
				break
			}
			v = v[:j]
		}
		if n >= maxForwardedHops {
			return
		}
	}
}
