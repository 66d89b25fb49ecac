package redisstore_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/core/issuer/redisstore"
	"github.com/tokengate/tokengate/internal/testutil"
)

// faultShape is a shared setup whose primary a fault test kills.
type faultShape struct {
	name string
	url  func() string
	// victim is the primary to kill now, replica its replica; back brings
	// it back as a replica and waits until the setup is healthy.
	victim   func() *testutil.RedisServer
	replica  func(victim *testutil.RedisServer) *testutil.RedisServer
	failover func(*testutil.RedisServer) error
	back     func(testing.TB, *testutil.RedisServer)
	// healthy waits until the setup is healthy and its replicas have
	// caught up: a kill then loses only what is written after.
	healthy func() error
}

func faultShapes() map[string]faultShape {
	return map[string]faultShape{
		"cluster": {"cluster", cluster.URL,
			func() *testutil.RedisServer { return cluster.Primaries()[0] },
			func(v *testutil.RedisServer) *testutil.RedisServer {
				for _, n := range cluster.Nodes {
					if n.Running() && n.Info("role") == "slave" && n.Info("master_port") == strconv.Itoa(v.Port()) {
						return n
					}
				}
				return nil
			},
			cluster.WaitFailover,
			func(t testing.TB, s *testutil.RedisServer) {
				s.Start(t) // it rejoins and learns it was failed over
				if err := cluster.WaitHealthy(); err != nil {
					t.Fatal(err)
				}
			},
			func() error { return errors.Join(cluster.WaitHealthy(), cluster.WaitCaughtUp()) }},
		"sentinel": {"sentinel", sentinel.URL, sentinel.Primary,
			func(v *testutil.RedisServer) *testutil.RedisServer {
				for _, n := range sentinel.Servers {
					if n != v {
						return n
					}
				}
				return nil
			},
			sentinel.WaitFailover, sentinel.Rejoin,
			func() error { return errors.Join(sentinel.WaitHealthy(), sentinel.WaitCaughtUp()) }},
	}
}

// faultCounts are what a fault test saw. A "lost" write is one the store
// acknowledged and the new primary does not have: Redis replicates
// asynchronously, and only WAIT makes a write wait for a replica.
type faultCounts struct {
	refreshed, unavailable atomic.Int64
	// lostRotations: a refresh answered 200, then its new refresh token
	// was refused after the failover (the client signed out).
	lostRotations atomic.Int64
	// lostRevocations: a revocation answered 200, then its token was
	// accepted again.
	lostRevocations atomic.Int64
	// lostRecords: a sign-in or reference token written just before the
	// failover is unknown after it (writes WAIT does not cover).
	lostRecords atomic.Int64
	// killed is when the primary died (Unix nanoseconds), 0 before.
	killed atomic.Int64
}

// noteLoss counts a lost write and logs when it was seen.
func (c *faultCounts) noteLoss(t *testing.T, n *atomic.Int64, what string) {
	n.Add(1)
	at := "before the kill"
	if k := c.killed.Load(); k != 0 {
		at = time.Since(time.Unix(0, k)).Round(time.Millisecond).String() + " after the kill"
	}
	t.Logf("lost %s, seen %s", what, at)
}

// faultWorker is one client: its sign-in, refreshing over and over, now
// and then revoking the access token it just replaced.
type faultWorker struct {
	iss     *issuer.Issuer
	guard   *core.Guard
	store   *redisstore.Store
	counts  *faultCounts
	tok     *issuer.Tokens
	revoked []revokedToken
	ok      atomic.Int64 // refreshes that succeeded
}

// revokedToken is an access token a worker revoked; accepted: the Guard
// still took it right after.
type revokedToken struct {
	token    string
	accepted bool
}

// TestPrimaryKilledWhileRequestsRun kills the primary (of some slots, in
// the cluster) while eight clients refresh and revoke through an Issuer
// with reference tokens. Until a replica takes over, requests that need
// the dead primary answer 503; never a wrong 200 (a revoked token
// accepted), never a sign-out but for a write the old primary
// acknowledged and had not replicated, which the test counts. Then every
// client succeeds again, with the same Issuer and store: without WAIT as
// soon as the replica took over, with WAIT once a replica is back to
// acknowledge writes.
//
// In the "lagging" runs the replica stops receiving for a moment before
// the primary dies, as over a congested link: what the primary
// acknowledged meanwhile is lost, and the test sees it lost. With WAIT for
// one replica no rotation and no revocation is ever lost: those writes
// answer 503 while the replica lags.
func TestPrimaryKilledWhileRequestsRun(t *testing.T) {
	shapes := faultShapes()
	for _, tc := range []struct {
		shape string
		wait  int
		lag   bool
	}{
		{"cluster", 0, false}, {"sentinel", 0, false}, {"cluster", 1, false}, {"sentinel", 1, false},
		{"cluster", 0, true}, {"sentinel", 0, true}, {"cluster", 1, true}, {"sentinel", 1, true},
	} {
		sh := shapes[tc.shape]
		name := sh.name
		if tc.lag {
			name += " lagging"
		}
		if tc.wait > 0 {
			name += " WAIT 1"
		}
		t.Run(name, func(t *testing.T) { faultRun(t, sh, tc.wait, tc.lag) })
	}
}

