package mongotest_test

import (
	"fmt"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"
)

type txnSuite struct {
	fixture
	runner *txn.Runner
}

var _ = gc.Suite(&txnSuite{})

func (s *txnSuite) SetUpTest(c *gc.C) {
	s.fixture.SetUpTest(c)
	s.runner = txn.NewRunner(s.db.C("txns"))
}

// account is a document that the transactions change.
type account struct {
	ID  string `bson:"_id"`
	Bal int    `bson:"bal"`
}

func (s *txnSuite) balance(c *gc.C, id string) int {
	var acc account
	c.Assert(s.db.C("accounts").FindId(id).One(&acc), jc.ErrorIsNil)
	return acc.Bal
}

// pending returns how many transactions have not finished.
func pending(c *gc.C, db *mgo.Database) int {
	n, err := db.C("txns").Find(bson.M{"s": bson.M{"$in": []int{1, 2, 3, 4}}}).Count()
	c.Assert(err, jc.ErrorIsNil)
	return n
}

func (s *txnSuite) insertAccount(c *gc.C, id string, bal int) {
	err := s.runner.Run([]txn.Op{{
		C: "accounts", Id: id, Assert: txn.DocMissing, Insert: account{Bal: bal},
	}}, "", nil)
	c.Assert(err, jc.ErrorIsNil)
}

func (s *txnSuite) TestInsertDocMissing(c *gc.C) {
	s.insertAccount(c, "a", 10)
	c.Check(s.balance(c, "a"), gc.Equals, 10)

	err := s.runner.Run([]txn.Op{{
		C: "accounts", Id: "a", Assert: txn.DocMissing, Insert: account{Bal: 99},
	}}, "", nil)
	c.Check(err, gc.Equals, txn.ErrAborted)
	c.Check(s.balance(c, "a"), gc.Equals, 10)
}

func (s *txnSuite) TestTransferWithAssertions(c *gc.C) {
	s.insertAccount(c, "a", 100)
	s.insertAccount(c, "b", 0)
	transfer := func(amount int) error {
		return s.runner.Run([]txn.Op{{
			C: "accounts", Id: "a",
			Assert: bson.M{"bal": bson.M{"$gte": amount}},
			Update: bson.M{"$inc": bson.M{"bal": -amount}},
		}, {
			C: "accounts", Id: "b", Assert: txn.DocExists,
			Update: bson.M{"$inc": bson.M{"bal": amount}},
		}}, "", nil)
	}
	c.Assert(transfer(30), jc.ErrorIsNil)
	c.Check(s.balance(c, "a"), gc.Equals, 70)
	c.Check(s.balance(c, "b"), gc.Equals, 30)

	// The assertion fails: nothing changes.
	c.Check(transfer(71), gc.Equals, txn.ErrAborted)
	c.Check(s.balance(c, "a"), gc.Equals, 70)
	c.Check(s.balance(c, "b"), gc.Equals, 30)
	c.Check(pending(c, s.db), gc.Equals, 0)

	// The operations, with their '$' keys, are stored and read back
	// exactly.
	var stored []struct {
		Ops []struct {
			Assert interface{} `bson:"a"`
			Update interface{} `bson:"u"`
		} `bson:"o"`
	}
	c.Assert(s.db.C("txns").Find(nil).Sort("_id").All(&stored), jc.ErrorIsNil)
	c.Assert(stored, gc.HasLen, 4)
	c.Check(stored[3].Ops[0].Assert, jc.DeepEquals, bson.M{"bal": bson.M{"$gte": 71}})
	c.Check(stored[3].Ops[0].Update, jc.DeepEquals, bson.M{"$inc": bson.M{"bal": -71}})
}

func (s *txnSuite) TestRemove(c *gc.C) {
	s.insertAccount(c, "a", 5)
	err := s.runner.Run([]txn.Op{{C: "accounts", Id: "a", Assert: txn.DocExists, Remove: true}}, "", nil)
	c.Assert(err, jc.ErrorIsNil)
	checkCount(c, s.db.C("accounts").FindId("a"), 0)

	err = s.runner.Run([]txn.Op{{C: "accounts", Id: "a", Assert: txn.DocExists, Remove: true}}, "", nil)
	c.Check(err, gc.Equals, txn.ErrAborted)
	s.insertAccount(c, "a", 6)
	c.Check(s.balance(c, "a"), gc.Equals, 6)
}

