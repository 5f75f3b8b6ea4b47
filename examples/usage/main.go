// Command usage is the README's usage example: a leadership manager on
// MongoDB, and a write fenced by a leader's token. It needs a MongoDB
// server at the URL in its first line; integration/cmd/leadership-demo runs
// the same steps on an embedded one. make check compiles it, and checks
// that the README shows it exactly (main_test.go).
package main

import (
	"errors"
	"fmt"
	"log"
	"time"

	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/worker"
)

func main() {
	session, err := mgo.Dial("mongodb://127.0.0.1:27017/juju")
	if err != nil {
		log.Fatal(err)
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
		log.Fatal(err)
	}
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client: client,
		Clock:  lease.SystemClock{},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer worker.Stop(manager)

	// redis/0 leads redis for at least a minute from now, unless another
	// unit already does (leadership.ErrClaimDenied). Claim again within the
	// minute to stay leader; a unit that is denied can wait with
	// manager.BlockUntilLeadershipReleased("redis") and then claim.
	if err := manager.ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
		log.Fatal(err)
	}

	// Later: write only if redis/0 is still leader when the write applies.
	token, err := manager.CheckLeadership("redis", "redis/0")
	if err != nil {
		log.Fatal(err) // not leader
	}
	ops := append(token.AssertOps(), txn.Op{
		C:      "settings",
		Id:     "redis",
		Assert: txn.DocExists,
		Update: bson.M{"$set": bson.M{"maxmemory": "2gb"}},
	})
	switch err := mongo.RunTransaction(ops); {
	case errors.Is(err, txn.ErrAborted):
		fmt.Println("not written: redis/0 is no longer leader (or redis has no settings)")
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println("written")
	}
}
