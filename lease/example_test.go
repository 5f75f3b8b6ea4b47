package lease_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

// A lease's life, seen by two controllers' clients: a claim, a claim
// refused because the lease is held, an extension, an expiry refused
// because the lease has not run out, and one that succeeds. The clients are
// on the in-memory store of package leasetest, which keeps the rules of the
// MongoDB client, and read a fake clock.
func Example() {
	clock := clocktest.NewClock(time.Date(2073, 3, 3, 1, 0, 0, 0, time.UTC))
	store := leasetest.NewStore(clock)
	client0 := store.MustNewClient("controller-0")
	client1 := store.MustNewClient("controller-1")

	fmt.Println("claim by redis/0:", client0.ClaimLease("redis", lease.Request{Holder: "redis/0", Duration: time.Minute}))

	// client1's cache has not seen that claim; the store refuses, client1
	// refreshes, and its cache then tells why.
	err := client1.ClaimLease("redis", lease.Request{Holder: "redis/1", Duration: time.Minute})
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
		Id:         "ctl-0.example.com",
		Namespace:  "service-leadership",
		Collection: "leases",
	}
	fmt.Println(config.Validate())
	config.Id = "ctl-0-example-com"
	fmt.Println(config.Validate())
	// Output:
	// invalid id "ctl-0.example.com": '.' at byte 5 (use "ctl-0-example-com" instead); an id must be 1 to 256 bytes of UTF-8 text with no '.', '$', '#', white space or control characters
	// missing mongo: set Mongo to lease.NewMongo(session.DB(""), "txns"), on the database and txn collection that your fenced transactions use
}

// A lease's term rises each time its holder changes (a claim after a
// revocation or an expiry, even by the same holder), never on an
// extension, and never goes back: a writer keeps it beside its data as a
// fencing token, and Info.TermAssertOp makes a transaction abort once the
// term has passed.
func ExampleInfo_term() {
	clock := clocktest.NewClock(time.Date(2073, 3, 3, 1, 0, 0, 0, time.UTC))
	store := leasetest.NewStore(clock)
	client0 := store.MustNewClient("controller-0")
	client1 := store.MustNewClient("controller-1")
	term := func(c lease.Client) int64 { return c.Leases()["redis"].Term }
	check := func(err error) {
		if err != nil {
			panic(err)
		}
	}

	check(client0.ClaimLease("redis", lease.Request{Holder: "redis/0", Duration: time.Minute}))
	first := term(client0)
	clock.Advance(30 * time.Second)
	check(client0.ExtendLease("redis", lease.Request{Holder: "redis/0", Duration: time.Minute}))
	fmt.Printf("redis/0 claims: term %d; extends: term %d\n", first, term(client0))

	check(client0.RevokeLease("redis", "redis/0"))
	check(client0.ClaimLease("redis", lease.Request{Holder: "redis/0", Duration: time.Minute}))
	second := term(client0)
	fmt.Println("revoked, claimed again by redis/0: term", second)

	clock.Advance(2 * time.Minute)
	check(client1.Refresh())
	check(client1.ExpireLease("redis"))
	check(client1.ClaimLease("redis", lease.Request{Holder: "redis/1", Duration: time.Minute}))
	fmt.Println("expired, claimed by redis/1: term", term(client1))
	// Output:
	// redis/0 claims: term 1; extends: term 1
	// revoked, claimed again by redis/0: term 2
	// expired, claimed by redis/1: term 3
}
