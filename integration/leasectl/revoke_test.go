package leasectl_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/internal/leasectl"
	"github.com/seed07a61904/leadership/lease"
)

// fencedWrite runs, on the controllers' transaction collection, a
// transaction made of assert and an insert of a new document: a write
// fenced by a lease, as a leader's would be.
func (f *fixture) fencedWrite(assert txn.Op, id string) error {
	return f.RunTxn([]txn.Op{assert, {C: "settings", Id: id, Assert: txn.DocMissing, Insert: bson.M{"by": "leader"}}})
}

// wantFenced fails the test unless a write fenced by token, with the
// given id, commits; when is what the test has just done.
func (f *fixture) wantFenced(token txn.Op, id, when string) {
	f.t.Helper()
	if err := f.fencedWrite(token, id); err != nil {
		f.t.Errorf("write fenced by the lease %s: %v", when, err)
	}
}

// wantAborted fails the test unless a write fenced by token, with the
// given id, aborts; when is what the test has just done.
func (f *fixture) wantAborted(token txn.Op, id, when string) {
	f.t.Helper()
	if err := f.fencedWrite(token, id); !errors.Is(err, txn.ErrAborted) {
		f.t.Errorf("write fenced by a token taken before %s: %v, want %v", when, err, txn.ErrAborted)
	}
}

// leader claims, through a client "controller-0" that it returns, the
// lease name for holder, for a minute, and returns the lease's token.
func (f *fixture) leader(name, holder string) (lease.Client, txn.Op) {
	f.t.Helper()
	c0 := f.client("controller-0")
	f.claim(c0, name, holder, time.Minute)
	return c0, c0.Leases()[name].AssertOp
}

// TestRevokeForce revokes, with -force, a lease that may still be in
// force: it is removed at once, and the operator is told until when its
// holder may still act as leader.
func TestRevokeForce(t *testing.T) {
	f := newFixture(t)
	c0 := f.client("controller-0")
	f.claim(c0, "redis", "redis/0", time.Minute)
	f.claim(c0, "mysql", "mysql/0", time.Minute)
	token := c0.Leases()["redis"].AssertOp

	code, out, errOut := f.run("revoke", "-force", "redis", "redis/0")
	wantStatus(t, code, leasectl.ExitOK)
	if want := `revoked lease "redis" of "redis/0" in namespace "service-leadership", as writer "leasectl-ops-example-com" (now recorded in the clock document)` + "\n"; out != want {
		t.Errorf("stdout %q, want %q", out, want)
	}
	until := f.opClock.Now().Add(time.Minute).UTC().Format("2006-01-02T15:04:05.000Z")
	wantContains(t, "stderr", errOut,
		`leasectl: warning: -force removed lease "redis" while it may still be in force, until `+until+` on your clock (at most 1m0s from now): `,
		`until then redis/0 may still act as leader`,
		`only the writes fenced by its token`)
	if err := c0.Refresh(); err != nil {
		t.Fatal(err)
	}
	leases := c0.Leases()
	if _, held := leases["redis"]; held {
		t.Errorf("redis still held after the revoke: %+v", leases["redis"])
	}
	if got := leases["mysql"].Holder; got != "mysql/0" {
		t.Errorf("mysql's holder %q after revoking redis, want mysql/0", got)
	}
	f.wantAborted(token, "stale", "the revoke")
	// The revoke recorded leasectl as a writer, at the operator's time.
	got := f.runJSON("clock")
	if len(got.Writers) != 2 || got.Writers[1].Writer != "leasectl-ops-example-com" ||
		got.Writers[1].Writes != 1 || !got.Writers[1].LastWrite.Equal(f.opClock.Now()) {
		t.Errorf("writers after the revoke: %+v", got.Writers)
	}
}

func TestRevokeJSONAndWriter(t *testing.T) {
	f := newFixture(t)
	c0 := f.client("controller-0")
	f.claim(c0, "redis", "redis/0", time.Minute)
	code, out, _ := f.run("-json", "-writer", "alice", "revoke", "-force", "redis", "redis/0")
	wantStatus(t, code, leasectl.ExitOK)
	var got map[string]interface{}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	want := map[string]interface{}{"namespace": namespace, "lease": "redis", "holder": "redis/0", "writer": "alice", "revoked": true,
		"forced": true, "holder_may_lead_until": f.opClock.Now().Add(time.Minute).UTC().Format(time.RFC3339Nano)}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %v, want %v", k, got[k], v)
		}
	}
}

