package leadership

import "gopkg.in/mgo.v2/txn"

// Token records that a unit was leader of a service at one instant.
type Token interface {
	// AssertOps returns operations that, put into a mgo/txn transaction,
	// make it abort unless the unit is still leader. Every call returns a
	// new slice.
	AssertOps() []txn.Op
}

// token is the [Token] that [Manager.CheckLeadership] returns.
type token struct {
	assertOp txn.Op
}

// AssertOps is part of the [Token] interface.
func (t token) AssertOps() []txn.Op {
	return []txn.Op{t.assertOp}
}
