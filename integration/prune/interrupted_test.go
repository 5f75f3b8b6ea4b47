package prune_test

import (
	"fmt"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/lease"
)

// InterruptedSuite: transactions interrupted half way (txn.SetChaos) are
// kept, and finish as mgo/txn finishes them, after any number of prunes.
type InterruptedSuite struct {
	pruneSuite
}

var _ = gc.Suite(&InterruptedSuite{})

// account is a user's document.
type account struct {
	Balance int `bson:"balance"`
}

func (s *InterruptedSuite) balance(c *gc.C, id string) (int, bool) {
	var doc account
	err := s.DB.C(userCollection).FindId(id).One(&doc)
	if err != nil {
		return 0, false
	}
	return doc.Balance, true
}

// interrupted runs ops with mgo/txn interrupted at breakpoint, and
// returns the transaction it left.
func (s *InterruptedSuite) interrupted(c *gc.C, runner *txn.Runner, breakpoint string, ops []txn.Op) txnDoc {
	before := s.txns(c)
	txn.SetChaos(txn.Chaos{KillChance: 1, Breakpoint: breakpoint})
	err := runner.Run(ops, "", nil)
	txn.SetChaos(txn.Chaos{})
	c.Assert(err, gc.Equals, txn.ErrChaos)
	added := s.newTxns(c, before)
	c.Assert(added, gc.HasLen, 1)
	return added[0]
}

// halfApplied runs a transaction of two updates and an insert with mgo/txn
// interrupted at random points, until one is left applying (some of its
// ops applied, not all, or none yet); it returns that transaction, and
// the ids of the documents it writes.
func (s *InterruptedSuite) halfApplied(c *gc.C, runner *txn.Runner) (txnDoc, []string) {
	for i := 0; i < 300; i++ {
		a, b, n := fmt.Sprintf("a%d", i), fmt.Sprintf("b%d", i), fmt.Sprintf("n%d", i)
		c.Assert(runner.Run([]txn.Op{
			{C: userCollection, Id: a, Insert: account{1}},
			{C: userCollection, Id: b, Insert: account{1}},
		}, "", nil), jc.ErrorIsNil)
		before := s.txns(c)
		txn.SetChaos(txn.Chaos{KillChance: 0.2})
		err := runner.Run([]txn.Op{
			{C: userCollection, Id: a, Update: bson.M{"$inc": bson.M{"balance": 10}}},
			{C: userCollection, Id: b, Update: bson.M{"$inc": bson.M{"balance": 10}}},
			{C: userCollection, Id: n, Insert: account{10}},
		}, "", nil)
		txn.SetChaos(txn.Chaos{})
		added := s.newTxns(c, before)
		c.Assert(added, gc.HasLen, 1)
		if err == txn.ErrChaos && added[0].State == stateApplying {
			return added[0], []string{a, b, n}
		}
	}
	c.Fatalf("no transaction was left applying")
	return txnDoc{}, nil
}

