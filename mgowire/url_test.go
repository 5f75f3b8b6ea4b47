package mgowire_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	mgo "gopkg.in/mgo.v2"

	"github.com/seed07a61904/leadership/internal/wiretest"
	"github.com/seed07a61904/leadership/mgowire"
)

func TestParseURL(t *testing.T) {
	info, opts, err := mgowire.ParseURL("mongodb://alice:s3cret@h1:1,h2:2/leases?replicaSet=rs&authSource=admin" +
		"&authMechanism=SCRAM-SHA-256&tls=true&w=majority&wtimeoutMS=1500&journal=true&connectTimeoutMS=2500&retryWrites=true")
	if err != nil {
		t.Fatal(err)
	}
	want := mgo.DialInfo{
		Addrs: []string{"h1:1", "h2:2"}, Database: "leases", ReplicaSetName: "rs", Source: "admin",
		Username: "alice", Password: "s3cret", Mechanism: "SCRAM-SHA-256", Timeout: mgowire.DefaultTimeout,
	}
	if !reflect.DeepEqual(*info, want) {
		t.Errorf("info = %+v\nwant   %+v", *info, want)
	}
	if opts.TLS == nil || opts.ConnectTimeout != 2500*time.Millisecond {
		t.Errorf("TLS %v, ConnectTimeout %v; want TLS and 2.5s", opts.TLS, opts.ConnectTimeout)
	}
	if wc := *opts.WriteConcern; wc != (mgo.Safe{WMode: "majority", WTimeout: 1500, J: true}) {
		t.Errorf("WriteConcern = %+v", wc)
	}

	_, opts, err = mgowire.ParseURL("mongodb://h1/?w=2&connect=direct")
	if err != nil || *opts.WriteConcern != (mgo.Safe{W: 2}) || opts.TLS != nil {
		t.Errorf("w=2: %+v, %v", opts, err)
	}
	_, opts, err = mgowire.ParseURL("mongodb://h1")
	if err != nil || *opts.WriteConcern != (mgo.Safe{WMode: "majority"}) {
		t.Errorf("no options: %+v, %v; want majority", opts, err)
	}
}

func TestParseURLErrors(t *testing.T) {
	for url, mention := range map[string]string{
		"mongodb+srv://alice:s3cret@cluster0.example.net/": "mongodb+srv",
		"mongodb://alice:s3cret@h1/?appName=x":             "appName",
		"mongodb://alice:s3cret@h1/?w=0":                   "W 0",
		"mongodb://alice:s3cret@h1/?wtimeoutMS=soon":       "wtimeoutMS",
		"mongodb://alice:s3cret@h1/?tls=maybe":             "tls",
		"mongodb://alice:s3cret@h1/?journal=2x":            "journal",
	} {
		_, _, err := mgowire.ParseURL(url)
		if !errors.Is(err, mgowire.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", url, err)
			continue
		}
		if !strings.Contains(err.Error(), mention) {
			t.Errorf("%s: %q does not mention %q", url, err, mention)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: %q shows the password", url, err)
		}
	}
}

func TestDial(t *testing.T) {
	srv := startServer(t, wiretest.Config{Users: map[string]string{"alice": "pw"}})
	session, err := mgowire.Dial("mongodb://alice:pw@" + srv.Addr() + "/leases?authSource=admin&w=majority")
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	if err := session.DB("").C("c").Insert(map[string]int{"_id": 1}); err != nil {
		t.Fatalf("Insert: %v", err)
	}
	if ins := commandsNamed(srv, "insert"); len(ins) != 1 || ins[0].DB != "leases" {
		t.Fatalf("inserts %v, want one on leases", ins)
	}
}