func TestRevokeRefusedWhenHolderChanged(t *testing.T) {
	f := newFixture(t)
	c0 := f.client("controller-0")
	f.claim(c0, "redis", "redis/1", time.Minute)
	token := c0.Leases()["redis"].AssertOp
	before := f.dump()

	f.runRefused([]string{"revoke", "redis", "redis/0"}, `leasectl: refused: lease "redis" in namespace "service-leadership" is held by "redis/1", not "redis/0": nothing revoked`)
	if after := f.dump(); after != before {
		t.Errorf("the refused revoke changed the leases:\nbefore %s\nafter  %s", before, after)
	}
	if err := c0.Refresh(); err != nil {
		t.Fatal(err)
	}
	if got := c0.Leases()["redis"].Holder; got != "redis/1" {
		t.Errorf("holder %q after the refused revoke, want redis/1", got)
	}
	f.wantFenced(token, "fresh", "left untouched")

	f.runRefused([]string{"revoke", "mysql", "mysql/0"}, `refused: lease "mysql" in namespace "service-leadership" is not held (by "mysql/0" or anyone): nothing revoked`)
}

func TestRevokeRefusedForAWriterInUse(t *testing.T) {
	f := newFixture(t)
	c0 := f.client("controller-0")
	f.claim(c0, "redis", "redis/0", time.Minute)
	// controller-1 holds no lease, but has written, on a clock an hour
	// ahead of the operator's.
	c1 := f.client("controller-1")
	f.claim(c1, "mysql", "mysql/1", time.Minute)
	if err := c1.(lease.Revoker).RevokeLease("mysql", "mysql/1"); err != nil {
		t.Fatal(err)
	}
	_, before, _ := f.run("-json", "clock")
	leases := f.dump()

	f.runRefused([]string{"-writer", "controller-0", "revoke", "redis", "redis/0"}, `leasectl: refused: writer "controller-0" wrote lease "redis": it is a lease client in use, and leasectl must write as an id of its own (-writer): nothing revoked`)

	f.runRefused([]string{"-writer", "controller-1", "revoke", "redis", "redis/0"}, `leasectl: refused: the clock document records writer "controller-1" at `+clocktest.Start.UTC().Format(time.RFC3339Nano)+
		`, later than your clock's `+f.opStart.UTC().Format(time.RFC3339Nano)+`, and a writer's time must not go back: use another -writer, or fix this host's clock: nothing revoked`)

	if _, after, _ := f.run("-json", "clock"); after != before {
		t.Errorf("the refused revokes changed the clock document:\nbefore %s\nafter  %s", before, after)
	}
	if after := f.dump(); after != leases {
		t.Errorf("the refused revokes changed the leases:\nbefore %s\nafter  %s", leases, after)
	}
}

func TestRevokeRefusedWithoutClockDocument(t *testing.T) {
	f := newFixture(t)
	f.claim(f.client("controller-0"), "redis", "redis/0", time.Minute)
	if err := f.DB.C(collection).RemoveId("clock#service-leadership#"); err != nil {
		t.Fatal(err)
	}
	before := f.dumpAll()
	f.runRefused([]string{"revoke", "redis", "redis/0"}, `leasectl: refused: namespace "service-leadership" has leases but no clock document, so no lease client can use it: nothing revoked`)
	f.wantUnchanged(before, "the refused revoke")
}

// TestRevokeRefusedWithWrongTxns gives -txns a collection other than the
// controllers': a revoke through it would leave, in the lease and clock
// documents, a transaction token that the controllers' runner cannot
// find, and every later transaction on them would fail.
func TestRevokeRefusedWithWrongTxns(t *testing.T) {
	f := newFixture(t)
	c0, token := f.leader("redis", "redis/0")
	before := f.dumpAll()
	f.runRefused([]string{"-txns", "othertxns", "revoke", "redis", "redis/0"}, `leasectl: refused: the transactions of namespace "service-leadership" are not in -txns collection "othertxns": `, "nothing revoked")
	f.wantUnchanged(before, "the refused revoke")
	f.wantFenced(token, "after", "after the refused revoke")
	if err := c0.ClaimLease("mysql", lease.Request{Holder: "mysql/0", Duration: time.Minute}); err != nil {
		t.Errorf("claim after the refused revoke: %v", err)
	}
}

