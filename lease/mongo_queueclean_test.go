package lease

import (
	"errors"
	"io"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"
)

type QueueCleanSuite struct{}

var _ = gc.Suite(&QueueCleanSuite{})

// TestTokenTxn: a token names its transaction by the id in hex before
// '_'; anything else names none, and is never removed.
func (s *QueueCleanSuite) TestTokenTxn(c *gc.C) {
	id := bson.NewObjectId()
	got, ok := tokenTxn(id.Hex() + "_1a2b3c4d")
	c.Check(ok, jc.IsTrue)
	c.Check(got, gc.Equals, id)
	for _, token := range []string{"", id.Hex(), id.Hex() + "-1a2b3c4d", "zz" + id.Hex()[2:] + "_1a2b3c4d", "x"} {
		_, ok := tokenTxn(token)
		c.Check(ok, jc.IsFalse, gc.Commentf("%q", token))
	}
}

// TestInsertsOnly: the queues are cleaned only before a transaction whose
// every lease write inserts its document.
func (s *QueueCleanSuite) TestInsertsOnly(c *gc.C) {
	insert := leaseWrite{op: txn.Op{Assert: txn.DocMissing, Insert: bson.M{}}}
	update := leaseWrite{op: txn.Op{Assert: bson.M{}, Update: bson.M{}}}
	c.Check(insertsOnly(nil), jc.IsFalse)
	c.Check(insertsOnly([]leaseWrite{insert, insert}), jc.IsTrue)
	c.Check(insertsOnly([]leaseWrite{insert, update}), jc.IsFalse)
	c.Check(insertsOnly([]leaseWrite{update}), jc.IsFalse)
}

// TestUnanswered: only a store that did not answer stops the claims;
// any other error of the cleaning is ignored.
func (s *QueueCleanSuite) TestUnanswered(c *gc.C) {
	c.Check(unanswered(nil, "reading"), jc.ErrorIsNil)
	c.Check(unanswered(errors.New("unsupported"), "reading"), jc.ErrorIsNil)
	err := unanswered(io.EOF, "reading")
	c.Check(errors.Is(err, ErrUnavailable), jc.IsTrue)
	c.Check(err, gc.ErrorMatches, "reading: lease store unavailable: EOF")
}

// TestNoTxnCollection: a client whose Mongo does not name its
// transaction collection does not clean, and sends nothing.
func (s *QueueCleanSuite) TestNoTxnCollection(c *gc.C) {
	cl := &client{config: ClientConfig{Mongo: &scriptedMongo{}, Collection: "leases"}}
	c.Check(cl.cleanQueues([]txn.Op{{C: "leases", Id: "clock#ns#", Update: bson.M{}}}), jc.ErrorIsNil)
}
