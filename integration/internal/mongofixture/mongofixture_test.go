package mongofixture_test

import (
	"context"
	"errors"
	"net"
	"reflect"
	"testing"
	"time"

	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/lease"
)

// TestFixture: a client made by the fixture claims a lease whose
// assertion fences a transaction that RunTxn runs, and another client on
// a session from Dial, configured by ClientConfigOn, sees the lease; a
// second Close does nothing.
func TestFixture(t *testing.T) {
	f := mongofixture.New(t)
	clock := mongofixture.NewClock()
	a, err := f.NewClient("a", clock)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.ClaimLease("redis", lease.Request{Holder: "redis/0", Duration: time.Minute}); err != nil {
		t.Fatal(err)
	}
	fenced := []txn.Op{a.Leases()["redis"].AssertOp, {C: "settings", Id: "s", Insert: bson.M{"by": "redis/0"}}}
	if err := f.RunTxn(fenced); err != nil {
		t.Errorf("fenced transaction: %v", err)
	}
	if n, err := f.DB.C("settings").Count(); err != nil || n != 1 {
		t.Errorf("settings documents: %d, %v; want 1", n, err)
	}

	session, err := f.Dial()
	if err != nil {
		t.Fatal(err)
	}
	b, err := lease.NewClient(mongofixture.ClientConfigOn(session.DB(""), "b", clock))
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Leases()["redis"].Holder; got != "redis/0" {
		t.Errorf("holder seen through a dialled session %q, want redis/0", got)
	}
	if err := b.ClaimLease("redis", lease.Request{Holder: "redis/1", Duration: time.Minute}); !errors.Is(err, lease.ErrInvalid) {
		t.Errorf("claim of a held lease: %v, want %v", err, lease.ErrInvalid)
	}

	if err := f.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestResolver: the fake serves AtlasHost's SRV record, pointing at Addr,
// the member's address, and the TXT record it is given; nothing else.
func TestResolver(t *testing.T) {
	ctx := context.Background()
	r := mongofixture.Resolver{Addr: "127.0.0.1:27999", TXT: []string{"authSource=admin"}}
	_, srvs, err := r.LookupSRV(ctx, "mongodb", "tcp", mongofixture.AtlasHost)
	if err != nil || len(srvs) != 1 || srvs[0].Port != 27999 {
		t.Fatalf("SRV %+v, %v; want one record on port 27999", srvs, err)
	}
	if ips, err := r.LookupHost(ctx, srvs[0].Target[:len(srvs[0].Target)-1]); err != nil || len(ips) != 1 || ips[0] != "127.0.0.1" {
		t.Errorf("member's address %q, %v; want 127.0.0.1", ips, err)
	}
	if txt, err := r.LookupTXT(ctx, mongofixture.AtlasHost); err != nil || len(txt) != 1 || txt[0] != "authSource=admin" {
		t.Errorf("TXT %q, %v", txt, err)
	}
	var dnsErr *net.DNSError
	if _, err := (mongofixture.Resolver{Addr: r.Addr}).LookupTXT(ctx, mongofixture.AtlasHost); !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Errorf("TXT without a record: %v, want not found", err)
	}
	if _, _, err := r.LookupSRV(ctx, "mongodb", "tcp", "other.example.com"); !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Errorf("SRV of another name: %v, want not found", err)
	}
	if _, err := r.LookupHost(ctx, "other.example.com"); !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Errorf("another host: %v, want not found", err)
	}
}

// TestCommandsSent: the commands that a function cost are counted by
// command and collection, and add up to what the server's Commands
// counted meanwhile; a command it did not send is left out.
func TestCommandsSent(t *testing.T) {
	f := mongofixture.New(t)
	if f.Server.CommandCounts() == nil {
		t.Skip("the server does not count commands")
	}
	before := f.Server.Commands()
	sent := mongofixture.CommandsSent(f.Server, func() {
		if err := f.DB.C("things").Insert(bson.M{"_id": 1}, bson.M{"_id": 2}); err != nil {
			t.Fatal(err)
		}
		if err := f.DB.C("things").FindId(1).One(&bson.M{}); err != nil {
			t.Fatal(err)
		}
	})
	if want := map[string]int64{"insert things": 1, "find things": 1}; !reflect.DeepEqual(sent, want) {
		t.Errorf("commands sent %v, want %v", sent, want)
	}
	if got, want := mongofixture.Total(sent), f.Server.Commands()-before; got != want {
		t.Errorf("Total %d, want Commands' %d", got, want)
	}
}
