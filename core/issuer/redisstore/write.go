package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// durability says whether a write waits for replicas (Options.WaitReplicas)
// and what it does when they do not acknowledge it in time.
type durability int

const (
	// async: Redis replicates in the background; a failover may lose it.
	async durability = iota
	// acked: WAIT up to Options.WaitTimeout; fewer acknowledgements fail
	// the write with ErrNotReplicated. For writes a retry can repeat.
	acked
	// ackedOrVisible: WAIT until shortly before the call's deadline;
	// fewer acknowledgements still count as done, for a write that
	// others already see and that failing would make a retry misjudge
	// (a rotation's compare-and-swap).
	ackedOrVisible
)

// part is one key's share of a write: the commands fill queues on key.
type part struct {
	key  string
	fill func(p redis.Pipeliner)
}

// writeParts writes parts that may land in any order (a failure in between
// leaves nothing anyone uses): all in one pipeline, or, when they wait for
// replicas, one after the other on their primaries.
func (s *Store) writeParts(ctx context.Context, d durability, parts ...part) error {
	if d == async || s.waitN == 0 {
		_, err := s.write(ctx, async, "", func(p redis.Pipeliner) {
			for _, pt := range parts {
				pt.fill(p)
			}
		})
		return err
	}
	for _, pt := range parts {
		if _, err := s.write(ctx, d, pt.key, pt.fill); err != nil {
			return err
		}
	}
	return nil
}

// write runs the commands that fill queues as one pipeline and returns
// them once each has succeeded (redis.Nil counts as an answer). On a
// cluster the pipeline is split by node and the parts run at once, so
// fill must queue only commands whose order does not matter.
//
// A write that waits for replicas (d, with Options.WaitReplicas) runs on
// the primary that holds key, where fill must queue commands on key only,
// followed by WAIT on the same connection (WAIT counts the replicas that
// have every write of its connection so far).
//
// A pipeline cannot fall back from EVALSHA to EVAL command by command:
// when the server has forgotten a script (NOSCRIPT, after a restart or a
// failover to a fresh replica) the scripts are loaded and the pipeline
// runs once more. Every command the store queues is idempotent.
func (s *Store) write(ctx context.Context, d durability, key string, fill func(p redis.Pipeliner)) ([]redis.Cmder, error) {
	var target redis.Cmdable = s.rdb
	wait := d != async && s.waitN > 0
	var waitFor time.Duration
	if wait {
		node, err := s.primaryFor(ctx, key)
		if err != nil {
			return nil, err
		}
		target = node
		waitFor = s.waitTimeout
		if deadline, ok := ctx.Deadline(); ok && d == ackedOrVisible {
			waitFor = time.Until(deadline)
		}
		if rt := node.Options().ReadTimeout; rt > 0 {
			waitFor = min(waitFor, rt) // the reply must come before the read times out
		}
		waitFor = max(waitFor-waitSlack, time.Millisecond)
	}
	run := func() ([]redis.Cmder, error) {
		cmds, err := target.Pipelined(ctx, func(p redis.Pipeliner) error {
			fill(p)
			if wait {
				p.Do(ctx, "WAIT", s.waitN, waitFor.Milliseconds())
			}
			return nil
		})
		return cmds, pipelineError(cmds, err)
	}
	cmds, err := run()
	if isNoScript(err) {
		if err = loadScripts(ctx, target); err == nil {
			cmds, err = run()
		}
	}
	if err != nil {
		if c, ok := s.rdb.(*redis.ClusterClient); ok && wait && redis.HasErrorPrefix(err, "MOVED") {
			c.ReloadState(ctx) // the slot moved to another primary
		}
		return nil, err
	}
	if wait {
		acks, _ := cmds[len(cmds)-1].(*redis.Cmd).Int64()
		cmds = cmds[:len(cmds)-1]
		if acks < int64(s.waitN) && d == acked {
			return nil, fmt.Errorf("%w: %d of %d", ErrNotReplicated, acks, s.waitN)
		}
	}
	return cmds, nil
}

// waitSlack is what a WAIT leaves of the time the call or the read may
// take, for its reply to arrive.
const waitSlack = 50 * time.Millisecond

// primaryFor returns the client of the primary that holds key: the
// client itself unless it is a cluster's.
func (s *Store) primaryFor(ctx context.Context, key string) (*redis.Client, error) {
	switch c := s.rdb.(type) {
	case *redis.ClusterClient:
		return c.MasterForKey(ctx, key)
	case *redis.Client:
		return c, nil
	}
	return nil, fmt.Errorf("%w: WAIT needs a *redis.Client or *redis.ClusterClient", ErrBadOptions)
}

// pipelineError is the first failure among the commands of a pipeline,
// redis.Nil aside, or the pipeline's own error (err).
func pipelineError(cmds []redis.Cmder, err error) error {
	for _, c := range cmds {
		if e := c.Err(); e != nil && !errors.Is(e, redis.Nil) {
			return e
		}
	}
	if errors.Is(err, redis.Nil) {
		return nil
	}
	return err
}

// isNoScript reports whether err is the server's NOSCRIPT.
func isNoScript(err error) bool {
	return err != nil && redis.HasErrorPrefix(err, "NOSCRIPT")
}

// loadScripts loads every script of the store into target (on a
// cluster, into every primary).
func loadScripts(ctx context.Context, target redis.Cmdable) error {
	for _, sc := range scripts {
		if err := sc.Load(ctx, target).Err(); err != nil {
			return err
		}
	}
	return nil
}
