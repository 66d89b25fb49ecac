package testutil

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// RedisCluster is a real Redis Cluster on loopback for tests: three
// primaries, each with one replica, every node asking for one random
// password. Nodes declare a peer failed after a second
// (cluster-node-timeout 1000), so a failover takes a few seconds.
type RedisCluster struct {
	// Nodes are the six servers, primaries and replicas in no fixed order:
	// a failover swaps their roles.
	Nodes    []*RedisServer
	password string
	dir      string
	ownsDir  bool
}

// clusterSize is the number of primaries; each has one replica.
const clusterSize = 3

// clusterWait bounds forming the cluster, a failover, a node's rejoining.
const clusterWait = 30 * time.Second

// StartRedisCluster starts a cluster for one test and ends it when the
// test ends.
func StartRedisCluster(t testing.TB) *RedisCluster {
	t.Helper()
	c, err := launchRedisCluster(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// LaunchRedisCluster starts six redis-servers in cluster mode on free
// loopback ports, joins them with redis-cli --cluster create (three
// primaries, one replica each) and waits until every node reports the
// cluster healthy. For a TestMain; Close ends it.
func LaunchRedisCluster() (*RedisCluster, error) {
	dir, err := os.MkdirTemp("", "redis-cluster-test-")
	if err != nil {
		return nil, err
	}
	c, err := launchRedisCluster(dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	c.ownsDir = true
	return c, nil
}

func launchRedisCluster(dir string) (*RedisCluster, error) {
	if _, err := exec.LookPath("redis-cli"); err != nil {
		return nil, ErrNoRedis
	}
	c := &RedisCluster{password: RandomPassword(), dir: dir, Nodes: make([]*RedisServer, 2*clusterSize)}
	errs := make([]error, len(c.Nodes))
	var wg sync.WaitGroup
	for i := range c.Nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nodeDir := filepath.Join(dir, "node"+strconv.Itoa(i))
			if err := os.Mkdir(nodeDir, 0o700); err != nil {
				errs[i] = err
				return
			}
			c.Nodes[i], errs[i] = launchRedis(nodeDir, RedisOptions{Password: c.password, Args: []string{
				"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
				"--cluster-port", "{busport}", "--cluster-node-timeout", "1000",
				"--cluster-replica-validity-factor", "0", "--repl-diskless-sync-delay", "0",
				"--requirepass", c.password, "--masterauth", c.password,
			}})
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		c.Close()
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), clusterWait)
	defer cancel()
	args := []string{"--cluster", "create"}
	args = append(args, c.Addrs()...)
	args = append(args, "--cluster-replicas", "1", "--cluster-yes")
	cmd := exec.CommandContext(ctx, "redis-cli", args...)
	cmd.Env = append(os.Environ(), "REDISCLI_AUTH="+c.password)
	if out, err := cmd.CombinedOutput(); err != nil {
		c.Close()
		return nil, fmt.Errorf("redis-cli --cluster create: %v\n%s", err, out)
	}
	if err := c.WaitHealthy(); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Password is the password of every node.
func (c *RedisCluster) Password() string { return c.password }

// Addrs are the host:port of every node.
func (c *RedisCluster) Addrs() []string {
	out := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = n.Addr()
	}
	return out
}

// URL names the cluster as TOKENGATE_STORE_URL does: the first node in
// the URL's host, the others as addr= parameters, and the password.
func (c *RedisCluster) URL() string {
	addrs := c.Addrs()
	q := make([]string, 0, len(addrs)-1)
	for _, a := range addrs[1:] {
		q = append(q, "addr="+a)
	}
	return "redis://:" + c.password + "@" + addrs[0] + "?" + strings.Join(q, "&")
}

// Primaries returns the running nodes that are primaries now.
func (c *RedisCluster) Primaries() []*RedisServer {
	var out []*RedisServer
	for _, n := range c.Nodes {
		if n.Running() && n.Info("role") == "master" {
			out = append(out, n)
		}
	}
	return out
}

// PrimaryFor returns the running primary that serves key now.
func (c *RedisCluster) PrimaryFor(key string) (*RedisServer, error) {
	slot, err := c.Slot(key)
	if err != nil {
		return nil, err
	}
	for _, p := range c.Primaries() {
		nodes, err := p.Do("CLUSTER", "NODES")
		if err != nil {
			return nil, err
		}
		for _, line := range strings.Split(nodes, "\n") {
			if f := strings.Fields(line); len(f) > 8 && strings.Contains(f[2], "myself") && servesSlot(f[8:], slot) {
				return p, nil
			}
		}
	}
	return nil, fmt.Errorf("no running primary serves slot %d", slot)
}

// servesSlot reports whether the slot ranges of a CLUSTER NODES line
// ("0-5460", "5461") hold slot.
func servesSlot(ranges []string, slot int) bool {
	for _, r := range ranges {
		lo, hi, found := strings.Cut(r, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			continue // a slot being migrated: [slot->-node]
		}
		b := a
		if found {
			b, _ = strconv.Atoi(hi)
		}
		if slot >= a && slot <= b {
			return true
		}
	}
	return false
}

// Slot returns the hash slot of key, as the cluster computes it.
func (c *RedisCluster) Slot(key string) (int, error) {
	for _, n := range c.Nodes {
		if n.Running() {
			s, err := n.Do("CLUSTER", "KEYSLOT", key)
			if err != nil {
				return 0, err
			}
			return strconv.Atoi(s)
		}
	}
	return 0, errors.New("no node runs")
}

// WaitHealthy waits, bounded, until every node runs and reports the
// cluster ok with all slots served, and every primary has a replica in
// sync.
func (c *RedisCluster) WaitHealthy() error {
	return waitFor(clusterWait, func() error {
		primaries := 0
		for _, n := range c.Nodes {
			if !n.Running() {
				return fmt.Errorf("node %s is not running", n.Addr())
			}
			if err := clusterOK(n); err != nil {
				return err
			}
			switch n.Info("role") {
			case "master":
				primaries++
				if !strings.Contains(n.Info("slave0"), "state=online") {
					return fmt.Errorf("primary %s has no replica in sync", n.Addr())
				}
			case "slave":
				if n.Info("master_link_status") != "up" {
					return fmt.Errorf("replica %s is not in sync", n.Addr())
				}
			}
		}
		if primaries != clusterSize {
			return fmt.Errorf("%d primaries, want %d", primaries, clusterSize)
		}
		return nil
	})
}

// WaitCaughtUp waits, bounded, until the replica of every primary has
// acknowledged all it was sent: after WaitHealthy, with no writes going
// on, the state a test can stop a primary from without losing what was
// written before (a replica that just synced may still be applying the
// writes of its sync).
func (c *RedisCluster) WaitCaughtUp() error {
	return waitFor(clusterWait, func() error {
		for _, p := range c.Primaries() {
			if err := caughtUp(p); err != nil {
				return err
			}
		}
		return nil
	})
}

// WaitFailover waits, bounded, until every running node has marked the
// stopped node failed and serves all slots without it: its replica has
// taken over.
func (c *RedisCluster) WaitFailover(stopped *RedisServer) error {
	err := waitFor(clusterWait, func() error {
		for _, n := range c.Nodes {
			if !n.Running() {
				continue
			}
			if err := clusterOK(n); err != nil {
				return err
			}
			nodes, err := n.Do("CLUSTER", "NODES")
			if err != nil {
				return err
			}
			for _, line := range strings.Split(nodes, "\n") {
				f := strings.Fields(line)
				if len(f) < 8 || !strings.HasPrefix(f[1], stopped.Addr()+"@") {
					continue
				}
				if !strings.Contains(f[2], "fail") || strings.Contains(f[2], "fail?") || len(f) > 8 {
					return fmt.Errorf("node %s still sees %s as %s", n.Addr(), stopped.Addr(), f[2])
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w; the nodes logged:\n%s", err, logTails(c.Nodes))
	}
	return nil
}

// clusterOK checks that n reports the cluster ok with every slot served.
func clusterOK(n *RedisServer) error {
	info, err := n.Do("CLUSTER", "INFO")
	if err != nil {
		return err
	}
	if infoField(info, "cluster_state") != "ok" || infoField(info, "cluster_slots_ok") != "16384" {
		return fmt.Errorf("node %s: cluster_state %s, slots ok %s", n.Addr(),
			infoField(info, "cluster_state"), infoField(info, "cluster_slots_ok"))
	}
	return nil
}

// Close ends every node.
func (c *RedisCluster) Close() {
	for _, n := range c.Nodes {
		if n != nil {
			n.Close()
		}
	}
	if c.ownsDir {
		_ = os.RemoveAll(c.dir)
	}
}
