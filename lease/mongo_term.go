package lease

import (
	"github.com/juju/errors"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"
)

// fieldTerm is a lease document's term (see docs/design.md#terms):
// an int64, absent from documents written by clients that do not keep
// terms (earlier versions), which read as term 0.
const fieldTerm = "term"

// fieldTerms is a clock document's term floor. In a client's own clock
// document it is the highest term that client has written; in the
// shared one, the highest term written by clients of earlier versions,
// which kept the floor there. The namespace's term floor is the highest
// of them all. A claim that inserts a lease's document, or claims one
// without a term, writes a term above it, asserting that every clock
// document's floor is still below that term, so that a lease whose
// document was removed and made again never reuses a term (see
// docs/design.md#clock-documents). It is absent from clock documents of
// clients that have claimed nothing, and reads as zero there.
const fieldTerms = "terms"

// decodeTerm returns the term stored as v: zero if there is none (a
// document written by an earlier version), and an error if it is not a
// non-negative integer.
func decodeTerm(v interface{}) (int64, error) {
	var term int64
	switch v := v.(type) {
	case nil:
		return 0, nil
	case int64:
		term = v
	case int:
		term = int64(v)
	default:
		return 0, errors.Errorf("%v is a %T, not an integer", v, v)
	}
	if term < 0 {
		return 0, errors.Errorf("%d is negative", term)
	}
	return term, nil
}

// termValue returns the query value that matches a document's term
// field holding term: a document without the field for term 0.
func termValue(term int64) interface{} {
	if term == 0 {
		return bson.D{{Name: "$exists", Value: false}}
	}
	return term
}

// assertTermOp returns an op that asserts that holder holds the named
// lease in term: like assertHolderOp, it stays satisfied across
// extensions and after the expiry time, but it aborts once the lease has
// changed hands, even if it has come back to holder since.
func (s scope) assertTermOp(name, holder string, term int64) txn.Op {
	return txn.Op{
		C:  s.collection,
		Id: leaseDocId(s.namespace, name),
		Assert: bson.D{
			{Name: fieldHolder, Value: holder},
			{Name: fieldTerm, Value: termValue(term)},
		},
	}
}

// claimTerm returns the term a claim of the named lease writes, as c has
// the lease, and whether the term was taken from the namespace's term
// floor, which the claim's transaction must then assert: a released
// document with a term gives that term plus one; a missing document, or
// one without a term, the floor plus one.
func claimTerm(c cache, name string) (int64, bool) {
	if term := c.releasedTerms[name]; c.released[name] && term > 0 {
		return term + 1, false
	}
	return c.termFloor + 1, true
}

// claimedTerms returns the highest term the claims of writes write, and
// the lowest of those taken from the namespace's term floor: zero if
// they claim nothing, or take no term from the floor.
func claimedTerms(writes []leaseWrite) (highest, lowestFromFloor int64) {
	for _, w := range writes {
		if !w.claim {
			continue
		}
		highest = maxTerm(highest, w.next.term)
		if w.fromFloor && (lowestFromFloor == 0 || w.next.term < lowestFromFloor) {
			lowestFromFloor = w.next.term
		}
	}
	return highest, lowestFromFloor
}

// maxTerm returns the higher of two terms.
func maxTerm(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}