func (s *InterruptedSuite) TestUsersTransactions(c *gc.C) {
	runner := s.runner()
	c.Assert(runner.Run([]txn.Op{{C: userCollection, Id: "acct", Insert: account{10}}}, "", nil), jc.ErrorIsNil)
	c.Assert(runner.Run([]txn.Op{{C: userCollection, Id: "gone", Insert: account{1}}}, "", nil), jc.ErrorIsNil)
	c.Assert(runner.Run([]txn.Op{{C: userCollection, Id: "gone", Remove: true}}, "", nil), jc.ErrorIsNil)

	// Left preparing, prepared and applying: an update, an insert and
	// an insert of a removed document (through the stash).
	ops := []txn.Op{
		{C: userCollection, Id: "acct", Update: bson.M{"$inc": bson.M{"balance": 5}}},
		{C: userCollection, Id: "new", Assert: txn.DocMissing, Insert: account{5}},
		{C: userCollection, Id: "gone", Assert: txn.DocMissing, Insert: account{7}},
	}
	prepared := s.interrupted(c, runner, "set-prepared", ops)
	c.Assert(prepared.State, gc.Equals, statePreparing)
	applying, docs := s.halfApplied(c, runner)
	c.Logf("interrupted transactions %s and %s", prepared.Id.Hex(), applying.Id.Hex())

	s.pruneAll(c)
	c.Check(s.state(c, prepared.Id), gc.Equals, statePreparing)
	c.Check(s.state(c, applying.Id), gc.Equals, stateApplying)
	s.checkPruned(c)

	// Resumed, they finish: nothing was lost.
	c.Assert(runner.ResumeAll(), jc.ErrorIsNil)
	c.Check(s.state(c, prepared.Id), gc.Equals, stateApplied)
	c.Check(s.state(c, applying.Id), gc.Equals, stateApplied)
	for id, want := range map[string]int{"acct": 15, "new": 5, "gone": 7, docs[0]: 11, docs[1]: 11, docs[2]: 10} {
		got, ok := s.balance(c, id)
		c.Check(ok, jc.IsTrue, gc.Commentf("%s", id))
		c.Check(got, gc.Equals, want, gc.Commentf("%s", id))
	}

	// Pruned again, the same documents take new transactions: updates,
	// a removal into the stash and an insert out of it.
	s.pruneAll(c)
	s.checkPruned(c)
	c.Assert(runner.Run([]txn.Op{
		{C: userCollection, Id: "acct", Assert: bson.M{"balance": 15}, Update: bson.M{"$inc": bson.M{"balance": 1}}},
		{C: userCollection, Id: "gone", Remove: true},
	}, "", nil), jc.ErrorIsNil)
	s.pruneAll(c)
	c.Assert(runner.Run([]txn.Op{
		{C: userCollection, Id: "gone", Assert: txn.DocMissing, Insert: account{9}},
		{C: userCollection, Id: "new", Assert: bson.M{"balance": 5}, Remove: true},
	}, "", nil), jc.ErrorIsNil)
	s.pruneAll(c)
	s.checkPruned(c)
	c.Assert(runner.ResumeAll(), jc.ErrorIsNil)
	for id, want := range map[string]int{"acct": 16, "gone": 9} {
		got, _ := s.balance(c, id)
		c.Check(got, gc.Equals, want, gc.Commentf("%s", id))
	}
	_, ok := s.balance(c, "new")
	c.Check(ok, jc.IsFalse)
}

func (s *InterruptedSuite) TestLeaseWrite(c *gc.C) {
	client := s.newClient(c, "ctl-1")
	c.Assert(client.ClaimLease("svc", request("unit", time.Minute)), jc.ErrorIsNil)
	claimed := client.Leases()["svc"].Expiry

	// The extension's transaction is left prepared: its outcome is
	// unknown to the client.
	before := s.txns(c)
	txn.SetChaos(txn.Chaos{KillChance: 1, Breakpoint: "set-applying"})
	err := client.ExtendLease("svc", request("unit", time.Hour))
	txn.SetChaos(txn.Chaos{})
	c.Assert(err, gc.NotNil)
	added := s.newTxns(c, before)
	c.Assert(added, gc.HasLen, 1)
	c.Assert(added[0].State, gc.Equals, statePrepared)

	// A prune keeps it, however old.
	s.pruneAll(c)
	c.Check(s.state(c, added[0].Id), gc.Equals, statePrepared)

	// Another controller's next write (of another lease: it writes the
	// same clock document) finishes it; the extension was not lost.
	other := s.newClient(c, "ctl-2")
	c.Check(other.Leases()["svc"].Expiry, gc.Equals, claimed)
	c.Assert(other.ClaimLease("svc-2", request("unit", time.Minute)), jc.ErrorIsNil)
	c.Check(s.state(c, added[0].Id), gc.Equals, stateApplied)
	c.Assert(other.Refresh(), jc.ErrorIsNil)
	c.Check(other.Leases()["svc"].Expiry.After(claimed), jc.IsTrue)
	c.Assert(other.ClaimLease("svc", request("other", time.Minute)), gc.Equals, lease.ErrInvalid)

	// Then it can go, and the leases carry on.
	s.pruneAll(c)
	s.checkPruned(c)
	c.Assert(client.Refresh(), jc.ErrorIsNil)
	c.Assert(client.ExtendLease("svc", request("unit", 2*time.Hour)), jc.ErrorIsNil)
	c.Assert(other.Refresh(), jc.ErrorIsNil)
	c.Check(other.Leases()["svc"].Expiry, gc.Equals, client.Leases()["svc"].Expiry)
}
