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

// fieldTerms is the clock document's term floor: the highest term any
// claim in the namespace has written. A claim that inserts a lease's
// document, or claims one without a term, writes a term above it, so
// that a lease whose document was removed and made again never reuses a
// term. It is absent from clock documents no term-keeping client has
// claimed in, and reads as zero there.
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

// decodeTermFloor returns the term floor of a clock document (see
// fieldTerms): zero if it has none, and an error naming the document if
// it is not a non-negative integer.
func decodeTermFloor(raw bson.Raw) (int64, error) {
	var doc struct {
		Terms interface{} `bson:"terms"`
	}
	if err := raw.Unmarshal(&doc); err != nil {
		return 0, corrupt(errors.Annotatef(err, "corrupt clock document %q", rawId(raw)))
	}
	floor, err := decodeTerm(doc.Terms)
	if err != nil {
		return 0, corrupt(errors.Annotatef(err, "corrupt clock document %q: invalid term floor", rawId(raw)))
	}
	return floor, nil
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

// addTermOps makes the clock document's op of a transaction (see
// clockWriteOp) keep the namespace's term floor for the claims of writes:
// it raises the floor to the highest term they write, and, if one of
// them took its term from the floor, aborts unless the floor is still
// below that term, so that no term is written twice for a lease. It
// returns clock unchanged if writes claim nothing.
func addTermOps(clock txn.Op, writes []leaseWrite) txn.Op {
	var highest, lowestFromFloor int64
	for _, w := range writes {
		if !w.claim {
			continue
		}
		if w.next.term > highest {
			highest = w.next.term
		}
		if w.fromFloor && (lowestFromFloor == 0 || w.next.term < lowestFromFloor) {
			lowestFromFloor = w.next.term
		}
	}
	if highest == 0 {
		return clock
	}
	update := append(bson.D{}, clock.Update.(bson.D)...)
	clock.Update = append(update, bson.DocElem{Name: "$max", Value: bson.D{{Name: fieldTerms, Value: highest}}})
	if lowestFromFloor > 0 {
		clock.Assert = bson.D{{Name: "$and", Value: []interface{}{
			clock.Assert,
			bson.D{{Name: "$or", Value: []bson.D{
				{{Name: fieldTerms, Value: bson.D{{Name: "$lt", Value: lowestFromFloor}}}},
				{{Name: fieldTerms, Value: bson.D{{Name: "$exists", Value: false}}}},
			}}},
		}}}
	}
	return clock
}

// maxTerm returns the higher of two terms.
func maxTerm(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}
