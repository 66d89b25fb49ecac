package testutil

import (
	"bufio"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// RedisServer is a real redis-server on a free loopback port, for tests.
// Tests that need Redis fail, never skip, when redis-server is not
// installed: scripts/test.sh installs Debian's package, so CI has it.
type RedisServer struct {
	dir     string
	port    int
	busPort int // a second port, for {busport} in RedisOptions.Args
	opts    RedisOptions
	ownsDir bool // Close removes dir

	mu     sync.Mutex
	proc   *os.Process   // nil while stopped
	exited chan struct{} // closed when proc has exited
}

// RedisOptions changes how a test server runs. The zero value is a plain
// server without password or persistence.
type RedisOptions struct {
	// Args are further redis-server arguments, after the defaults
	// ("--requirepass", "secret"). They may contain {port} and {dir},
	// replaced by the server's port and directory, and {busport}, a
	// second free port (a cluster node's bus).
	Args []string
	// Config, when set, is written to redis.conf in the server's
	// directory before its first start and given as the config file: a
	// sentinel needs one it can rewrite. {port} and {dir} are replaced.
	Config string
	// Sentinel runs the server as a Redis Sentinel (--sentinel).
	Sentinel bool
	// User and Password authenticate every command of Do (AUTH).
	User, Password string
	// TLS serves TLS only, on the server's port, with this certificate;
	// Do connects through TLS too.
	TLS *TLSFiles
}

// redisWait bounds how long a starting or stopping server may take.
const redisWait = 10 * time.Second

// ErrNoRedis: redis-server is not on PATH.
var ErrNoRedis = errors.New("redis-server is not installed: these tests run against a real Redis; " +
	"install it (Debian: apt-get install redis-server) or run bash scripts/test.sh, which does")

// StartRedis starts a redis-server for one test (see LaunchRedis) and
// stops it when the test ends.
func StartRedis(t testing.TB) *RedisServer {
	t.Helper()
	return StartRedisWith(t, RedisOptions{})
}

// StartRedisWith starts a redis-server with opts for one test and stops it
// when the test ends.
func StartRedisWith(t testing.TB, opts RedisOptions) *RedisServer {
	t.Helper()
	r, err := launchRedis(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

// LaunchRedis starts redis-server from PATH on a free 127.0.0.1 port,
// with its files in a new temporary directory and no persistence, and
// waits until it answers PING. For a TestMain; Close stops it.
func LaunchRedis() (*RedisServer, error) { return LaunchRedisWith(RedisOptions{}) }

// LaunchRedisWith is LaunchRedis with opts.
func LaunchRedisWith(opts RedisOptions) (*RedisServer, error) {
	dir, err := os.MkdirTemp("", "redis-test-")
	if err != nil {
		return nil, err
	}
	r, err := launchRedis(dir, opts)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	r.ownsDir = true
	return r, nil
}

func launchRedis(dir string, opts RedisOptions) (*RedisServer, error) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		return nil, ErrNoRedis
	}
	r := &RedisServer{dir: dir, opts: opts}
	var err error
	for range 3 { // the free ports may be taken between choosing and binding them
		if r.port, err = FreePort(); err != nil {
			continue
		}
		if r.busPort, err = FreePort(); err != nil || r.busPort == r.port {
			continue
		}
		if opts.Config != "" {
			if err = os.WriteFile(filepath.Join(dir, "redis.conf"), []byte(r.expand(opts.Config)), 0o600); err != nil {
				return nil, err
			}
		}
		if err = r.start(); err == nil {
			return r, nil
		}
	}
	return nil, fmt.Errorf("redis-server does not start: %v\n%s", err, r.Log())
}

// RandomPassword returns a fresh password for a test server, so that a
// test can search logs and errors for it.
func RandomPassword() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "pw" + hex.EncodeToString(b)
}

// Addr is the server's host:port.
func (r *RedisServer) Addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

// Port is the server's port.
func (r *RedisServer) Port() int { return r.port }

// URL is a redis:// URL of database db (rediss:// for a TLS server), with
// the server's credentials.
func (r *RedisServer) URL(db int) string {
	scheme := "redis"
	if r.opts.TLS != nil {
		scheme = "rediss"
	}
	return fmt.Sprintf("%s://%s%s/%d", scheme, userinfo(r.opts.User, r.opts.Password), r.Addr(), db)
}

