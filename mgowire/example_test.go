package mgowire_test

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
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

func ExampleParseURLWith() {
	// The records that MongoDB Atlas publishes for a cluster, served by a
	// fake resolver (a *net.Resolver in production).
	dns := fakeResolver{
		srv: map[string][]*net.SRV{"_mongodb._tcp.cluster0.abcde.mongodb.net": {
			{Target: "ac-1-shard-00-00.abcde.mongodb.net.", Port: 27017},
		}},
		txt:  map[string][]string{"cluster0.abcde.mongodb.net": {"authSource=admin&replicaSet=atlas-xyz-shard-0"}},
		host: map[string][]string{"ac-1-shard-00-00.abcde.mongodb.net": {"192.0.2.1"}},
	}
	// Warnings about ignored options, without the time, to stdout.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	info, opts, err := mgowire.ParseURLWith(
		"mongodb+srv://user:pass@cluster0.abcde.mongodb.net/juju?retryWrites=true&w=majority&appName=Cluster0&compressors=zstd",
		mgowire.Options{Resolver: dns, Logger: logger})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(info.Addrs, info.Database, info.Source, info.ReplicaSetName, opts.AppName, opts.TLS != nil)

	_, _, err = mgowire.ParseURLWith("mongodb://db1/juju?readPreference=secondaryPreferred", mgowire.Options{})
	fmt.Println(errors.Is(err, mgowire.ErrInvalid))
	// Output:
	// level=WARN msg="connection string option ignored" option=compressors reason="mgowire sends and accepts no compressed messages"
	// [192.0.2.1:27017] juju admin atlas-xyz-shard-0 Cluster0 true
	// true
}
