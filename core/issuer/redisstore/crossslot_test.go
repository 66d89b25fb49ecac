package redisstore_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/core/issuer/redisstore"
	"github.com/tokengate/tokengate/core/issuer/storetest"
	"github.com/tokengate/tokengate/internal/testutil"
)

// commandLog records every command the nodes of a cluster client sent,
// with the error it got: a go-redis hook on each node client.
type commandLog struct {
	mu   sync.Mutex
	sent []sentCommand
}

type sentCommand struct {
	args []string
	err  error
}

func (l *commandLog) DialHook(next redis.DialHook) redis.DialHook { return next }

func (l *commandLog) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		l.add(cmd)
		return err
	}
}

func (l *commandLog) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		for _, c := range cmds {
			l.add(c)
		}
		return err
	}
}

func (l *commandLog) add(c redis.Cmder) {
	args := make([]string, len(c.Args()))
	for i, a := range c.Args() {
		args[i] = fmt.Sprint(a)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sent = append(l.sent, sentCommand{args, c.Err()})
}

// hookedCluster is a client of the shared cluster whose nodes record
// every command into log.
func hookedCluster(t *testing.T, log *commandLog) *redis.ClusterClient {
	t.Helper()
	o, err := redis.ParseClusterURL(cluster.URL())
	if err != nil {
		t.Fatal(err)
	}
	o.ContextTimeoutEnabled = true
	c := redis.NewClusterClient(o)
	c.OnNewNode(func(n *redis.Client) { n.AddHook(log) })
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// slotCheck reads log: the commands whose keys span several hash slots,
// or that the cluster refused with CROSSSLOT, and the SHA-1 of every
// script that ran. The keys of a command are what the server says they
// are (COMMAND GETKEYS), their slots what it computes (CLUSTER KEYSLOT).
func slotCheck(t *testing.T, log *commandLog) (violations []string, scripts map[string]bool, noScript bool) {
	t.Helper()
	probe := cluster.Nodes[0]
	scripts = map[string]bool{}
	seen := map[string]bool{}
	log.mu.Lock()
	sent := append([]sentCommand(nil), log.sent...)
	log.mu.Unlock()
	for _, c := range sent {
		line := strings.Join(c.args, " ")
		if c.err != nil && strings.Contains(c.err.Error(), "CROSSSLOT") {
			violations = append(violations, fmt.Sprintf("%.80s: %v", line, c.err))
			continue
		}
		if c.err != nil && strings.HasPrefix(c.err.Error(), "NOSCRIPT") {
			noScript = true
		}
		switch strings.ToLower(c.args[0]) {
		case "evalsha":
			scripts[c.args[1]] = true
		case "eval":
			sum := sha1.Sum([]byte(c.args[1]))
			scripts[hex.EncodeToString(sum[:])] = true
		}
		if seen[line] {
			continue
		}
		seen[line] = true
		reply, err := probe.Do(append([]string{"COMMAND", "GETKEYS"}, c.args...)...)
		if err != nil {
			continue // a command without keys (CLUSTER SLOTS, WAIT, SCRIPT LOAD)
		}
		slots := map[int]bool{}
		for _, k := range strings.Split(reply, "\n") {
			s, err := cluster.Slot(k)
			if err != nil {
				t.Fatal(err)
			}
			slots[s] = true
		}
		if len(slots) > 1 {
			violations = append(violations, fmt.Sprintf("%.80s: keys in %d slots", line, len(slots)))
		}
	}
	return violations, scripts, noScript
}

// TestNoCommandCrossesSlots runs everything the store does against the
// real cluster, with and without WAIT, after the nodes forgot every
// script: no command, scripts included, touches keys of more than one
// hash slot, none is refused with CROSSSLOT, and every script ran.
func TestNoCommandCrossesSlots(t *testing.T) {
	for _, wait := range []int{0, 1} {
		t.Run(fmt.Sprintf("WAIT %d", wait), func(t *testing.T) {
			log := &commandLog{}
			client := hookedCluster(t, log)
			ctx := context.Background()
			if err := client.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
				return m.ScriptFlush(ctx).Err()
			}); err != nil {
				t.Fatal(err)
			}
			newStore := func(t *testing.T, now func() time.Time) issuer.Store {
				s, err := redisstore.New(client, redisstore.Options{Prefix: nextPrefix("slots"), Now: now, WaitReplicas: wait})
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			clock := testutil.NewClock(testutil.Epoch)
			walk(t, newStore(t, clock.Now), clock)
			storetest.Run(t, newStore)

			violations, scripts, noScript := slotCheck(t, log)
			for _, v := range violations {
				t.Error(v)
			}
			for name, sha := range redisstore.ScriptHashes() {
				if !scripts[sha] {
					t.Errorf("the %s script never ran", name)
				}
			}
			if !noScript {
				t.Error("no NOSCRIPT seen: the flushed scripts were not reloaded by the store")
			}
		})
	}
	t.Run("the check sees commands across slots", func(t *testing.T) {
		log := &commandLog{}
		client := hookedCluster(t, log)
		ctx := context.Background()
		a, b := "{a}k", "{b}k" // two hash slots
		_ = client.Do(ctx, "MGET", a, b).Err()
		_ = client.Eval(ctx, "return 1", []string{a, b}).Err()
		if violations, _, _ := slotCheck(t, log); len(violations) != 2 {
			t.Fatalf("found %v, want the MGET and the script", violations)
		}
	})
}
