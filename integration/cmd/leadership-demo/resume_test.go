package main

import (
	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/integration/mongotest"
	"github.com/seed07a61904/leadership/lease"
)

// TestResumePending leaves 150 transactions half done (more than the
// server's first reply holds), and resumePending applies every one; with
// the database stopped, it fails rather than report them resumed
// (txn.Runner.ResumeAll, which never checks its read's error, returned
// nil there).
func (s *demoSuite) TestResumePending(c *gc.C) {
	server, err := mongotest.Start()
	c.Assert(err, jc.ErrorIsNil)
	defer server.Close()
	session, err := server.Dial()
	c.Assert(err, jc.ErrorIsNil)
	defer session.Close()
	db := session.DB("resume")
	mongo := lease.NewMongo(db, txnCollection)

	const pending = 150
	runner := txn.NewRunner(db.C(txnCollection))
	txn.SetChaos(txn.Chaos{KillChance: 1, Breakpoint: "set-applying"})
	for i := 0; i < pending; i++ {
		err := runner.Run([]txn.Op{{C: "things", Id: i, Assert: txn.DocMissing, Insert: bson.M{"n": i}}}, "", nil)
		if err != txn.ErrChaos {
			txn.SetChaos(txn.Chaos{})
			c.Fatalf("transaction %d: %v, want it left half done (txn.ErrChaos)", i, err)
		}
	}
	txn.SetChaos(txn.Chaos{})
	n, err := db.C("things").Count()
	c.Assert(err, jc.ErrorIsNil)
	c.Assert(n, gc.Equals, 0, gc.Commentf("no transaction is applied yet"))

	c.Assert(resumePending(mongo), jc.ErrorIsNil)
	n, err = db.C("things").Count()
	c.Assert(err, jc.ErrorIsNil)
	c.Check(n, gc.Equals, pending)
	left, err := db.C(txnCollection).Find(bson.M{"s": bson.M{"$ne": 6}}).Count() // 6: applied
	c.Assert(err, jc.ErrorIsNil)
	c.Check(left, gc.Equals, 0)

	c.Assert(server.Stop(), jc.ErrorIsNil)
	err = resumePending(mongo)
	c.Check(err, gc.ErrorMatches, "reading pending transactions: .*")
	c.Assert(server.Restart(), jc.ErrorIsNil)
}
