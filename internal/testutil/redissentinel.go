package testutil

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// RedisSentinel is a primary, its replica and three Redis Sentinels on
// loopback for tests. The servers ask for one random password, the
// sentinels for another. A sentinel declares the primary down after two
// seconds without answer; two of them agreeing start the failover.
type RedisSentinel struct {
	// Servers are the primary at start and its replica; a failover swaps
	// their roles.
	Servers   []*RedisServer
	Sentinels []*RedisServer
	// Master is the name the sentinels monitor the primary under.
	Master           string
	password         string
	sentinelPassword string
	dir              string
	ownsDir          bool
}

// sentinelFailoverTimeout is the sentinels' failover-timeout: a second
// failover of the same primary waits twice as long after the first.
// sentinelDownAfter is how long a primary may not answer before a
// sentinel calls it down: short for quick tests, long enough that a busy
// test machine does not make them fail over a primary that is only slow.
const (
	sentinelFailoverTimeout = 3 * time.Second
	sentinelDownAfter       = 2 * time.Second
)

// StartRedisSentinel starts the servers and sentinels for one test and
// ends them when the test ends.
func StartRedisSentinel(t testing.TB) *RedisSentinel {
	t.Helper()
	s, err := launchRedisSentinel(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// LaunchRedisSentinel starts a primary, a replica of it and three
// sentinels monitoring it, on free loopback ports, and waits until the
// replica is in sync and the sentinels know each other and the replica.
// For a TestMain; Close ends it.
func LaunchRedisSentinel() (*RedisSentinel, error) {
	dir, err := os.MkdirTemp("", "redis-sentinel-test-")
	if err != nil {
		return nil, err
	}
	s, err := launchRedisSentinel(dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	s.ownsDir = true
	return s, nil
}

func launchRedisSentinel(dir string) (*RedisSentinel, error) {
	s := &RedisSentinel{Master: "tgmaster", password: RandomPassword(), sentinelPassword: RandomPassword(), dir: dir}
	server := func(name string, args ...string) (*RedisServer, error) {
		d := filepath.Join(dir, name)
		if err := os.Mkdir(d, 0o700); err != nil {
			return nil, err
		}
		return launchRedis(d, RedisOptions{Password: s.password, Args: append([]string{
			"--requirepass", s.password, "--masterauth", s.password, "--repl-diskless-sync-delay", "0",
		}, args...)})
	}
	primary, err := server("primary")
	if err != nil {
		return nil, err
	}
	s.Servers = append(s.Servers, primary)
	replica, err := server("replica", "--replicaof", "127.0.0.1", strconv.Itoa(primary.Port()))
	if err != nil {
		s.Close()
		return nil, err
	}
	s.Servers = append(s.Servers, replica)
	conf := fmt.Sprintf("sentinel monitor %[1]s 127.0.0.1 %[2]d 2\n"+
		"sentinel auth-pass %[1]s %[3]s\n"+
		"sentinel down-after-milliseconds %[1]s %[6]d\n"+
		"sentinel failover-timeout %[1]s %[4]d\n"+
		"sentinel parallel-syncs %[1]s 1\n"+
		"requirepass %[5]s\n"+
		"sentinel sentinel-pass %[5]s\n",
		s.Master, primary.Port(), s.password, sentinelFailoverTimeout.Milliseconds(), s.sentinelPassword,
		sentinelDownAfter.Milliseconds())
	s.Sentinels = make([]*RedisServer, 3)
	errs := make([]error, len(s.Sentinels))
	var wg sync.WaitGroup
	for i := range s.Sentinels {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := filepath.Join(dir, "sentinel"+strconv.Itoa(i))
			if errs[i] = os.Mkdir(d, 0o700); errs[i] == nil {
				s.Sentinels[i], errs[i] = launchRedis(d, RedisOptions{Sentinel: true, Config: conf, Password: s.sentinelPassword})
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.WaitHealthy(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Password is the password of the servers.
func (s *RedisSentinel) Password() string { return s.password }

// SentinelPassword is the password of the sentinels.
func (s *RedisSentinel) SentinelPassword() string { return s.sentinelPassword }

// URL names the setup as TOKENGATE_STORE_URL does: the servers' password,
// the sentinels' addresses and the master name, and the sentinels'
// password as a parameter.
func (s *RedisSentinel) URL() string {
	addrs := make([]string, len(s.Sentinels))
	for i, n := range s.Sentinels {
		addrs[i] = n.Addr()
	}
	return "redis+sentinel://:" + s.password + "@" + strings.Join(addrs, ",") + "/" + s.Master +
		"?sentinel_password=" + s.sentinelPassword
}

// Primary returns the server the sentinels name as primary now, or nil
// when they do not agree.
func (s *RedisSentinel) Primary() *RedisServer {
	var addr string
	for _, n := range s.Sentinels {
		reply, err := n.Do("SENTINEL", "GET-MASTER-ADDR-BY-NAME", s.Master)
		if err != nil {
			return nil
		}
		a := strings.Replace(reply, "\n", ":", 1)
		if addr != "" && a != addr {
			return nil
		}
		addr = a
	}
	for _, srv := range s.Servers {
		if srv.Addr() == addr {
			return srv
		}
	}
	return nil
}

// WaitHealthy waits, bounded, until both servers run, the sentinels
// agree on the primary, the other server replicates it in sync, and
// every sentinel knows the replica and the two other sentinels.
func (s *RedisSentinel) WaitHealthy() error {
	return waitFor(clusterWait, func() error {
		p := s.Primary()
		if p == nil {
			return errors.New("the sentinels do not agree on a primary")
		}
		for _, srv := range s.Servers {
			if !srv.Running() {
				return fmt.Errorf("server %s is not running", srv.Addr())
			}
			if srv != p && (srv.Info("role") != "slave" || srv.Info("master_link_status") != "up") {
				return fmt.Errorf("replica %s is not in sync", srv.Addr())
			}
		}
		if p.Info("role") != "master" {
			return fmt.Errorf("%s is named primary but is a %s", p.Addr(), p.Info("role"))
		}
		for _, n := range s.Sentinels {
			reply, err := n.Do("SENTINEL", "MASTER", s.Master)
			if err != nil {
				return err
			}
			f := strings.Split(reply, "\n")
			fields := map[string]string{}
			for i := 0; i+1 < len(f); i += 2 {
				fields[f[i]] = f[i+1]
			}
			if fields["num-slaves"] != "1" || fields["num-other-sentinels"] != "2" || fields["flags"] != "master" {
				return fmt.Errorf("sentinel %s: %v", n.Addr(), fields)
			}
		}
		return nil
	})
}

// WaitCaughtUp waits, bounded, until the replica has acknowledged all the
// primary sent it: after WaitHealthy, with no writes going on, the state
// a test can stop the primary from without losing what was written
// before.
func (s *RedisSentinel) WaitCaughtUp() error {
	return waitFor(clusterWait, func() error {
		p := s.Primary()
		if p == nil {
			return errors.New("the sentinels do not agree on a primary")
		}
		return caughtUp(p)
	})
}

// WaitFailover waits, bounded, until the sentinels agree on another
// primary than old, and that primary says it is one.
func (s *RedisSentinel) WaitFailover(old *RedisServer) error {
	err := waitFor(clusterWait, func() error {
		p := s.Primary()
		if p == nil || p == old || p.Info("role") != "master" {
			return errors.New("no new primary yet")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w; the sentinels logged:\n%s", err, logTails(s.Sentinels))
	}
	return nil
}

// Rejoin starts a server that was stopped or killed again as a replica of
// the current primary, the way an operator brings a failed primary back,
// and waits until the setup is healthy again. Should the sentinels still
// name it primary (no failover happened), it comes back as the primary.
func (s *RedisSentinel) Rejoin(t testing.TB, srv *RedisServer) {
	t.Helper()
	args := []string{}
	for i := 0; i < len(srv.opts.Args); i++ {
		if srv.opts.Args[i] == "--replicaof" {
			i += 2
			continue
		}
		args = append(args, srv.opts.Args[i])
	}
	if p := s.Primary(); p != nil && p != srv {
		args = append(args, "--replicaof", "127.0.0.1", strconv.Itoa(p.Port()))
	} // else no failover happened: srv comes back as the primary
	srv.opts.Args = args
	srv.Start(t)
	if err := s.WaitHealthy(); err != nil {
		t.Fatal(err)
	}
}

// Close ends the sentinels and the servers.
func (s *RedisSentinel) Close() {
	for _, n := range append(s.Sentinels, s.Servers...) {
		if n != nil {
			n.Close()
		}
	}
	if s.ownsDir {
		_ = os.RemoveAll(s.dir)
	}
}
