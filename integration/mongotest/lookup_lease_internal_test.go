package mongotest

import (
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/lease"
)

// TestLookupDecidesLeaseWrites checks, on the embedded server, that no
// command of the lease client's writes (claims, extensions, expiries and
// a revocation, alone and in a batch, by two clients, one of whose
// batches aborts) or of its reads is left to FerretDB's scan of a whole
// collection when it names its document by _id: the proxy decides every
// such filter itself.
func TestLookupDecidesLeaseWrites(t *testing.T) {
	if os.Getenv(envURL) != "" {
		t.Skip("needs the embedded server")
	}
	s, session := startDialed(t)
	clock := clocktest.NewClock(clocktest.Start)
	newClient := func(id string) lease.Client {
		client, err := lease.NewClient(lease.ClientConfig{
			Id: id, Namespace: "ns", Collection: "leases",
			Mongo: lease.NewMongo(session.DB(""), "txns"), Clock: clock,
		})
		if err != nil {
			t.Fatal(err)
		}
		return client
	}
	a, b := newClient("a"), newClient("b")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	request := func(holder string, d time.Duration) lease.Request {
		return lease.Request{Holder: holder, Duration: d}
	}
	must(a.ClaimLease("one", request("one/0", time.Minute)))
	must(a.ExtendLease("one", request("one/0", time.Hour)))
	var ops []lease.Op
	for i := 0; i < 5; i++ {
		name := fmt.Sprintf("svc%d", i)
		ops = append(ops, lease.Op{Kind: lease.OpClaim, Lease: name, Request: request(name+"/0", time.Minute)})
	}
	for i, err := range a.(lease.Batcher).ApplyLeases(ops) {
		if err != nil {
			t.Fatalf("claiming %s: %v", ops[i].Lease, err)
		}
	}
	// b's cache is older than a's revocation and claim of svc0: b's batch
	// of revocations aborts, is answered for svc0 and retried for the
	// others.
	must(b.Refresh())
	must(a.(lease.Revoker).RevokeLease("svc0", "svc0/0"))
	must(a.ClaimLease("svc0", request("svc0/1", time.Minute)))
	var revokes []lease.Op
	for i := 0; i < 5; i++ {
		name := fmt.Sprintf("svc%d", i)
		revokes = append(revokes, lease.Op{Kind: lease.OpRevoke, Lease: name, Request: lease.Request{Holder: name + "/0"}})
	}
	for i, err := range b.(lease.Batcher).ApplyLeases(revokes) {
		if want := i == 0; errors.Is(err, lease.ErrInvalid) != want || !want && err != nil {
			t.Fatalf("revoking %s: %v", revokes[i].Lease, err)
		}
	}
	clock.Advance(2 * time.Minute)
	must(a.ExpireLease("svc0"))
	must(b.Refresh())
	if len(b.Leases()) != 1 {
		t.Fatalf("leases left: %v, want one", b.Leases())
	}
	if n := s.lookups.undecided.Load(); n != 0 {
		t.Errorf("%d commands went to FerretDB's scan", n)
	}
	if s.lookups.decided.Load() == 0 {
		t.Error("no command went through a lookup by _id")
	}
}
