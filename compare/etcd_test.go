package compare_test

import (
	"context"
	"net/url"
	"os"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// etcdReadyWait bounds how long a benchmark waits for the embedded etcd
// server to be ready.
const etcdReadyWait = time.Minute

// etcdEnv is a one-member etcd server, embedded and listening on loopback,
// with a client that talks to it over TCP (gRPC), as a remote client would,
// and one session (an etcd lease kept alive by the client).
// electionPrefix is the etcd key prefix of service's election.
const electionPrefix = "/election/" + service

type etcdEnv struct {
	server  *embed.Etcd
	client  *clientv3.Client
	session *concurrency.Session
}

// handOver hands leadership from elections[i%2] to the other: untimed, the
// other campaigns behind the leader; timed, the leader releases and the
// other wins. It returns the time from the release to the win.
func (env *etcdEnv) handOver(b *testing.B, elections [2]*concurrency.Election, i int) time.Duration {
	leader, next := elections[i%2], elections[(i+1)%2]
	b.StopTimer()
	done := env.campaignBehind(b, next)
	b.StartTimer()
	began := time.Now()
	env.release(b, leader)
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	return time.Since(began)
}

// twoElections returns two candidates for service, on env's session and
// on a second one (closed when the benchmark ends), the first holding the
// election.
func (env *etcdEnv) twoElections(b *testing.B) [2]*concurrency.Election {
	second, err := concurrency.NewSession(env.client, concurrency.WithTTL(60))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { second.Close() })
	elections := [2]*concurrency.Election{
		concurrency.NewElection(env.session, electionPrefix),
		concurrency.NewElection(second, electionPrefix),
	}
	env.claim(b, elections[0])
	return elections
}

// campaignBehind starts next's campaign for waiter, once no watcher is
// left from the last one, and returns the channel that receives its
// result once it leads: when it returns, next waits behind the leader.
// The waiter's Campaign watches the key before its own, and etcd syncs a
// new watcher from the past within 100ms (watchResyncPeriod); a Resign
// before that would time that period, not the handover.
func (env *etcdEnv) campaignBehind(b *testing.B, next *concurrency.Election) <-chan error {
	waitForWatchers(b, func(total, slow float64) bool { return total == 0 })
	done := make(chan error, 1)
	go func() { done <- next.Campaign(context.Background(), waiter) }()
	env.waitForCandidates(b, electionPrefix, 2)
	waitForWatchers(b, func(total, slow float64) bool { return total >= 1 && slow == 0 })
	return done
}

// newEtcdEnv starts the server in a temporary directory. The server keeps
// its defaults otherwise: it fsyncs its write-ahead log on every write.
func newEtcdEnv(tb testing.TB) *etcdEnv {
	tb.Helper()
	dir, err := os.MkdirTemp("", "compare-etcd-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	loopback := url.URL{Scheme: "http", Host: "127.0.0.1:0"}
	cfg := embed.NewConfig()
	cfg.Dir = dir
	cfg.LogLevel = "error"
	// Even at "error", the server logs its own listeners closing on Close.
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	cfg.ListenClientUrls = []url.URL{loopback}
	cfg.AdvertiseClientUrls = []url.URL{loopback}
	cfg.ListenPeerUrls = []url.URL{loopback}
	cfg.AdvertisePeerUrls = []url.URL{loopback}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	server, err := embed.StartEtcd(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(server.Close)
	select {
	case <-server.Server.ReadyNotify():
	case err := <-server.Err():
		tb.Fatal(err)
	case <-time.After(etcdReadyWait):
		tb.Fatal("embedded etcd not ready")
	}
	client, err := clientv3.New(clientv3.Config{
		Endpoints:   []string{server.Clients[0].Addr().String()},
		DialTimeout: etcdReadyWait,
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { client.Close() })
	session, err := concurrency.NewSession(client, concurrency.WithTTL(60))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { session.Close() })
	return &etcdEnv{server: server, client: client, session: session}
}

// isOwner returns the comparison that holds while the election's current
// campaign is leader: the one concurrency.Mutex.IsOwner builds, from the
// election's key and revision (Election has no IsOwner of its own).
func isOwner(e *concurrency.Election) clientv3.Cmp {
	return clientv3.Compare(clientv3.CreateRevision(e.Key()), "=", e.Rev())
}

// claim is one Campaign that wins at once (nobody else campaigns).
func (env *etcdEnv) claim(tb testing.TB, e *concurrency.Election) {
	if err := e.Campaign(context.Background(), "unit/0"); err != nil {
		tb.Fatal(err)
	}
}

// release is one Resign.
func (env *etcdEnv) release(tb testing.TB, e *concurrency.Election) {
	if err := e.Resign(context.Background()); err != nil {
		tb.Fatal(err)
	}
}

// guardedWrite is one transaction that puts a key if the election's
// campaign is still leader.
func (env *etcdEnv) guardedWrite(tb testing.TB, e *concurrency.Election, value string) {
	resp, err := env.client.Txn(context.Background()).
		If(isOwner(e)).
		Then(clientv3.OpPut("/settings/service", value)).
		Commit()
	if err != nil {
		tb.Fatal(err)
	}
	if !resp.Succeeded {
		tb.Fatal("guarded write refused: not leader")
	}
}
