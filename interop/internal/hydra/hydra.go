// Package hydra runs a real Ory Hydra for the interop tests: `hydra serve
// all --dev` with DSN=memory, its public and admin APIs on free 127.0.0.1
// ports, stopped when the test ends. Helpers register OAuth 2.0 clients
// through the admin API, obtain access tokens by the client credentials
// grant with golang.org/x/oauth2/clientcredentials, add and delete signing
// keys, revoke and introspect tokens.
//
// The binary comes from EnvBinary (HYDRA_BIN), which interop/run.sh sets
// after building Hydra; without it every test that starts Hydra fails.
//
// Each Server has its own ports, issuer, database and keys, so several run
// side by side:
//
//	a := hydra.Start(t, hydra.Options{})
//	b := hydra.Start(t, hydra.Options{Strategy: hydra.Opaque})
//	c := a.CreateClient(t, hydra.ClientSpec{Scopes: []string{"read"}})
//	tok := a.Token(t, c, "read") // a JWT whose iss is a.Issuer()
package hydra

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Strategy is Hydra's access token strategy (STRATEGIES_ACCESS_TOKEN).
type Strategy string

// Access token strategies.
const (
	// JWT access tokens are RFC 9068-like JWTs signed with the keys of the
	// AccessTokenKeySet set, scopes in the scp claim.
	JWT Strategy = "jwt"
	// Opaque access tokens are random strings, validated by introspection.
	Opaque Strategy = "opaque"
)

// Options configures a Server. The zero value is a JWT-issuing Hydra whose
// issuer is its public URL.
type Options struct {
	// Strategy is the access token strategy. Default: JWT.
	Strategy Strategy
	// Issuer is the issuer URL (URLS_SELF_ISSUER): the iss of every token
	// and the issuer of the discovery document. Default: the public URL,
	// http://127.0.0.1:PORT, under which the discovery document is served.
	// Another issuer is only a name (for tests of issuer checks and
	// mix-ups): Hydra serves nothing under it, and nothing here fetches
	// from it.
	Issuer string
	// AccessTokenTTL is the lifetime of access tokens (TTL_ACCESS_TOKEN).
	// Default: Hydra's, one hour.
	AccessTokenTTL time.Duration
	// Env holds more of Hydra's settings as KEY=VALUE (its configuration
	// keys in upper case, dots as underscores), applied after the others.
	Env []string
}

// startWait bounds how long Hydra may take to become ready and generate
// its first keys, and stopWait how long it may take to shut down before it
// is killed.
const (
	startWait = 2 * time.Minute
	stopWait  = 10 * time.Second
)

// callTimeout bounds each call the helpers make to Hydra.
const callTimeout = 30 * time.Second

// errExited: the Hydra process ended while it was awaited.
var errExited = errors.New("hydra exited")

// Server is a running Hydra.
type Server struct {
	opts    Options
	dir     string
	ownsDir bool // Close removes dir
	public  int
	admin   int
	http    *http.Client

	issuer string // from the discovery document

	cmd      *exec.Cmd
	exited   chan struct{} // closed when cmd has exited
	stopOnce sync.Once
}

// Start starts a Hydra for one test (see Launch) and stops it when the test
// ends; the test fails if Hydra cannot be started. When the test has
// failed, the end of Hydra's log is written to the test log.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := launch(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("hydra on %s: end of its log:\n%s", s.PublicURL(), s.logTail())
		}
		s.Close()
	})
	return s
}

// Launch starts Hydra from Binary() on two free 127.0.0.1 ports, its files
// in a new temporary directory, and waits (at most two minutes) until both
// APIs are ready, its key sets are generated and the discovery document is
// served. For a TestMain;
// Close stops it.
func Launch(opts Options) (*Server, error) {
	dir, err := os.MkdirTemp("", "hydra-test-")
	if err != nil {
		return nil, err
	}
	s, err := launch(dir, opts)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	s.ownsDir = true
	return s, nil
}

func launch(dir string, opts Options) (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	var s *Server
	for range 3 { // a free port may be taken between choosing and binding it
		s = &Server{opts: opts, dir: dir, http: newHTTPClient()}
		if s.public, s.admin, err = freePorts(); err != nil {
			continue
		}
		if err = s.start(bin); err == nil {
			return s, nil
		}
		s.Close()
		if !errors.Is(err, errExited) {
			break
		}
	}
	return nil, fmt.Errorf("hydra does not start: %v\nend of its log:\n%s", err, s.logTail())
}