// userinfo is the user:password@ part of a URL ("" without password).
func userinfo(user, password string) string {
	if password == "" {
		return ""
	}
	return user + ":" + password + "@"
}

// expand replaces {port}, {busport} and {dir} in s.
func (r *RedisServer) expand(s string) string {
	return strings.NewReplacer("{port}", strconv.Itoa(r.port), "{busport}", strconv.Itoa(r.busPort),
		"{dir}", r.dir).Replace(s)
}

// Stop shuts the server down, saving its data in its directory first, so
// that Start brings it back with the same records (as a Redis with
// persistence would). Until then connections are refused.
func (r *RedisServer) Stop(t testing.TB) {
	t.Helper()
	r.mu.Lock()
	exited := r.exited
	r.mu.Unlock()
	_, err := r.Do("SHUTDOWN", "SAVE") // the server closes the connection instead of answering
	select {
	case <-exited:
	case <-time.After(redisWait):
		t.Fatalf("redis-server did not shut down: %v\n%s", err, r.Log())
	}
	r.mu.Lock()
	r.proc = nil
	r.mu.Unlock()
}

// Kill ends the server at once (SIGKILL), as a crash would: whatever it
// had not yet sent to its replicas is lost.
func (r *RedisServer) Kill(t testing.TB) {
	t.Helper()
	r.mu.Lock()
	proc, exited := r.proc, r.exited
	r.proc = nil
	r.mu.Unlock()
	if proc == nil {
		t.Fatal("redis-server is not running")
	}
	_ = proc.Kill()
	<-exited
}

// Start starts a stopped server again on the same port and waits until it
// answers.
func (r *RedisServer) Start(t testing.TB) {
	t.Helper()
	if err := r.start(); err != nil {
		t.Fatalf("redis-server does not restart: %v\n%s", err, r.Log())
	}
}

// Running reports whether the server process runs (paused included).
func (r *RedisServer) Running() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.proc != nil
}

// Pause freezes the server (SIGSTOP): connections are accepted but never
// answered, as with a hung server. Resume ends it.
func (r *RedisServer) Pause(t testing.TB) { t.Helper(); r.signal(t, syscall.SIGSTOP) }

// Resume lets a paused server run again.
func (r *RedisServer) Resume(t testing.TB) { t.Helper(); r.signal(t, syscall.SIGCONT) }

func (r *RedisServer) signal(t testing.TB, sig syscall.Signal) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.proc == nil {
		t.Fatal("redis-server is not running")
	}
	if err := r.proc.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// args is the command line of the server.
func (r *RedisServer) args() []string {
	var args []string
	if r.opts.Config != "" {
		args = append(args, filepath.Join(r.dir, "redis.conf"))
	}
	port := []string{"--port", strconv.Itoa(r.port)}
	if tf := r.opts.TLS; tf != nil {
		port = []string{"--port", "0", "--tls-port", strconv.Itoa(r.port),
			"--tls-cert-file", tf.CertFile, "--tls-key-file", tf.KeyFile,
			"--tls-ca-cert-file", tf.CAFile, "--tls-auth-clients", "no"}
	}
	args = append(args, port...)
	args = append(args, "--bind", "127.0.0.1", "--dir", r.dir, "--daemonize", "no",
		"--logfile", filepath.Join(r.dir, "redis.log"))
	if r.opts.Sentinel {
		args = append(args, "--sentinel")
	} else {
		args = append(args, "--save", "", "--appendonly", "no")
	}
	for _, a := range r.opts.Args {
		args = append(args, r.expand(a))
	}
	return args
}

func (r *RedisServer) start() error {
	cmd := exec.Command("redis-server", r.args()...)
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	deadline := time.Now().Add(redisWait)
	for {
		// The answer must come from this process, not from another
		// server that took the port first.
		if pid, err := r.Do("INFO", "server"); err == nil && infoField(pid, "process_id") == strconv.Itoa(cmd.Process.Pid) {
			break
		}
		select {
		case <-exited:
			return fmt.Errorf("redis-server exited: %v", cmd.ProcessState)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			return fmt.Errorf("no PONG within %v", redisWait)
		}
	}
	r.mu.Lock()
	r.proc, r.exited = cmd.Process, exited
	r.mu.Unlock()
	return nil
}

