package lease_test

import (
	"errors"
	"fmt"
	"log"
	"time"

	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
	"github.com/seed07a61904/leadership/worker"
)

// A lease's life, seen by two controllers' clients: a claim, a claim
// refused because the lease is held, an extension, an expiry refused
// because the lease has not run out, and one that succeeds. The clients are
// on the in-memory store of package leasetest, which keeps the rules of the
// MongoDB client, and read a fake clock.
func Example() {
	clock := clocktest.NewClock(time.Date(2073, 3, 3, 1, 0, 0, 0, time.UTC))
	store := leasetest.NewStore(clock)
	client0, err := store.NewClient("controller-0")
	if err != nil {
		panic(err)
	}
	client1, err := store.NewClient("controller-1")
	if err != nil {
		panic(err)
	}

	fmt.Println("claim by redis/0:", client0.ClaimLease("redis", lease.Request{Holder: "redis/0", Duration: time.Minute}))

	// client1's cache has not seen that claim; the store refuses, client1
	// refreshes, and its cache then tells why.
	err = client1.ClaimLease("redis", lease.Request{Holder: "redis/1", Duration: time.Minute})
	fmt.Println("claim by redis/1:", err, errors.Is(err, lease.ErrInvalid))
	info := client1.Leases()["redis"]
	fmt.Println("held by", info.Holder, "for", info.Expiry.Sub(clock.Now()))

	// Half-way through, the holder extends the lease: it now runs out
	// 90s from the start.
	clock.Advance(30 * time.Second)
	fmt.Println("extend:", client0.ExtendLease("redis", lease.Request{Holder: "redis/0", Duration: time.Minute}))

	clock.Advance(time.Minute)
	fmt.Println("expire at 90s:", client1.ExpireLease("redis"))
	clock.Advance(time.Second)
	fmt.Println("expire at 91s:", client1.ExpireLease("redis"))

	// client0 learns of the expiry when it refreshes.
	fmt.Println("client0 leases:", len(client0.Leases()))
	if err := client0.Refresh(); err != nil {
		panic(err)
	}
	fmt.Println("client0 leases after Refresh:", len(client0.Leases()))
	// Output:
	// claim by redis/0: <nil>
	// claim by redis/1: invalid lease operation true
	// held by redis/0 for 1m0s
	// extend: <nil>
	// expire at 90s: invalid lease operation
	// expire at 91s: <nil>
	// client0 leases: 1
	// client0 leases after Refresh: 0
}

// A client read the clock document between 10:00:00 and 10:00:02 on its own
// clock, and found that another writer had last written 09:00:00 on its
// clock. A lease that writer says expires at 09:01:00 has therefore expired,
// for that writer, at the latest by 10:01:02 on the reader's clock.
func ExampleSkew() {
	read := time.Date(2073, 3, 3, 10, 0, 0, 0, time.UTC)
	skew := lease.Skew{
		LastWrite:  read.Add(-time.Hour),
		ReadAfter:  read,
		ReadBefore: read.Add(2 * time.Second),
	}
	expiry := skew.LastWrite.Add(time.Minute)
	fmt.Println("earliest:", skew.Earliest(expiry).Format(time.TimeOnly))
	fmt.Println("latest:  ", skew.Latest(expiry).Format(time.TimeOnly))
	// Output:
	// earliest: 10:01:00
	// latest:   10:01:02
}

// Validate reports the first field that is missing or malformed.
func ExampleClientConfig_Validate() {
	config := lease.ClientConfig{
		Id:         "controller.0",
		Namespace:  "service-leadership",
		Collection: "leases",
	}
	fmt.Println(config.Validate())
	config.Id = "controller-0"
	fmt.Println(config.Validate())
	// Output:
	// invalid id: string contains forbidden characters
	// missing mongo
}

// A leadership manager on MongoDB, and a transaction fenced by its token.
// This example needs a MongoDB server, so go test only compiles it;
// integration/cmd/leadership-demo runs the same steps on an embedded
// server.
func ExampleNewClient() {
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
	// unit already does (leadership.ErrClaimDenied). Claim again within
	// the minute to stay leader.
	if err := manager.ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
		log.Fatal(err)
	}

	// Later, write only if redis/0 is still leader when the write applies.
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