// lagTime is how long a lagging replica receives nothing before its
// primary dies.
const lagTime = 300 * time.Millisecond

// faultWait bounds each phase of a fault run.
const faultWait = 30 * time.Second

func faultRun(t *testing.T, sh faultShape, wait int, lag bool) {
	if err := sh.healthy(); err != nil {
		t.Fatal(err)
	}
	// A rotation's swap waits for its replica until shortly before Timeout:
	// far longer than the replica lags.
	prefix := nextPrefix("fault")
	store := open(t, sh.url(), redisstore.Options{Prefix: prefix, Timeout: 2 * time.Second, WaitReplicas: wait})
	t.Cleanup(func() { dropKeys(t, sh.name, prefix) }) // small data, quick resyncs for the next runs
	// The clients all sign in as alice, again after each lost write: no
	// cap on her sign-ins, which would revoke the oldest.
	iss, err := issuer.New(issuer.Config{URL: "https://sts.example", HMACSecret: testutil.Secret,
		AccessTokenFormat: issuer.FormatReference, RefreshGrace: time.Minute, Store: store, MaxSignIns: -1})
	if err != nil {
		t.Fatal(err)
	}
	g, err := core.New(iss.GuardConfig(core.Config{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.Close() })

	counts := &faultCounts{}
	workers := make([]*faultWorker, 8)
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range workers {
		w := &faultWorker{iss: iss, guard: g, store: store, counts: counts}
		if w.tok, err = iss.Login(ctx, issuer.Grant{Subject: "alice"}); err != nil {
			t.Fatal(err)
		}
		workers[i] = w
		wg.Add(1)
		go func() { defer wg.Done(); w.run(ctx, t) }()
	}
	defer func() { stop(); wg.Wait() }()
	progressed := func(n int64) func() error {
		marks := make([]int64, len(workers))
		for i, w := range workers {
			marks[i] = w.ok.Load()
		}
		return func() error {
			for i, w := range workers {
				if w.ok.Load() < marks[i]+n {
					return errors.New("a client has not refreshed again")
				}
			}
			return nil
		}
	}
	phase := func(what string, cond func() error) {
		t.Helper()
		deadline := time.Now().Add(faultWait)
		for err := cond(); err != nil; err = cond() {
			if time.Now().After(deadline) || t.Failed() {
				t.Fatalf("%s: %v", what, err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	phase("before the fault", progressed(5))
	victim := sh.victim()
	var replica *testutil.RedisServer
	if lag {
		if replica = sh.replica(victim); replica == nil {
			t.Fatal("no replica of the primary")
		}
		replica.Pause(t)
		defer replica.Resume(t) // should the test end early
		if _, err := victim.Do("CLIENT", "KILL", "TYPE", "replica"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(lagTime) // the primary goes on acknowledging writes
	}
	killed := time.Now()
	victim.Kill(t)
	counts.killed.Store(killed.UnixNano())
	if replica != nil {
		replica.Resume(t)
	}
	defer func() {
		if !victim.Running() { // the run failed: leave the setup healthy for the next tests
			sh.back(t, victim)
		}
	}()
	phase("failover", func() error { return sh.failover(victim) })
	tookOver := time.Since(killed)
	if wait == 0 {
		phase("after the failover", progressed(3)) // no restart of anything
	} else {
		time.Sleep(200 * time.Millisecond) // no replica acknowledges: 503s only
	}
	recovered := time.Since(killed)
	sh.back(t, victim)
	rejoined := time.Since(killed)
	phase("with the old primary back as a replica", progressed(3))
	stop()
	wg.Wait()

	for _, w := range workers {
		for _, r := range w.revoked {
			if _, err := g.Validate(context.Background(), r.token); err == nil || r.accepted {
				counts.noteLoss(t, &counts.lostRevocations, "revocation")
			}
		}
	}
	t.Logf("%d refreshes, %d answers 503; after the kill the replica took over at %v, every client had refreshed at %v, "+
		"the old primary was a replica again at %v; lost: %d rotations, %d revocations, %d other records",
		counts.refreshed.Load(), counts.unavailable.Load(), tookOver.Round(100*time.Millisecond),
		recovered.Round(100*time.Millisecond), rejoined.Round(100*time.Millisecond),
		counts.lostRotations.Load(), counts.lostRevocations.Load(), counts.lostRecords.Load())
	if counts.unavailable.Load() == 0 {
		t.Error("no request answered 503: the fault was not seen")
	}
	if wait > 0 && (counts.lostRotations.Load() > 0 || counts.lostRevocations.Load() > 0) {
		t.Error("with WAIT for one replica an acknowledged rotation or revocation was lost")
	}
	if lag && wait == 0 && counts.lostRotations.Load()+counts.lostRevocations.Load()+counts.lostRecords.Load() == 0 {
		t.Error("nothing acknowledged while the replica lagged was lost: the test does not see losses")
	}
}

// dropKeys deletes the keys under prefix from the primaries of a shared
// setup ("cluster" or "sentinel").
func dropKeys(t *testing.T, shape, prefix string) {
	ctx := context.Background()
	var c redis.UniversalClient
	if shape == "cluster" {
		c = universal(t, cluster.URL())
	} else {
		p := sentinel.Primary()
		if p == nil {
			return
		}
		c = redis.NewClient(&redis.Options{Addr: p.Addr(), Password: sentinel.Password()})
		defer c.Close()
	}
	drop := func(ctx context.Context, m redis.Cmdable) error {
		iter := m.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			if err := m.Unlink(ctx, iter.Val()).Err(); err != nil {
				return err
			}
		}
		return iter.Err()
	}
	var err error
	if cc, ok := c.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error { return drop(ctx, m) })
	} else {
		err = drop(ctx, c)
	}
	if err != nil {
		t.Logf("keys of %s left: %v", prefix, err)
	}
}

// run refreshes until ctx ends; see TestPrimaryKilledWhileRequestsRun.
func (w *faultWorker) run(ctx context.Context, t *testing.T) {
	for n := 0; ctx.Err() == nil; n++ {
		next, err := w.iss.Refresh(ctx, w.tok.RefreshToken)
		switch {
		case err == nil:
		case errors.Is(err, core.ErrUnavailable):
			w.counts.unavailable.Add(1)
			time.Sleep(5 * time.Millisecond)
			continue
		case errors.Is(err, issuer.ErrInvalidGrant) && ctx.Err() == nil:
			if !w.lost(ctx) {
				t.Errorf("a refresh signed out without a lost write: %v", err)
				return
			}
			w.counts.noteLoss(t, &w.counts.lostRotations, "rotation")
			if w.tok, err = w.iss.Login(ctx, issuer.Grant{Subject: "alice"}); err != nil && ctx.Err() == nil {
				t.Errorf("login again: %v", err)
				return
			}
			continue
		default:
			if ctx.Err() == nil {
				t.Errorf("refresh: %v", err)
			}
			return
		}
		prev := w.tok
		w.tok = next
		w.counts.refreshed.Add(1)
		w.ok.Add(1)
		w.check(ctx, t, next.AccessToken)
		if n%4 != 0 {
			continue
		}
		switch err := w.iss.Revoke(ctx, prev.AccessToken, "access_token"); {
		case err == nil:
			_, err := w.guard.Validate(ctx, prev.AccessToken)
			w.revoked = append(w.revoked, revokedToken{prev.AccessToken, err == nil}) // accepted: a failover came between
		case !errors.Is(err, core.ErrUnavailable) && ctx.Err() == nil:
			t.Errorf("revoke: %v", err)
		}
	}
}

// check validates the access token just issued: accepted, 503, or
// refused only when its record or sign-in did not survive a failover.
func (w *faultWorker) check(ctx context.Context, t *testing.T, access string) {
	_, err := w.guard.Validate(ctx, access)
	if err == nil || errors.Is(err, core.ErrUnavailable) || ctx.Err() != nil {
		return
	}
	rec, rerr := w.readBack(ctx, func(ctx context.Context) (any, error) { return w.store.Token(ctx, issuer.HashToken(access)) })
	if errors.Is(rerr, issuer.ErrNotFound) {
		w.counts.noteLoss(t, &w.counts.lostRecords, "token record")
		return
	}
	if rerr == nil {
		sid := rec.(*issuer.TokenRecord).SessionID
		if _, serr := w.readBack(ctx, func(ctx context.Context) (any, error) { return w.store.Session(ctx, sid) }); errors.Is(serr, issuer.ErrNotFound) {
			w.counts.noteLoss(t, &w.counts.lostRecords, "sign-in")
			return
		}
	}
	if ctx.Err() == nil {
		t.Errorf("a new access token refused though its record and sign-in are there: %v", err)
	}
}

// lost reports whether the client's sign-in no longer has the refresh
// token the store last acknowledged: its index (in the cluster, maybe on
// another primary than the sign-in), the sign-in, or the rotation did not
// survive the failover.
func (w *faultWorker) lost(ctx context.Context) bool {
	hash := issuer.HashToken(w.tok.RefreshToken)
	s, err := w.readBack(ctx, func(ctx context.Context) (any, error) { return w.store.SessionByRefresh(ctx, hash) })
	if err != nil {
		return errors.Is(err, issuer.ErrNotFound)
	}
	return s.(*issuer.Session).RefreshHash != hash
}

// readBack retries a store read, bounded, until the store answers.
func (w *faultWorker) readBack(ctx context.Context, read func(context.Context) (any, error)) (any, error) {
	deadline := time.Now().Add(faultWait)
	for {
		v, err := read(ctx)
		if err == nil || errors.Is(err, issuer.ErrNotFound) || time.Now().After(deadline) || ctx.Err() != nil {
			return v, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}
