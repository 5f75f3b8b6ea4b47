package leadership

import (
	"github.com/juju/errors"
	"gopkg.in/mgo.v2/txn"
)

// TermChecker is implemented by managers that hand out term tokens
// (docs/design.md#terms). The manager [NewManager] returns implements it.
type TermChecker interface {
	// CheckLeadershipTerm is [Manager.CheckLeadership], with the same
	// errors, returning a [TermToken]; or an error matching [ErrNoTerms]
	// if the lease client reports no terms (no TermAssertOp).
	CheckLeadershipTerm(serviceName, unitName string) (TermToken, error)
}

// TermToken records that a unit was leader of a service in one term. Its
// AssertOps make a transaction abort unless the unit still holds the lease
// in that term: they hold across extensions, and fail for good once the
// lease is released, even if the unit leads again. The term only rises, so
// a caller may store it beside its data as a fencing token.
type TermToken interface {
	Token

	// Term returns the lease's term the token was taken in, which rises
	// each time leadership changes hands (lease.Info.Term). 0 means the
	// lease was last claimed by a client that keeps no terms; AssertOps
	// then hold while the lease stays without a term.
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
