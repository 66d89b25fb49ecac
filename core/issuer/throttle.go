package issuer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Defaults of ThrottleConfig.
var (
	// DefaultAccountAttempts: 10 failed attempts on one account (a
	// username, a client_id) at once, then one a minute, some 1,450 a day.
	DefaultAccountAttempts = AttemptLimit{Burst: 10, Interval: time.Minute}
	// DefaultAddressAttempts: 50 failed attempts from one client address
	// at once, then one every 10 seconds.
	DefaultAddressAttempts = AttemptLimit{Burst: 50, Interval: 10 * time.Second}
)

// ErrThrottled: too many failed sign-ins or client authentications for
// the account or from the client's address; answered 429 with a
// Retry-After header, before any password or secret is checked.
var ErrThrottled = errors.New("too many failed attempts")

// ThrottleConfig bounds failed sign-ins (the login endpoint) and failed
// client authentications (the token, introspection and revocation
// endpoints), per account and per client address. Once an allowance is
// spent, attempts are answered 429 with Retry-After without checking the
// password or secret, the right one included, until it refills.
//
// Per account, an attacker who knows a username can delay that user's
// sign-in (never learn the password); per address, users behind one NAT
// share an allowance, hence its larger default. Only failures count: a
// right password gives its attempt back.
type ThrottleConfig struct {
	// Account is the allowance of failed attempts per account: the
	// username at login (case-insensitively), the client_id at the client
	// endpoints. Default: DefaultAccountAttempts.
	Account AttemptLimit
	// Address is the allowance of failed attempts per client address; an
	// IPv6 address counts by its /64, which one host often holds whole.
	// Default: DefaultAddressAttempts.
	Address AttemptLimit
	// ClientAddress returns the address a request comes from. Default:
	// the host of r.RemoteAddr. Behind a reverse proxy every request comes
	// from the proxy, and the proxy's clients would share one allowance:
	// use ForwardedFor with the proxies' addresses (or return the address
	// the proxy sets in a header of its own, overwriting what clients
	// send).
	ClientAddress func(r *http.Request) string
	// Limiter counts the attempts. Default: the Store when it implements
	// AttemptLimiter (the Redis store does, so instances share the
	// counts), else in memory (at most 100,000 keys, least recently used
	// forgotten first).
	Limiter AttemptLimiter
	// Disabled turns throttling off. Not recommended: a password can then
	// be guessed as fast as the server answers.
	Disabled bool
}

func (t ThrottleConfig) withDefaults(store Store) ThrottleConfig {
	if t.Account == (AttemptLimit{}) {
		t.Account = DefaultAccountAttempts
	}
	if t.Address == (AttemptLimit{}) {
		t.Address = DefaultAddressAttempts
	}
	if t.ClientAddress == nil {
		t.ClientAddress = remoteHost
	}
	if t.Limiter == nil {
		if l, ok := store.(AttemptLimiter); ok {
			t.Limiter = l
		} else {
			t.Limiter = newMemoryAttempts()
		}
	}
	return t
}

func (t *ThrottleConfig) validate() error {
	for _, f := range []struct {
		name string
		l    AttemptLimit
	}{{"Throttle.Account", t.Account}, {"Throttle.Address", t.Address}} {
		if f.l.Burst < 1 || f.l.Interval <= 0 {
			return issuerFieldErr(f.name, "needs a Burst of at least 1 and a positive Interval")
		}
	}
	return nil
}

// remoteHost is the host of r.RemoteAddr.
func remoteHost(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

// addressKey is the part of an address that counts: an IPv4 address, or
// the /64 of an IPv6 one.
func addressKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	if ip = ip.Unmap(); ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// attempt is one authentication attempt that took its share of the
// allowances of its account and its address.
type attempt struct {
	iss     *Issuer
	address string // the client's, read once (Throttle.ClientAddress)
	taken   []bucket
	now     time.Time
}

// bucket is one allowance an attempt took from.
type bucket struct {
	key   string
	limit AttemptLimit
}

// beginAttempt takes an attempt for account (at endpoint, "login" or
// "client") from r's address: ErrThrottled, with the time to wait, when
// either allowance is spent. The caller gives it back with succeeded when
// the check passes.
func (iss *Issuer) beginAttempt(ctx context.Context, r *http.Request, endpoint, account string) (*attempt, error) {
	t := &iss.cfg.Throttle
	a := &attempt{iss: iss, address: t.ClientAddress(r), now: iss.cfg.Now()}
	if t.Disabled {
		return a, nil
	}
	for _, k := range []struct {
		kind, value string
		limit       AttemptLimit
	}{
		{"account", strings.ToLower(account), t.Account},
		{"address", addressKey(a.address), t.Address},
	} {
		key := attemptKey(endpoint, k.kind, k.value)
		wait, err := t.Limiter.TakeAttempt(ctx, key, k.limit, a.now)
		if err == nil && wait == 0 {
			a.taken = append(a.taken, bucket{key, k.limit})
			continue
		}
		a.succeeded(ctx) // nothing was tried: give back what was taken
		if err != nil {
			return nil, storeFailure(err)
		}
		iss.log.DebugContext(ctx, "tokengate: attempt throttled", "endpoint", endpoint, "by", k.kind)
		return nil, newError(ErrThrottled, "too many failed attempts; try again later", &retryAfter{wait})
	}
	return a, nil
}

// succeeded gives the attempt back: the check passed (or never ran).
func (a *attempt) succeeded(ctx context.Context) {
	for _, b := range a.taken {
		// A failure to give back leaves the attempt counted: fail closed.
		_ = a.iss.cfg.Throttle.Limiter.ReturnAttempt(ctx, b.key, b.limit, a.now)
	}
	a.taken = nil
}

// attemptKey names the bucket of one account or address at one kind of
// endpoint: a digest, so that keys are short whatever the input.
func attemptKey(endpoint, kind, value string) string {
	sum := sha256.Sum256([]byte(value))
	return endpoint + ":" + kind + ":" + hex.EncodeToString(sum[:16])
}

// retryAfter carries the wait of a throttled attempt, for the Retry-After
// header.
type retryAfter struct{ wait time.Duration }

func (r *retryAfter) Error() string { return "retry after " + r.wait.String() }

// setRetryAfter sets Retry-After (whole seconds, rounded up) when err is
// a throttled attempt.
func setRetryAfter(w http.ResponseWriter, err error) {
	var ra *retryAfter
	if errors.As(err, &ra) {
		secs := max(1, int64(math.Ceil(ra.wait.Seconds())))
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	}
}

// failed logs a failed sign-in or client authentication at info level:
// the account (cut to 64 bytes) and the address, never what was presented
// as a password or secret. The attempt stays counted.
func (a *attempt) failed(ctx context.Context, msg, accountAttr, account string) {
	if len(account) > 64 {
		account = account[:64]
	}
	a.iss.log.InfoContext(ctx, msg, accountAttr, account, "address", a.address)
}
