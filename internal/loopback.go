package internal

import (
	"net"
	"strings"
)

// IsLoopback reports whether host (a name or an IP address, without port
// or brackets) is this machine: "localhost", a name under ".localhost"
// (RFC 6761 §6.3), 127.0.0.0/8 or ::1.
func IsLoopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
