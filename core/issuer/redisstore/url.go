package redisstore

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Open returns a Store on the Redis that rawURL names, in one of the
// forms of TOKENGATE_STORE_URL:
//
//	redis://[user:password@]host:port[/db]             one server
//	rediss://[user:password@]host:port[/db]            one server over TLS
//	redis[s]://[user:password@]host:port?addr=host:port[&addr=...]
//	                                                   a Redis Cluster: its seed nodes
//	redis[s]+sentinel://[user:password@]host:port[,host:port...]/master-name[/db]
//	                                                   Sentinel: the sentinels and the master name
//	unix://[user:password@]/path/to/socket[?db=N]      one server on a Unix socket
//
// The user and password authenticate to the Redis servers (cluster nodes,
// the primary and replicas behind Sentinel); sentinels that ask for a
// password of their own get it from the parameters sentinel_password=
// (and sentinel_username=). The other query parameters are go-redis's
// options (dial_timeout=, read_timeout=, write_timeout=, pool_size=,
// max_retries=...) and wait_replicas=, wait_timeout= (see
// Options.WaitReplicas). Dial, read, write and pool timeouts default to
// Options.Timeout. Refused: skip_verify (give the CA in
// Options.TLSConfig, or SSL_CERT_FILE), credentials as parameters, and the
// options that read from replicas (read_only, route_by_latency,
// route_randomly, replica_only): a replica may not have a revocation yet.
//
// Open does not connect: a Redis that is down at startup makes requests
// fail with 503 until it answers. A URL that cannot be used is ErrBadURL
// naming the part at fault; no error ever repeats the URL or any part of
// it, so no password reaches a log.
func Open(rawURL string, opts Options) (*Store, error) {
	t, err := parseURL(rawURL, &opts)
	if err != nil {
		return nil, err
	}
	client := t.client()
	s, err := New(client, opts)
	if err != nil {
		_ = client.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// target is what a URL names: the options of one go-redis client, of
// one server, a cluster or a Sentinel-watched primary.
type target struct {
	single   *redis.Options
	cluster  *redis.ClusterOptions
	failover *redis.FailoverOptions
}

// client returns the go-redis client of t.
func (t target) client() redis.UniversalClient {
	switch {
	case t.cluster != nil:
		return redis.NewClusterClient(t.cluster)
	case t.failover != nil:
		return redis.NewFailoverClient(t.failover)
	}
	return redis.NewClient(t.single)
}

// parseURL reads rawURL (see Open) into go-redis options; the wait_
// parameters go into opts.
func parseURL(rawURL string, opts *Options) (target, error) {
	var none target
	rawURL, sentinelHosts := cutSentinelHosts(rawURL)
	u, err := url.Parse(rawURL)
	if err != nil {
		// A *url.Error repeats the URL, and its cause may quote a
		// piece of it (a misplaced password in the port, say).
		return none, badURL("not a URL (a malformed host, port or %-escape; percent-encode reserved characters of the password)")
	}
	q := u.Query()
	if err := refuseParams(q); err != nil {
		return none, err
	}
	if err := takeWaitParams(q, opts); err != nil {
		return none, err
	}
	sentinelUser, sentinelPassword := take(q, "sentinel_username"), take(q, "sentinel_password")
	tlsURL := strings.HasPrefix(u.Scheme, "rediss")
	if opts.TLSConfig != nil && !tlsURL {
		return none, fmt.Errorf("%w: TLSConfig is set but the URL is not rediss:// or rediss+sentinel://", ErrBadOptions)
	}
	if u.Scheme != "redis+sentinel" && u.Scheme != "rediss+sentinel" && (sentinelUser != "" || sentinelPassword != "") {
		return none, badURL("sentinel_username and sentinel_password are for redis+sentinel:// URLs")
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}

	switch u.Scheme {
	case "redis", "rediss", "unix":
		if u.Scheme != "unix" && len(q["addr"]) > 0 {
			o, err := clusterOptions(u, q, timeout, opts.TLSConfig)
			if err != nil {
				return none, err
			}
			return target{cluster: o}, nil
		}
		u.RawQuery = q.Encode()
		o, err := redis.ParseURL(u.String())
		if err != nil {
			return none, parseError(err)
		}
		if err := tune(settings(o), timeout, opts.TLSConfig, u.Hostname()); err != nil {
			return none, err
		}
		return target{single: o}, nil
	case "redis+sentinel", "rediss+sentinel":
		o, err := failoverOptions(u, sentinelHosts, q)
		if err != nil {
			return none, err
		}
		o.SentinelUsername, o.SentinelPassword = sentinelUser, sentinelPassword
		if err := tune(failoverSettings(o), timeout, opts.TLSConfig, o.SentinelAddrs[0]); err != nil {
			return none, err
		}
		return target{failover: o}, nil
	}
	return none, badURL("the scheme must be redis, rediss, redis+sentinel, rediss+sentinel or unix")
}

// clusterOptions reads a cluster URL: redis[s]:// with addr=.
func clusterOptions(u *url.URL, q url.Values, timeout time.Duration, tlsConf *tls.Config) (*redis.ClusterOptions, error) {
	if p := strings.Trim(u.Path, "/"); p != "" && p != "0" {
		return nil, badURL("a Redis Cluster has only database 0: drop the /db path")
	}
	u.Path, u.RawPath = "", ""
	u.RawQuery = q.Encode()
	o, err := redis.ParseClusterURL(u.String())
	if err != nil {
		return nil, parseError(err)
	}
	if err := tune(clusterSettings(o), timeout, tlsConf, u.Hostname()); err != nil {
		return nil, err
	}
	return o, nil
}

// cutSentinelHosts takes the hosts out of a redis[s]+sentinel:// URL, for
// net/url cannot parse a list of them, and leaves a placeholder host.
// Other URLs come back as they are.
func cutSentinelHosts(raw string) (rest, hosts string) {
	scheme, after, ok := strings.Cut(raw, "://")
	if !ok || (scheme != "redis+sentinel" && scheme != "rediss+sentinel") {
		return raw, ""
	}
	end := strings.IndexAny(after, "/?#")
	if end < 0 {
		end = len(after)
	}
	at := strings.LastIndex(after[:end], "@")
	return scheme + "://" + after[:at+1] + "sentinels" + after[end:], after[at+1 : end]
}

// failoverOptions reads a redis[s]+sentinel:// URL. Its hosts are the
// sentinels (port 26379 when left out), its path the master name and
// an optional database; the rest goes to go-redis's failover URL parser.
func failoverOptions(u *url.URL, hosts string, q url.Values) (*redis.FailoverOptions, error) {
	var sentinels []string
	for _, h := range strings.Split(hosts, ",") {
		if h == "" {
			return nil, badURL("an empty sentinel address")
		}
		if _, _, err := net.SplitHostPort(h); err != nil {
			h = net.JoinHostPort(strings.Trim(h, "[]"), "26379")
		}
		host, port, err := net.SplitHostPort(h)
		if n, perr := strconv.Atoi(port); err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
			return nil, badURL("a sentinel address is not host:port")
		}
		sentinels = append(sentinels, h)
	}
	path := strings.Split(strings.Trim(u.Path, "/"), "/")
	if path[0] == "" || len(path) > 2 {
		return nil, badURL("a sentinel URL names the master: redis+sentinel://host:port[,host:port...]/master-name[/db]")
	}
	q.Set("master_name", path[0])
	if len(path) == 2 {
		if q.Has("db") {
			return nil, badURL("the database is given twice, in the path and as db=")
		}
		q.Set("db", path[1])
	}
	for _, s := range sentinels[1:] {
		q.Add("addr", s)
	}
	scheme := strings.TrimSuffix(u.Scheme, "+sentinel")
	o, err := redis.ParseFailoverURL((&url.URL{Scheme: scheme, Host: sentinels[0], RawQuery: q.Encode()}).String())
	if err != nil {
		return nil, parseError(err)
	}
	if u.User != nil {
		o.Username = u.User.Username()
		o.Password, _ = u.User.Password()
	}
	if o.RouteByLatency || o.RouteRandomly || o.ReplicaOnly || o.UseDisconnectedReplicas {
		return nil, badURL("the store reads and writes on the primary: route_by_latency, route_randomly, replica_only and use_disconnected_replicas are refused")
	}
	return o, nil
}

// refuseParams rejects the parameters the store never accepts.
func refuseParams(q url.Values) error {
	for _, name := range []string{"username", "password"} {
		if q.Has(name) {
			return badURL("credentials go in the URL's user:password@, not in parameters")
		}
	}
	if q.Has("skip_verify") {
		return badURL("skip_verify is refused: give the CA (Options.TLSConfig, or SSL_CERT_FILE)")
	}
	for _, name := range []string{"read_only", "route_by_latency", "route_randomly", "replica_only"} {
		if q.Has(name) {
			return badURL("parameter " + name + " is refused: the store reads and writes on the primary")
		}
	}
	return nil
}

// takeWaitParams moves wait_replicas= and wait_timeout= into the Options
// fields the caller left zero.
func takeWaitParams(q url.Values, opts *Options) error {
	if v := take(q, "wait_replicas"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > maxWaitReplicas {
			return badURL(fmt.Sprintf("parameter wait_replicas: not a number from 0 to %d", maxWaitReplicas))
		}
		if opts.WaitReplicas == 0 {
			opts.WaitReplicas = n
		}
	}
	if v := take(q, "wait_timeout"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return badURL("parameter wait_timeout: not a positive duration (250ms)")
		}
		if opts.WaitTimeout == 0 {
			opts.WaitTimeout = d
		}
	}
	return nil
}

// maxWaitReplicas bounds wait_replicas.
const maxWaitReplicas = 16

// take removes parameter name from q and returns its last value.
func take(q url.Values, name string) string {
	vs := q[name]
	q.Del(name)
	if len(vs) == 0 {
		return ""
	}
	return vs[len(vs)-1]
}
