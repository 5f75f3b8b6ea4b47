package lease

import (
	"github.com/juju/errors"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"
)

// fieldTerm is a lease document's term (docs/design.md#terms), an int64;
// absent (term 0) in earlier versions' documents.
const fieldTerm = "term"

// fieldTerms is a clock document's term floor: in a client's own, the
// highest term it wrote; in the shared one, earlier versions'. The
// namespace's floor is the highest. A claim of a lease without a document
// or term writes a term above it, asserting every floor is below, so a
// remade document never reuses a term (docs/design.md#clock-documents).
// Absent means zero.
const fieldTerms = "terms"

// decodeTerm returns the term stored as v: zero if none, an error if not
// a non-negative integer.
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

// termValue returns the query value matching term: for term 0, null,
// which matches a document with no term or a null one, both read as term
// 0 (decodeTerm), so that every document the client reads as term 0 is
// one its assertion matches.
func termValue(term int64) interface{} {
	if term == 0 {
		return nil
	}
	return term
}

// assertTermOp asserts holder holds the named lease in term: like
// assertHolderOp, but aborting once the lease changed hands, even back.
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

// claimTerm returns the term a claim of the named lease writes (a released
// document's term plus one, else the floor plus one) and whether it came
// from the floor, which the transaction must then assert.
func claimTerm(c cache, name string) (int64, bool) {
	if term := c.releasedTerms[name]; c.released[name] && term > 0 {
		return term + 1, false
	}
	return c.termFloor + 1, true
}

// claimedTerms returns the highest term writes claim, and the lowest taken
// from the floor (zero if none).
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