// runRefused runs leasectl -url URL args..., and fails the test unless
// it exits with ExitFailure, its stderr contains each of msgs, and it
// prints nothing on stdout.
func (f *fixture) runRefused(args []string, msgs ...string) {
	f.t.Helper()
	code, out, errOut := f.run(args...)
	wantStatus(f.t, code, leasectl.ExitFailure)
	wantContains(f.t, "stderr", errOut, msgs...)
	wantNone(f.t, "stdout", out)
}

// dump returns the lease collection's lease documents, as JSON, to show
// that a refused revoke wrote nothing to them.
func (f *fixture) dump() string {
	f.t.Helper()
	var docs []bson.M
	if err := f.DB.C(collection).Find(bson.M{"type": "lease"}).Select(bson.M{"txn-queue": 0}).Sort("_id").All(&docs); err != nil {
		f.t.Fatal(err)
	}
	data, err := json.Marshal(docs)
	if err != nil {
		f.t.Fatal(err)
	}
	return string(data)
}

// TestRevokeRefusedWhileTheLeaseMayBeInForce revokes, as an operator
// would, a lease whose writer has just renewed it: its holder may act as
// leader until the lease runs out, so removing it then would let another
// unit be granted the lease while the holder still leads. revoke refuses,
// says why and what to do, and changes nothing: the holder's token still
// commits, and no other controller can claim the lease.
func TestRevokeRefusedWhileTheLeaseMayBeInForce(t *testing.T) {
	f := newFixture(t)
	c0 := f.client("controller-0")
	f.claim(c0, "mysql", "mysql/1", 10*time.Second)
	f.clock.Advance(time.Second)
	token := c0.Leases()["mysql"].AssertOp
	before := f.dumpAll()

	// One read shows only that controller-0's clock had reached its last
	// write by the end of the read: the lease may run 10s from there.
	expiresBy := f.opClock.Now().Add(10 * time.Second).UTC().Format("2006-01-02T15:04:05.000Z")
	f.runRefused([]string{"revoke", "mysql", "mysql/1"},
		`leasectl: refused: lease "mysql" of "mysql/1" in namespace "service-leadership" may be in force until `+expiresBy+` on your clock (at most 10s from now)`,
		`mysql/1 may act as leader until then`,
		`-wait`, `-force`, `nothing revoked`)
	f.wantUnchanged(before, "the refused revoke")
	f.wantFenced(token, "leader", "after the refused revoke")
	c1 := f.client("controller-1")
	if err := c1.ClaimLease("mysql", lease.Request{Holder: "mysql/2", Duration: 10 * time.Second}); !errors.Is(err, lease.ErrInvalid) {
		t.Errorf("another controller's claim after the refused revoke: %v, want %v", err, lease.ErrInvalid)
	}
}

// TestRevokeOfALeaseThatHasRunOut revokes, without -force or -wait, a
// lease that one read shows to have run out: its writer recorded a time
// past its expiry (it claimed another lease later). It is removed, as any
// controller's client would expire it, and the holder's token is fenced.
func TestRevokeOfALeaseThatHasRunOut(t *testing.T) {
	f := newFixture(t)
	c0 := f.client("controller-0")
	f.claim(c0, "redis", "redis/0", time.Second)
	token := c0.Leases()["redis"].AssertOp
	f.clock.Advance(2 * time.Second)
	f.claim(c0, "mysql", "mysql/0", time.Minute)

	code, out, errOut := f.run("revoke", "redis", "redis/0")
	wantStatus(t, code, leasectl.ExitOK)
	wantNone(t, "stderr", errOut)
	if want := `revoked lease "redis" of "redis/0" in namespace "service-leadership", as writer "leasectl-ops-example-com" (now recorded in the clock document); it had run out, so redis/0 no longer leads` + "\n"; out != want {
		t.Errorf("stdout %q, want %q", out, want)
	}
	f.wantAborted(token, "stale", "the revoke")
	if err := c0.Refresh(); err != nil {
		t.Fatal(err)
	}
	if info, held := c0.Leases()["redis"]; held {
		t.Errorf("redis still held after the revoke: %+v", info)
	}
	if got := c0.Leases()["mysql"].Holder; got != "mysql/0" {
		t.Errorf("mysql's holder %q after revoking redis, want mysql/0", got)
	}

	_, out, _ = f.run("-json", "revoke", "mysql", "mysql/0")
	wantNone(t, "stdout of the refused revoke", out)
	f.clock.Advance(2 * time.Minute)
	f.claim(c0, "redis", "redis/1", time.Second)
	code, out, _ = f.run("-json", "revoke", "mysql", "mysql/0")
	wantStatus(t, code, leasectl.ExitOK)
	if want := `{"namespace":"service-leadership","lease":"mysql","holder":"mysql/0","writer":"leasectl-ops-example-com","revoked":true,"forced":false,"holder_may_lead_until":null}` + "\n"; out != want {
		t.Errorf("stdout %q, want %q", out, want)
	}
}