// Close ends the server, running, paused or stopped.
func (r *RedisServer) Close() {
	r.mu.Lock()
	proc, exited := r.proc, r.exited
	r.proc = nil
	r.mu.Unlock()
	if proc != nil {
		_ = proc.Kill()
		<-exited
	}
	if r.ownsDir {
		_ = os.RemoveAll(r.dir)
	}
}

// Log returns the server's log file.
func (r *RedisServer) Log() string {
	data, _ := os.ReadFile(filepath.Join(r.dir, "redis.log"))
	return string(data)
}

// logTails returns the last lines of the logs of servers, for a failure
// message.
func logTails(servers []*RedisServer) string {
	var b strings.Builder
	for _, srv := range servers {
		lines := strings.Split(strings.TrimSpace(srv.Log()), "\n")
		fmt.Fprintf(&b, "-- %s\n%s\n", srv.Addr(), strings.Join(lines[max(0, len(lines)-12):], "\n"))
	}
	return b.String()
}

// Do sends one command over a new connection (after AUTH when the server
// has a password) and returns its reply as text: a status, an integer or
// a bulk string; an array is its elements, one a line. Enough for PING,
// PTTL, INFO, CLUSTER NODES or SENTINEL in tests, without a client
// library.
func (r *RedisServer) Do(args ...string) (string, error) {
	var conn net.Conn
	var err error
	d := &net.Dialer{Timeout: time.Second}
	if tf := r.opts.TLS; tf != nil {
		conn, err = tls.DialWithDialer(d, "tcp", r.Addr(), tf.ClientConfig())
	} else {
		conn, err = d.Dial("tcp", r.Addr())
	}
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(redisWait))
	rd := bufio.NewReader(conn)
	if r.opts.Password != "" {
		auth := []string{"AUTH", r.opts.Password}
		if r.opts.User != "" {
			auth = []string{"AUTH", r.opts.User, r.opts.Password}
		}
		if err := writeCommand(conn, auth); err != nil {
			return "", err
		}
		if _, err := readReply(rd); err != nil {
			return "", err
		}
	}
	if err := writeCommand(conn, args); err != nil {
		return "", err
	}
	return readReply(rd)
}

// Info returns one field of INFO (role, master_link_status...), "" when
// the server does not report it.
func (r *RedisServer) Info(field string) string {
	info, err := r.Do("INFO")
	if err != nil {
		return ""
	}
	return infoField(info, field)
}

// caughtUp checks that primary has a replica online that acknowledged
// everything it replicated: its offset equals the primary's.
// Replicas acknowledge once a second, so a quiet primary's replica is
// seen caught up within about a second.
func caughtUp(primary *RedisServer) error {
	info, err := primary.Do("INFO", "replication")
	if err != nil {
		return err
	}
	replica := infoField(info, "slave0")
	if !strings.Contains(replica, "state=online") {
		return fmt.Errorf("primary %s has no replica online", primary.Addr())
	}
	if want := "offset=" + infoField(info, "master_repl_offset") + ","; !strings.Contains(replica, want) {
		return fmt.Errorf("the replica of %s has not caught up: %s, want %s", primary.Addr(), replica, want)
	}
	return nil
}

// infoField reads field: value from an INFO or CLUSTER INFO reply.
func infoField(info, field string) string {
	for _, line := range strings.Split(info, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok && k == field {
			return v
		}
	}
	return ""
}

func writeCommand(w io.Writer, args []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// readReply reads one RESP2 reply; arrays are flattened, one element a
// line, nil elements as empty lines.
func readReply(rd *bufio.Reader) (string, error) {
	line, err := rd.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("empty reply")
	}
	switch line[0] {
	case '+', ':':
		return line[1:], nil
	case '-':
		return "", errors.New("redis: " + line[1:])
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(rd, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", err
		}
		items := make([]string, n)
		for i := range items {
			if items[i], err = readReply(rd); err != nil {
				return "", err
			}
		}
		return strings.Join(items, "\n"), nil
	}
	return "", fmt.Errorf("unexpected reply %q", line)
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitFor polls cond every 20ms until it returns nil or within is over;
// then it returns cond's last error.
func waitFor(within time.Duration, cond func() error) error {
	deadline := time.Now().Add(within)
	for {
		err := cond()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}
