package leadership

import (
	"github.com/juju/errors"
	"gopkg.in/mgo.v2/txn"
)

// TermChecker is implemented by managers that hand out term tokens. The
// manager [NewManager] returns implements it.
//
// A [Token] asserts who leads; a [TermToken] asserts who leads and in
// which term, so that it cannot outlive the term it was taken in (see
// docs/design.md#terms).
type TermChecker interface {
	// CheckLeadershipTerm is [Manager.CheckLeadership], and answers as
	// it does (ErrNotLeader, ErrStopped, ErrInvalidArgument, store
	// errors), but returns a [TermToken]. It returns an error matching
	// [ErrNoTerms] if the manager's lease client reports no terms (its
	// lease.Info has no TermAssertOp).
	CheckLeadershipTerm(serviceName, unitName string) (TermToken, error)
}

// TermToken records that a unit was leader of a service in one term.
//
// Its AssertOps make a transaction abort unless the unit still holds
// the lease in the same term when the transaction applies: they hold
// across the unit's extensions of its lease, and fail for good once the
// lease has been released (expired or revoked), even if the unit leads
// again later. The term only rises: a caller can write it beside its
// data, as a fencing token, and refuse writes that carry a lower one.
type TermToken interface {
	Token

	// Term returns the lease's term the token was taken in: a number
	// that rises every time the service's leadership changes hands (see
	// lease.Info.Term). A term of 0 means the lease was last claimed by
	// a client that keeps no terms (an earlier version); its AssertOps
	// then hold for as long as the lease stays without a term.
	Term() int64
}

// ErrNoTerms is matched, with errors.Is, by the error
// [TermChecker.CheckLeadershipTerm] returns when the manager's lease
// client keeps no terms.
var ErrNoTerms = errors.New("lease client keeps no terms")

var _ TermChecker = (*manager)(nil)

// CheckLeadershipTerm is part of the [TermChecker] interface.
func (m *manager) CheckLeadershipTerm(serviceName, unitName string) (TermToken, error) {
	t, err := m.CheckLeadership(serviceName, unitName)
	if err != nil {
		return nil, err
	}
	tok := t.(token)
	if tok.termOp.C == "" {
		return nil, errors.Annotatef(ErrNoTerms, "cannot check leadership term of %q for %q: lease client %T reports no term assertion", serviceName, unitName, m.client)
	}
	return termToken{op: tok.termOp, term: tok.term}, nil
}

// termToken is the [TermToken] that [TermChecker.CheckLeadershipTerm]
// returns.
type termToken struct {
	op   txn.Op
	term int64
}

// AssertOps is part of the [Token] interface.
func (t termToken) AssertOps() []txn.Op {
	return []txn.Op{t.op}
}

// Term is part of the [TermToken] interface.
func (t termToken) Term() int64 {
	return t.term
}