// waitAlarm waits until the revoke has asked for an alarm at t on the
// operator's clock.
func (r *running) waitAlarm(t time.Time) {
	r.f.t.Helper()
	if err := r.f.opClock.WaitAlarmFor(t, longWait); err != nil {
		r.f.t.Fatalf("%v\nstdout so far:\n%s\nstderr so far:\n%s", err, r.stdout.String(), r.stderr.String())
	}
}

// TestRevokeWait revokes with -wait the lease of a controller that has
// stopped: leasectl waits, on its own clock, until the lease has run out
// (a minute after its read, since the writer stays silent), and then
// removes it.
func TestRevokeWait(t *testing.T) {
	f := newFixture(t)
	_, token := f.leader("redis", "redis/0")

	r := f.start("revoke", "-wait", "redis", "redis/0")
	runOut := f.opClock.Now().Add(time.Minute)
	r.waitAlarm(runOut.Add(time.Nanosecond))
	wantContains(t, "stderr", r.stderr.String(),
		`leasectl: lease "redis" of "redis/0" may be in force until `+runOut.UTC().Format("2006-01-02T15:04:05.000Z")+` on your clock (at most 1m0s from now): waiting until it has run out (Ctrl-C to stop)`)
	f.wantFenced(token, "leader", "while revoke waits")
	f.opClock.Advance(time.Minute + time.Nanosecond)
	wantStatus(t, r.wait(), leasectl.ExitOK)
	wantContains(t, "stdout", r.stdout.String(), `revoked lease "redis" of "redis/0"`, "it had run out")
	f.wantAborted(token, "stale", "the revoke")
}

// TestRevokeWaitRefusedWhenRenewed revokes with -wait a lease that its
// controller renews meanwhile: its holder is alive, and revoke refuses.
func TestRevokeWaitRefusedWhenRenewed(t *testing.T) {
	f := newFixture(t)
	c0, token := f.leader("redis", "redis/0")

	r := f.start("revoke", "-wait", "redis", "redis/0")
	r.waitAlarm(f.opClock.Now().Add(time.Minute + time.Nanosecond))
	f.clock.Advance(30 * time.Second)
	if err := c0.ExtendLease("redis", lease.Request{Holder: "redis/0", Duration: time.Minute}); err != nil {
		t.Fatal(err)
	}
	f.opClock.Advance(time.Minute + time.Nanosecond)
	wantStatus(t, r.wait(), leasectl.ExitFailure)
	wantNone(t, "stdout", r.stdout.String())
	wantContains(t, "stderr", r.stderr.String(),
		`leasectl: refused: lease "redis" of "redis/0" in namespace "service-leadership" was renewed since leasectl first read it: redis/0 is alive and may act as leader.`,
		"nothing revoked")
	f.wantFenced(token, "leader", "once renewed")
}

// TestRevokeWaitInterrupted stops a revoke -wait before the lease has run
// out: nothing is revoked.
func TestRevokeWaitInterrupted(t *testing.T) {
	f := newFixture(t)
	f.claim(f.client("controller-0"), "redis", "redis/0", time.Minute)
	r := f.start("revoke", "-wait", "redis", "redis/0")
	r.waitAlarm(f.opClock.Now().Add(time.Minute + time.Nanosecond))
	before := f.dumpAll()
	r.cancel()
	wantStatus(t, r.wait(), leasectl.ExitFailure)
	wantContains(t, "stderr", r.stderr.String(), `leasectl: interrupted while waiting for lease "redis" of "redis/0" to run out: nothing revoked`)
	f.wantUnchanged(before, "the interrupted revoke")
}
