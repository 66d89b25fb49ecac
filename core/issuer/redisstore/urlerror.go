package redisstore

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// badURL is ErrBadURL with what is wrong.
func badURL(reason string) error { return fmt.Errorf("%w: %s", ErrBadURL, reason) }

var (
	goRedisUnknown = regexp.MustCompile(`^redis: unexpected option: (.*)$`)
	goRedisValue   = regexp.MustCompile(`^redis: invalid ([a-z_]+) (number|boolean|duration)`)
	paramName      = regexp.MustCompile(`^[a-z_]{1,40}$`)
)

// parseError turns an error of go-redis's URL parsers into ErrBadURL
// naming the part at fault. The parsers quote values, which may be
// pieces of a password: only parameter names that look like names are
// repeated.
func parseError(err error) error {
	var ue *url.Error
	msg := err.Error()
	switch {
	case errors.As(err, &ue):
		return badURL("not a URL")
	case strings.Contains(msg, "invalid URL scheme"):
		return badURL("the scheme must be redis, rediss, redis+sentinel, rediss+sentinel or unix")
	case strings.Contains(msg, "invalid database number"):
		return badURL("the database is not a number")
	case strings.Contains(msg, "invalid URL path"):
		return badURL("the path is not /db")
	case strings.Contains(msg, "addr param"):
		return badURL("an addr= parameter is not host:port")
	case strings.Contains(msg, "unix socket path"):
		return badURL("the Unix socket path is empty")
	}
	if m := goRedisValue.FindStringSubmatch(msg); m != nil {
		return badURL(fmt.Sprintf("parameter %s: not a %s", m[1], m[2]))
	}
	if m := goRedisUnknown.FindStringSubmatch(msg); m != nil {
		var names []string
		for _, n := range strings.Split(m[1], ", ") {
			if !paramName.MatchString(n) {
				n = "(a name not shown)"
			}
			names = append(names, n)
		}
		return badURL("unknown parameter " + strings.Join(names, ", "))
	}
	return badURL("cannot be parsed")
}