func (o Options) validate() error {
	switch o.Strategy {
	case "", JWT, Opaque:
	default:
		return fmt.Errorf("hydra: Options.Strategy %q is neither %q nor %q", o.Strategy, JWT, Opaque)
	}
	if o.Issuer != "" {
		if u, err := url.Parse(o.Issuer); err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("hydra: Options.Issuer %q is not an absolute URL", o.Issuer)
		}
	}
	if o.AccessTokenTTL < 0 {
		return fmt.Errorf("hydra: Options.AccessTokenTTL must not be negative")
	}
	return nil
}

func (s *Server) start(bin string) error {
	secret := make([]byte, 24)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	strategy, issuer := s.opts.Strategy, s.opts.Issuer
	if strategy == "" {
		strategy = JWT
	}
	if issuer == "" {
		issuer = s.PublicURL()
	}
	// Only these settings reach Hydra: none of the test process's
	// environment, and HOME is the server's directory, so no stray
	// configuration file is read.
	env := []string{
		"HOME=" + s.dir,
		"TMPDIR=" + s.dir,
		"DSN=memory",
		"SECRETS_SYSTEM=" + hex.EncodeToString(secret),
		"SERVE_PUBLIC_HOST=127.0.0.1",
		"SERVE_PUBLIC_PORT=" + strconv.Itoa(s.public),
		"SERVE_ADMIN_HOST=127.0.0.1",
		"SERVE_ADMIN_PORT=" + strconv.Itoa(s.admin),
		"URLS_SELF_PUBLIC=" + s.PublicURL(),
		"URLS_SELF_ISSUER=" + issuer,
		// Hydra derives jwks_uri from the issuer; name the public API's own.
		"WEBFINGER_OIDC_DISCOVERY_JWKS_URL=" + s.JWKSURL(),
		"STRATEGIES_ACCESS_TOKEN=" + string(strategy),
		"SQA_OPT_OUT=true", // no usage reports
		"LOG_LEAK_SENSITIVE_VALUES=false",
	}
	if s.opts.AccessTokenTTL > 0 {
		env = append(env, "TTL_ACCESS_TOKEN="+s.opts.AccessTokenTTL.String())
	}
	env = append(env, s.opts.Env...)

	logf, err := os.OpenFile(s.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close() // the child holds its own descriptor
	fmt.Fprintf(logf, "--- hydra serve all on public :%d, admin :%d\n", s.public, s.admin)
	cmd := exec.Command(bin, "serve", "all", "--dev", "--sqa-opt-out")
	cmd.Dir = s.dir
	cmd.Env = env
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd = cmd
	s.exited = make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()

	ctx, cancel := context.WithTimeout(context.Background(), startWait)
	defer cancel()
	if err := s.waitReady(ctx); err != nil {
		return err
	}
	// Hydra generates its key sets (4096-bit RSA) on first use, inside a
	// request that its 10 s write timeout may cut short on a busy machine:
	// have them generated now, before any test asks for a token.
	var body []byte
	if err := s.retry(ctx, func(ctx context.Context) error {
		return s.call(ctx, http.MethodGet, s.JWKSURL(), nil, "", http.StatusOK, &body)
	}); err != nil {
		return fmt.Errorf("hydra: key sets not generated: %w", err)
	}
	return s.discover(ctx)
}

// retry calls f until it succeeds, fails with a status other than
// expected (which a retry would not change) or ctx ends. Transport
// errors are retried: Hydra drops the connection of a request that
// outlived its write timeout, and the work of that request completes.
func (s *Server) retry(ctx context.Context, f func(context.Context) error) error {
	for {
		err := f(ctx)
		var status *StatusError
		if err == nil || errors.As(err, &status) {
			return err
		}
		select {
		case <-s.exited:
			return fmt.Errorf("%w (%v)", errExited, err)
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// waitReady polls both APIs' /health/ready until they answer 200.
func (s *Server) waitReady(ctx context.Context) error {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		if last = s.ready(ctx); last == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("%w before it was ready (%v)", errExited, s.cmd.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("hydra not ready within %s: %v", startWait, last)
		case <-tick.C:
		}
	}
}

func (s *Server) ready(ctx context.Context) error {
	for _, base := range []string{s.AdminURL(), s.PublicURL()} {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := s.call(ctx, http.MethodGet, base+"/health/ready", nil, "", http.StatusOK, nil)
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

// discover reads the issuer from Hydra's discovery document, and checks
// that the document sends clients to this server's public API for keys and
// tokens.
func (s *Server) discover(ctx context.Context) error {
	var doc struct {
		Issuer        string `json:"issuer"`
		JWKSURI       string `json:"jwks_uri"`
		TokenEndpoint string `json:"token_endpoint"`
	}
	if err := s.retry(ctx, func(ctx context.Context) error {
		return s.call(ctx, http.MethodGet, s.DiscoveryURL(), nil, "", http.StatusOK, &doc)
	}); err != nil {
		return err
	}
	if doc.Issuer == "" || doc.JWKSURI != s.JWKSURL() || doc.TokenEndpoint != s.TokenURL() {
		return fmt.Errorf("hydra: discovery document: issuer %q, jwks_uri %q, token_endpoint %q; want an issuer, %s and %s",
			doc.Issuer, doc.JWKSURI, doc.TokenEndpoint, s.JWKSURL(), s.TokenURL())
	}
	s.issuer = doc.Issuer
	return nil
}

// Close stops Hydra (SIGTERM, then SIGKILL after 10s) and, for a Server
// from Launch, removes its directory. Calling it again does nothing.
func (s *Server) Close() {
	s.stopOnce.Do(func() {
		s.http.CloseIdleConnections()
		if s.cmd != nil {
			_ = s.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-s.exited:
			case <-time.After(stopWait):
				_ = s.cmd.Process.Kill()
				<-s.exited
			}
		}
		if s.ownsDir {
			_ = os.RemoveAll(s.dir)
		}
	})
}

// PublicURL is the public API's base URL, http://127.0.0.1:PORT.
func (s *Server) PublicURL() string { return "http://127.0.0.1:" + strconv.Itoa(s.public) }

// AdminURL is the admin API's base URL, http://127.0.0.1:PORT.
func (s *Server) AdminURL() string { return "http://127.0.0.1:" + strconv.Itoa(s.admin) }

// Issuer is the issuer as Hydra's discovery document states it: the iss of
// its tokens.
func (s *Server) Issuer() string { return s.issuer }

// DiscoveryURL is the OpenID Connect discovery document's URL.
func (s *Server) DiscoveryURL() string {
	return s.PublicURL() + "/.well-known/openid-configuration"
}

// JWKSURL is the public JWK Set, the discovery document's jwks_uri: every
// key of the access token and ID token key sets, old and new.
func (s *Server) JWKSURL() string { return s.PublicURL() + "/.well-known/jwks.json" }

// TokenURL is the token endpoint, the discovery document's token_endpoint.
func (s *Server) TokenURL() string { return s.PublicURL() + "/oauth2/token" }

// RevocationURL is the RFC 7009 revocation endpoint on the public API,
// which authenticates the client. (With an Options.Issuer other than the
// public URL, Hydra's discovery document names one under the issuer
// instead, where nothing serves it.)
func (s *Server) RevocationURL() string { return s.PublicURL() + "/oauth2/revoke" }

// IntrospectionURL is the RFC 7662 introspection endpoint. Hydra serves it
// on the admin API only, without client authentication.
func (s *Server) IntrospectionURL() string { return s.AdminURL() + "/admin/oauth2/introspect" }

func (s *Server) logPath() string { return filepath.Join(s.dir, "hydra.log") }

// logTail returns the last 8 KiB of Hydra's log.
func (s *Server) logTail() string {
	const max = 8 << 10
	f, err := os.Open(s.logPath())
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > max {
		_, _ = f.Seek(-max, io.SeekEnd)
	}
	b, _ := io.ReadAll(io.LimitReader(f, max))
	return string(b)
}

// freePorts returns two distinct free 127.0.0.1 ports.
func freePorts() (int, int, error) {
	var ports [2]int
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, 0, err
		}
		defer l.Close() // held until both are chosen, so they differ
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports[0], ports[1], nil
}
