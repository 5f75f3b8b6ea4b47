// Command usage is the README's usage example: a leadership manager on
// MongoDB, a write fenced by a leader's token, and leader-only work run
// by a tracker under a leader context. It needs a MongoDB
// server at the URL given as its argument (default: the one in main);
// make db runs an embedded one and prints its URL, and
// integration/cmd/leadership-demo runs the same steps on one. make check
// compiles it, and checks that the README shows it exactly (main_test.go).
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/mgowire"
	"github.com/seed07a61904/leadership/worker"
)

func main() {
	url := "mongodb://127.0.0.1:27017/juju"
	if len(os.Args) > 1 {
		url = os.Args[1] // e.g. the URL that make db prints
	}
	if err := run(url); err != nil {
		log.Fatal(err)
	}
}

func run(url string) (err error) {
	// mgowire.Dial, not mgo.Dial: MongoDB 5.1 and later speak only OP_MSG.
	session, err := mgowire.Dial(url)
	if err != nil {
		return err
	}
	defer session.Close()
	// Leases and the transactions they fence must share one txn collection.
	mongo := lease.NewMongo(session.DB(""), "txns")

	client, err := lease.NewClient(lease.ClientConfig{
		Id:         "controller-0", // unique among the clients running now
		Namespace:  "service-leadership",
		Collection: "leases",
		Mongo:      mongo,
		Clock:      lease.SystemClock{},
	})
	if err != nil {
		return err
	}
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client: client,
		Clock:  lease.SystemClock{},
	})
	if err != nil {
		return err
	}
	defer func() {
		// Stop returns why the manager stopped, if it stopped by itself
		// (its calls then fail with leadership.ErrStopped).
		err = errors.Join(err, worker.Stop(manager))
	}()

	// redis/0 leads redis for at least a minute from now, unless another
	// unit already does (leadership.ErrClaimDenied). Claim again within the
	// minute to stay leader; a unit that is denied can wait with
	// manager.BlockUntilLeadershipReleased("redis") and then claim.
	if err := manager.ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
		return err
	}
	fmt.Println("redis/0 leads redis")

	// Later: write only if redis/0 still leads, in the same term, when the
	// write applies. (A CheckLeadership token would also commit in a later
	// term of redis/0's.) The term only rises: keep it beside the data.
	token, err := manager.(leadership.TermChecker).CheckLeadershipTerm("redis", "redis/0")
	if err != nil {
		return err // not leader
	}
	ops := append(token.AssertOps(),
		// The first run creates redis's settings: an Insert of a document
		// that exists is skipped.
		txn.Op{C: "settings", Id: "redis", Insert: bson.M{}},
		txn.Op{C: "settings", Id: "redis", Update: bson.M{"$set": bson.M{"maxmemory": "2gb", "term": token.Term()}}},
	)
	switch err := mongo.RunTransaction(ops); {
	case errors.Is(err, txn.ErrAborted):
		fmt.Println("not written: redis/0 is no longer leader")
	case err != nil:
		return err
	default:
		fmt.Println("written, as leader of redis: settings maxmemory=2gb")
	}

	// A unit agent runs a tracker, which claims and renews for it, and
	// runs its leader-only work (what no token fences: other services,
	// files) under a context that ends as soon as the unit stops leading.
	tracker, err := leadership.NewTracker(leadership.TrackerConfig{
		Manager:     manager,
		ServiceName: "redis",
		UnitName:    "redis/0",
		Duration:    time.Minute,
		Clock:       lease.SystemClock{},
	})
	if err != nil {
		return err
	}
	err = tracker.(leadership.LeaderRunner).RunAsLeader(context.Background(), func(ctx context.Context) error {
		// Check ctx before each action; context.Cause(ctx) says why it ended.
		if err := ctx.Err(); err != nil {
			return err
		}
		fmt.Println("leader-only work done, as leader of redis")
		return nil
	})
	// Stopping the tracker ends the context, waits for the work to
	// return, and then revokes: the next unit may lead at once.
	return errors.Join(err, worker.Stop(tracker))
}