// TestConcurrentConflicts runs conflicting transactions from several
// goroutines, each with its own session: every one reads the counter and
// asserts that it has not changed. Retries on ErrAborted must end with
// every increment applied exactly once.
func (s *txnSuite) TestConcurrentConflicts(c *gc.C) {
	const workers, perWorker = 4, 10
	s.insertAccount(c, "ctr", 0)
	s.insertAccount(c, "total", 0)

	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		session := s.session.Copy()
		go func() {
			defer session.Close()
			errs <- increment(session.DB(""), perWorker)
		}()
	}
	deadline := time.After(longWait)
	for w := 0; w < workers; w++ {
		select {
		case err := <-errs:
			c.Check(err, jc.ErrorIsNil)
		case <-deadline:
			c.Fatalf("workers still running after %v", longWait)
		}
	}
	c.Check(s.balance(c, "ctr"), gc.Equals, workers*perWorker)
	c.Check(s.balance(c, "total"), gc.Equals, workers*perWorker)
	all, err := s.db.C("txns").Count()
	c.Assert(err, jc.ErrorIsNil)
	aborted, err := s.db.C("txns").Find(bson.M{"s": 5}).Count()
	c.Assert(err, jc.ErrorIsNil)
	c.Logf("%d transactions, %d of them aborted; %d commands", all, aborted, s.server.Commands())
	c.Check(pending(c, s.db), gc.Equals, 0)
}

// increment adds one to the counter n times, with compare-and-set
// transactions that retry when another writer got there first.
func increment(db *mgo.Database, n int) error {
	runner := txn.NewRunner(db.C("txns"))
	for done := 0; done < n; {
		var ctr account
		if err := db.C("accounts").FindId("ctr").One(&ctr); err != nil {
			return err
		}
		err := runner.Run([]txn.Op{{
			C: "accounts", Id: "ctr",
			Assert: bson.M{"bal": ctr.Bal},
			Update: bson.M{"$set": bson.M{"bal": ctr.Bal + 1}},
		}, {
			C: "accounts", Id: "total", Assert: txn.DocExists,
			Update: bson.M{"$inc": bson.M{"bal": 1}},
		}}, "", nil)
		switch err {
		case nil:
			done++
		case txn.ErrAborted:
		default:
			return err
		}
	}
	return nil
}

func (s *txnSuite) TestResumeAllAfterChaos(c *gc.C) {
	s.insertAccount(c, "x", 0)
	s.insertAccount(c, "y", 0)
	defer txn.SetChaos(txn.Chaos{})
	for i, bp := range []string{"set-prepared", "set-applying", "set-applied"} {
		txn.SetChaos(txn.Chaos{KillChance: 1, Breakpoint: bp})
		err := s.runner.Run([]txn.Op{{
			C: "accounts", Id: "x", Assert: txn.DocExists,
			Update: bson.M{"$inc": bson.M{"bal": 1}},
		}, {
			C: "accounts", Id: "y", Assert: bson.M{"bal": bson.M{"$gte": 0}},
			Update: bson.M{"$inc": bson.M{"bal": 10}},
		}}, "", nil)
		c.Check(err, gc.Equals, txn.ErrChaos, gc.Commentf("breakpoint %s", bp))
		txn.SetChaos(txn.Chaos{})
		c.Check(pending(c, s.db), gc.Equals, 1, gc.Commentf("breakpoint %s", bp))

		c.Assert(s.runner.ResumeAll(), jc.ErrorIsNil)
		c.Check(pending(c, s.db), gc.Equals, 0)
		c.Check(s.balance(c, "x"), gc.Equals, i+1, gc.Commentf("breakpoint %s", bp))
		c.Check(s.balance(c, "y"), gc.Equals, 10*(i+1), gc.Commentf("breakpoint %s", bp))
	}
	c.Check(s.runner.ResumeAll(), jc.ErrorIsNil)
	c.Check(fmt.Sprint(s.balance(c, "x"), s.balance(c, "y")), gc.Equals, "3 30")
}

// TestOddKeysInOperations runs transactions whose inserted and updated
// documents have keys that FerretDB refuses to store; the proxy escapes
// them wherever mgo/txn writes them (txns, stash and the documents).
// MongoDB itself refuses some of them.
func (s *txnSuite) TestOddKeysInOperations(c *gc.C) {
	embeddedOnly(c)
	odd := bson.M{"a.b": 1, "$c": bson.M{"d.e": "f"}}
	err := s.runner.Run([]txn.Op{{
		C: "settings", Id: "s", Assert: txn.DocMissing, Insert: bson.M{"cfg": odd},
	}}, "", nil)
	c.Assert(err, jc.ErrorIsNil)
	err = s.runner.Run([]txn.Op{{
		C: "settings", Id: "s", Assert: bson.M{"cfg": bson.M{"$exists": true}},
		Update: bson.M{"$set": bson.M{"more": odd, "cfg.x": 2}},
	}}, "", nil)
	c.Assert(err, jc.ErrorIsNil)

	var got bson.M
	c.Assert(s.db.C("settings").FindId("s").Select(bson.M{"cfg": 1, "more": 1}).One(&got), jc.ErrorIsNil)
	c.Check(got, jc.DeepEquals, bson.M{
		"_id":  "s",
		"cfg":  bson.M{"a.b": 1, "$c": bson.M{"d.e": "f"}, "x": 2},
		"more": odd,
	})
}
