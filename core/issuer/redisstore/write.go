package redisstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// write runs the commands that fill queues as one pipeline and returns
// them once each has succeeded (redis.Nil counts as an answer). On a
// cluster the pipeline is split by node and the parts run at once, so
// fill must queue only commands whose order does not matter.
//
// A durable write (a rotation, a revocation) is followed, when
// Options.WaitReplicas is set, by WAIT on the same connection of the
// primary that holds key, where fill must queue commands on key only:
// fewer acknowledgements than asked is ErrNotReplicated.
//
// A pipeline cannot fall back from EVALSHA to EVAL command by command:
// when the server has forgotten a script (NOSCRIPT, after a restart or a
// failover to a fresh replica) the scripts are loaded and the pipeline
// runs once more. Every command the store queues is idempotent.
func (s *Store) write(ctx context.Context, durable bool, key string, fill func(p redis.Pipeliner)) ([]redis.Cmder, error) {
	var target redis.Cmdable = s.rdb
	wait := durable && s.waitN > 0
	if wait {
		node, err := s.primaryFor(ctx, key)
		if err != nil {
			return nil, err
		}
		target = node
	}
	run := func() ([]redis.Cmder, error) {
		cmds, err := target.Pipelined(ctx, func(p redis.Pipeliner) error {
			fill(p)
			if wait {
				p.Do(ctx, "WAIT", s.waitN, s.waitTimeout.Milliseconds())
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
		if c, ok := s.rdb.(*redis.ClusterClient); ok && wait {
			c.ReloadState(ctx) // the slot may have moved to another primary
		}
		return nil, err
	}
	if wait {
		acks, _ := cmds[len(cmds)-1].(*redis.Cmd).Int64()
		if acks < int64(s.waitN) {
			return nil, fmt.Errorf("%w: %d of %d", ErrNotReplicated, acks, s.waitN)
		}
		cmds = cmds[:len(cmds)-1]
	}
	return cmds, nil
}

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
