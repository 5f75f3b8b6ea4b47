package leadership

import "gopkg.in/mgo.v2/txn"

// Token records that a unit was leader of a service at one instant.
//
// A token checks who leads when the transaction applies, not which term
// it was issued in: its operations assert that the lease's holder is the
// unit, which stays true across the unit's extensions of its term, and
// becomes false once the lease is expired or held by another unit. A
// token from an earlier term of a unit that leads again later therefore
// commits again. A caller that must not write with a token from an
// earlier term has to discard its tokens when it learns that it lost
// leadership, or use a [TermToken] (see [TermChecker]).
type Token interface {
	// AssertOps returns operations that, put into a mgo/txn transaction
	// run through the lease client's transaction collection, make it
	// abort (txn.ErrAborted) unless the unit holds the lease when the
	// transaction applies. Every call returns a new slice.
	AssertOps() []txn.Op
}

// token is the [Token] that [Manager.CheckLeadership] returns.
type token struct {
	assertOp txn.Op
	// termOp and term are the lease's term assertion and term, for
	// CheckLeadershipTerm.
	termOp txn.Op
	term   int64
}

// AssertOps is part of the [Token] interface.
func (t token) AssertOps() []txn.Op {
	return []txn.Op{t.assertOp}
}
