package compare_test

import (
	"testing"
	"time"

	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/integration/mongotest"
	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

const (
	service = "service"
	unit    = "service/0"
	// leaseDuration is what each claim asks for. Time is a fake clock's,
	// so its size costs nothing.
	leaseDuration = time.Minute
	// txnCollection is shared by the lease client and the guarded writes:
	// a token fences only transactions in the same collection.
	txnCollection = "txns"
	// freshEvery is how many operations run on one embedded server before
	// the benchmark (untimed) replaces it: FerretDB's SQLite backend slows
	// down as the txns collection grows (MONGO-HARNESS.md), and a steady
	// figure needs a bounded collection.
	freshEvery = 20
)

// start is clocktest.Start, a hostile instant.
var start = clocktest.Start

// oursEnv is a leadership manager on a fake clock, over lease.NewClient on
// mongotest (mongo true) or over the in-memory leasetest store.
type oursEnv struct {
	mongo   bool
	clock   *clocktest.Clock
	manager leadership.ManagerWorker
	// other, if otherSleep is not zero, is a second manager (another
	// controller) on the same store, with otherSleep as its MaxSleep.
	other      leadership.ManagerWorker
	otherSleep time.Duration
	server     *mongotest.Server
	session    *mgo.Session
	db         *mgo.Database
	ops        int // since the last fresh start
}

// newOursEnv returns a running env; the benchmark stops it at its end.
func newOursEnv(tb testing.TB, mongo bool) *oursEnv {
	return newOursEnvWith(tb, &oursEnv{mongo: mongo})
}

// newOursEnvWith starts env, whose mongo and otherSleep are set, and has
// the benchmark stop it at its end.
func newOursEnvWith(tb testing.TB, env *oursEnv) *oursEnv {
	env.fresh(tb)
	tb.Cleanup(func() { env.stop(tb) })
	return env
}

// fresh stops whatever runs and starts a new manager on an empty store.
func (env *oursEnv) fresh(tb testing.TB) {
	env.stop(tb)
	env.ops = 0
	env.clock = clocktest.NewClock(start)
	var newClient func(id string) lease.Client
	if env.mongo {
		var err error
		if env.server, err = mongotest.Start(); err != nil {
			tb.Fatal(err)
		}
		if env.session, err = env.server.Dial(); err != nil {
			tb.Fatal(err)
		}
		env.db = env.session.DB("")
		if err := env.db.C("settings").Insert(bson.M{"_id": service, "value": 0}); err != nil {
			tb.Fatal(err)
		}
		newClient = func(id string) lease.Client {
			client, err := lease.NewClient(lease.ClientConfig{
				Id:         id,
				Namespace:  "service-leadership",
				Collection: "leases",
				Mongo:      lease.NewMongo(env.db, txnCollection),
				Clock:      env.clock,
			})
			if err != nil {
				tb.Fatal(err)
			}
			return client
		}
	} else {
		store := leasetest.NewStore(env.clock)
		newClient = func(id string) lease.Client {
			client, err := store.NewClient(id)
			if err != nil {
				tb.Fatal(err)
			}
			return client
		}
	}
	env.manager = newManager(tb, newClient("controller-0"), env.clock, 24*time.Hour)
	if env.otherSleep != 0 {
		env.other = newManager(tb, newClient("controller-1"), env.clock, env.otherSleep)
	}
}

// newManager starts a manager on client. Its clock is a fake that the
// benchmarks move by hand, so it polls no clocks (ClockPoll -1): it wakes
// only for expiries and every maxSleep, which is what the handover
// benchmark moves the clock by.
func newManager(tb testing.TB, client lease.Client, clock lease.Clock, maxSleep time.Duration) leadership.ManagerWorker {
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client:    client,
		Clock:     clock,
		MaxSleep:  maxSleep,
		ClockPoll: -1,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return manager
}

// tick counts one operation, and starts afresh, untimed, every freshEvery
// operations on mongotest. It must be called with the timer stopped.
func (env *oursEnv) tick(tb testing.TB) {
	env.ops++
	if env.mongo && env.ops >= freshEvery {
		env.fresh(tb)
	}
}

func (env *oursEnv) stop(tb testing.TB) {
	for _, m := range []*leadership.ManagerWorker{&env.other, &env.manager} {
		if *m != nil {
			(*m).Kill()
			if err := (*m).Wait(); err != nil {
				tb.Fatal(err)
			}
			*m = nil
		}
	}
	if env.session != nil {
		env.session.Close()
		env.session = nil
	}
	if env.server != nil {
		if err := env.server.Close(); err != nil {
			tb.Fatal(err)
		}
		env.server = nil
	}
}

// claim claims the service's lease, which nobody holds.
func (env *oursEnv) claim(tb testing.TB) {
	if err := env.manager.ClaimLeadership(service, unit, leaseDuration); err != nil {
		tb.Fatal(err)
	}
}

// release is the closest this library has to Resign: it has no way to
// give a lease up early, so time moves past the lease's expiry and the
// caller waits until the manager has expired it (its wake: Refresh, then
// ExpireLease) and released the waiters.
func (env *oursEnv) release(tb testing.TB) {
	env.clock.Advance(leaseDuration + time.Nanosecond)
	if err := env.manager.BlockUntilLeadershipReleased(service); err != nil {
		tb.Fatal(err)
	}
}

// guardedWrite checks leadership and, on mongotest, runs a transaction
// with the token's assertion and a $set on a settings document. On the
// in-memory store there is nothing to write to: it checks and builds the
// assertion ops, the library's whole part of a guarded write.
func (env *oursEnv) guardedWrite(tb testing.TB, value int) {
	token, err := env.manager.CheckLeadership(service, unit)
	if err != nil {
		tb.Fatal(err)
	}
	ops := token.AssertOps()
	if !env.mongo {
		return
	}
	ops = append(ops, txn.Op{
		C:      "settings",
		Id:     service,
		Assert: txn.DocExists,
		Update: bson.M{"$set": bson.M{"value": value}},
	})
	if err := txn.NewRunner(env.db.C(txnCollection)).Run(ops, "", nil); err != nil {
		tb.Fatal(err)
	}
}
