package mgowire_test

import (
	"fmt"
	"time"

	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/wiretest"
	"github.com/seed07a61904/leadership/mgowire"
)

func ExampleDial() {
	// An in-process server that, like MongoDB 6.0 and later, speaks only
	// OP_MSG; plain mgo.Dial cannot use it.
	srv, err := wiretest.Start(wiretest.Config{})
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	session, err := mgowire.Dial("mongodb://" + srv.Addr() + "/leadership")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer session.Close()
	leases := session.DB("").C("leases")
	if err := leases.Insert(bson.M{"_id": "mysql", "holder": "mysql/0"}); err != nil {
		fmt.Println(err)
		return
	}
	var lease struct {
		Holder string `bson:"holder"`
	}
	if err := leases.FindId("mysql").One(&lease); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(lease.Holder)
	// Output: mysql/0
}

func ExampleDialWithInfo() {
	srv, err := wiretest.Start(wiretest.Config{Users: map[string]string{"juju": "s3cret"}})
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	session, err := mgowire.DialWithInfo(&mgo.DialInfo{
		Addrs:    []string{srv.Addr()},
		Database: "leadership",
		Username: "juju", // mgowire authenticates each connection; mgo never logs in
		Password: "s3cret",
		Source:   "admin",
		Timeout:  10 * time.Second,
	}, mgowire.Options{
		// Majority, but give up waiting for it after 5 seconds: mgo then
		// reports a write concern error (code 64).
		WriteConcern: &mgo.Safe{WMode: "majority", WTimeout: 5000},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer session.Close()
	if err := session.DB("").C("leases").Insert(bson.M{"_id": "wordpress"}); err != nil {
		fmt.Println(err)
		return
	}
	for _, cmd := range srv.Commands() {
		if cmd.Name == "insert" {
			fmt.Println(cmd.Doc["writeConcern"])
		}
	}
	// Output: map[w:majority wtimeout:5000]
}
