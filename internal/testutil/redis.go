package testutil

import (
	"bufio"
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
	ownsDir bool // Close removes dir

	mu     sync.Mutex
	proc   *os.Process   // nil while stopped
	exited chan struct{} // closed when proc has exited
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
	r, err := launchRedis(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

// LaunchRedis starts redis-server from PATH on a free 127.0.0.1 port,
// with its files in a new temporary directory and no persistence, and
// waits until it answers PING. For a TestMain; Close stops it.
func LaunchRedis() (*RedisServer, error) {
	dir, err := os.MkdirTemp("", "redis-test-")
	if err != nil {
		return nil, err
	}
	r, err := launchRedis(dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	r.ownsDir = true
	return r, nil
}

func launchRedis(dir string) (*RedisServer, error) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		return nil, ErrNoRedis
	}
	r := &RedisServer{dir: dir}
	var err error
	for range 3 { // the free port may be taken between choosing it and binding it
		if r.port, err = freePort(); err != nil {
			continue
		}
		if err = r.start(); err == nil {
			return r, nil
		}
	}
	return nil, fmt.Errorf("redis-server does not start: %v\n%s", err, r.log())
}

// Addr is the server's host:port.
func (r *RedisServer) Addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

// URL is a redis:// URL of database db.
func (r *RedisServer) URL(db int) string { return fmt.Sprintf("redis://%s/%d", r.Addr(), db) }

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
		t.Fatalf("redis-server did not shut down: %v\n%s", err, r.log())
	}
	r.mu.Lock()
	r.proc = nil
	r.mu.Unlock()
}

// Start starts a stopped server again on the same port and waits until it
// answers.
func (r *RedisServer) Start(t testing.TB) {
	t.Helper()
	if err := r.start(); err != nil {
		t.Fatalf("redis-server does not restart: %v\n%s", err, r.log())
	}
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

func (r *RedisServer) start() error {
	cmd := exec.Command("redis-server",
		"--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--dir", r.dir, "--save", "", "--appendonly", "no",
		"--daemonize", "no", "--logfile", filepath.Join(r.dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	deadline := time.Now().Add(redisWait)
	for {
		if reply, err := r.Do("PING"); err == nil && reply == "PONG" {
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

// log returns the server's log file.
func (r *RedisServer) log() string {
	data, _ := os.ReadFile(filepath.Join(r.dir, "redis.log"))
	return string(data)
}

// Do sends one command over a new connection and returns its reply (a
// status, an integer or a bulk string) as text: enough for PING, PTTL or
// SHUTDOWN in tests, without a client library.
func (r *RedisServer) Do(args ...string) (string, error) {
	conn, err := net.DialTimeout("tcp", r.Addr(), time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(redisWait))
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := io.WriteString(conn, b.String()); err != nil {
		return "", err
	}
	rd := bufio.NewReader(conn)
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
	}
	return "", fmt.Errorf("unexpected reply %q", line)
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
