package mongotest

import (
	"bytes"
	"math"
	"strings"
)

// FerretDB's SQLite backend finds a document through its primary key
// only for a filter that is exactly {_id: <string or ObjectId>}; for any
// other filter it reads and decodes every document of the collection,
// and then filters them. mgo/txn's commands name one document by its _id
// and add conditions (its txn-queue, its txn-revno, the operations'
// assertions, a transaction's state), so each of them read the whole
// lease collection, and each of a transaction's the whole txns
// collection: the cost of a lease write grew with the number of leases
// and of transactions stored.
//
// The proxy therefore runs a find, update, delete or findAndModify whose
// filter names one document by a string or ObjectId _id in two steps,
// holding writeMu so that no write comes between them: it reads that
// document by its _id alone (one row), decides the rest of the filter on
// it itself, and then sends the command with the filter {_id: <id>} if
// the document matches, or answers that nothing matched if it does not.
// The filter is decided here only when every part of it is in the small
// subset that matchFilter implements with MongoDB's semantics; any other
// command goes to FerretDB as it is.

// idLookup is a command that can run through a lookup by _id: its filter
// and where the command holds it.
type idLookup struct {
	// id is the _id element of the filter (a string or an ObjectId).
	id element
	// filter is the filter's elements.
	filter []element
	// replace returns the command with the filter replaced.
	replace func(filter []byte) []element
	// none returns the reply of the command when no document matches.
	none func() []byte
}

// lookupCommand returns how the command name (with fields cmd, as
// rewriteCommand returned them) runs through a lookup by _id, or false if
// it must go to FerretDB as it is.
func lookupCommand(name string, db string, cmd []element) (idLookup, bool) {
	if len(cmd) == 0 {
		return idLookup{}, false
	}
	coll, ok := cmd[0].str()
	if !ok {
		return idLookup{}, false
	}
	switch {
	case name == "find":
		return lookupIn(cmd, "filter", []string{"sort", "hint", "collation", "min", "max", "let", "tailable", "awaitData", "returnKey", "showRecordId"},
			func() []byte {
				return okReply(docElement("cursor",
					element{kind: bsonArray, key: "firstBatch", value: buildDoc(nil)},
					int64Element("id", 0),
					stringElement("ns", db+"."+coll)))
			})
	case strings.EqualFold(name, "findAndModify"):
		if e, ok := lookup(cmd, "upsert"); ok && e.truthy() {
			return idLookup{}, false
		}
		return lookupIn(cmd, "query", []string{"sort", "hint", "collation", "let", "arrayFilters"},
			func() []byte {
				return okReply(docElement("lastErrorObject", int32Element("n", 0), boolElement("updatedExisting", false)),
					element{kind: bsonNull, key: "value"})
			})
	case name == "update":
		return lookupStatement(cmd, "updates", "q", []string{"upsert", "multi", "hint", "collation", "arrayFilters"}, func() []byte {
			return okReply(int32Element("n", 0), int32Element("nModified", 0))
		})
	case name == "delete":
		return lookupStatement(cmd, "deletes", "q", []string{"hint", "collation"}, func() []byte {
			return okReply(int32Element("n", 0))
		})
	}
	return idLookup{}, false
}

// lookupIn returns the lookup of a command whose filter is its field key,
// unless it has one of the fields refused.
func lookupIn(cmd []element, key string, refused []string, none func() []byte) (idLookup, bool) {
	for _, r := range refused {
		if _, ok := lookup(cmd, r); ok {
			return idLookup{}, false
		}
	}
	return lookupField(cmd, key, none, func(out []element) []element { return out })
}

// lookupStatement returns the lookup of an update or delete command with
// a single statement (in its array field key) whose filter is the
// statement's field q, unless the statement has a truthy field among
// refused.
func lookupStatement(cmd []element, key, q string, refused []string, none func() []byte) (idLookup, bool) {
	at := indexOf(cmd, key)
	if at < 0 || cmd[at].kind != bsonArray {
		return idLookup{}, false
	}
	stmts, err := splitDoc(cmd[at].value)
	if err != nil || len(stmts) != 1 || stmts[0].kind != bsonDocument {
		return idLookup{}, false
	}
	stmt, err := splitDoc(stmts[0].value)
	if err != nil {
		return idLookup{}, false
	}
	for _, r := range refused {
		if e, ok := lookup(stmt, r); ok && (e.kind != bsonBool || e.truthy()) {
			return idLookup{}, false
		}
	}
	return lookupField(stmt, q, none, func(newStmt []element) []element {
		out := append([]element(nil), cmd...)
		out[at].value = buildDoc([]element{{kind: bsonDocument, key: "0", value: buildDoc(newStmt)}})
		return out
	})
}

// lookupField returns the lookup of the filter in doc's field key, with
// none, whose replace puts a new filter in a copy of doc and returns the
// command that wrap makes of that copy.
func lookupField(doc []element, key string, none func() []byte, wrap func([]element) []element) (idLookup, bool) {
	at := indexOf(doc, key)
	if at < 0 {
		return idLookup{}, false
	}
	l, ok := filterLookup(doc[at])
	if !ok {
		return idLookup{}, false
	}
	l.replace = func(filter []byte) []element {
		out := append([]element(nil), doc...)
		out[at].value = filter
		return wrap(out)
	}
	l.none = none
	return l, true
}

// filterLookup returns the lookup of the filter element f if it is a
// document with exactly one _id, a string or an ObjectId, and other
// fields.
func filterLookup(f element) (idLookup, bool) {
	if f.kind != bsonDocument {
		return idLookup{}, false
	}
	elems, err := splitDoc(f.value)
	if err != nil || len(elems) < 2 {
		// {_id: x} alone FerretDB finds by its key already.
		return idLookup{}, false
	}
	var l idLookup
	ids := 0
	for _, e := range elems {
		if e.key == "_id" {
			ids++
			l.id = e
		}
	}
	if ids != 1 || (l.id.kind != bsonString && l.id.kind != bsonObjectID) {
		return idLookup{}, false
	}
	l.filter = elems
	return l, true
}

// indexOf returns the index of the first element of elems with the given
// key, or -1.
func indexOf(elems []element, key string) int {
	for i, e := range elems {
		if e.key == key {
			return i
		}
	}
	return -1
}

// runLookup runs the command cmd (name, on database db) through l: it
// reads the document by its _id, decides l's filter on it, and sends the
// command with the filter {_id} or answers that nothing matched. It
// returns false, and no reply, if the filter cannot be decided here (the
// caller sends the command as it is). The caller holds writeMu.
func (c *conn) runLookup(db string, cmd []element, l idLookup) ([]byte, bool, error) {
	coll, _ := cmd[0].str()
	find := buildDoc([]element{
		stringElement("find", coll),
		docElement("filter", l.id),
		int32Element("limit", 1),
		boolElement("singleBatch", true),
		stringElement("$db", db),
	})
	reply, err := c.roundTrip(find)
	if err != nil {
		return nil, false, err
	}
	doc, found, ok := firstDocument(reply)
	if !ok {
		return nil, false, nil
	}
	matched := false
	if found {
		if doc, err = unescapeReply(doc); err != nil {
			return nil, false, nil
		}
		elems, err := splitDoc(doc)
		if err != nil {
			return nil, false, nil
		}
		if matched, ok = matchFilter(elems, l.filter); !ok {
			return nil, false, nil
		}
	}
	if !matched {
		return l.none(), true, nil
	}
	reply, err = c.roundTrip(buildDoc(l.replace(buildDoc([]element{l.id}))))
	return reply, true, err
}

// firstDocument returns the first document of a find's reply, whether
// there is one, and whether the reply is a successful find's.
func firstDocument(reply []byte) (doc []byte, found, ok bool) {
	elems, err := splitDoc(reply)
	if err != nil {
		return nil, false, false
	}
	okElem, _ := lookup(elems, "ok")
	if n, isNum := okElem.number(); !isNum || n != 1 {
		return nil, false, false
	}
	cursor, _ := lookup(elems, "cursor")
	fields, isDoc := cursor.doc()
	if !isDoc {
		return nil, false, false
	}
	batch, _ := lookup(fields, "firstBatch")
	if batch.kind != bsonArray {
		return nil, false, false
	}
	docs, err := splitDoc(batch.value)
	if err != nil || len(docs) > 1 {
		return nil, false, false
	}
	if len(docs) == 0 {
		return nil, false, true
	}
	if docs[0].kind != bsonDocument {
		return nil, false, false
	}
	return docs[0].value, true, true
}

// matchFilter reports whether the document doc matches the query filter,
// and false as its second result if the filter uses anything beyond what
// it implements: top-level $and and $or, and field conditions on paths
// through embedded documents that are a literal (string, ObjectId,
// boolean, number, date or null) or a document of the operators $eq, $ne,
// $in, $nin (of such literals), $exists, and $lt, $lte, $gt, $gte (of
// numbers or strings).
func matchFilter(doc, filter []element) (bool, bool) {
	all := true
	for _, f := range filter {
		var m, ok bool
		switch {
		case f.key == "$and" || f.key == "$or":
			m, ok = matchLogical(doc, f)
		case strings.HasPrefix(f.key, "$"):
			return false, false
		default:
			m, ok = matchField(doc, f)
		}
		if !ok {
			return false, false
		}
		all = all && m
	}
	return all, true
}

// matchLogical decides an $and or $or of filters on doc.
func matchLogical(doc []element, f element) (bool, bool) {
	if f.kind != bsonArray {
		return false, false
	}
	subs, err := splitDoc(f.value)
	if err != nil || len(subs) == 0 {
		return false, false
	}
	and := f.key == "$and"
	result := and
	for _, s := range subs {
		sub, isDoc := s.doc()
		if !isDoc {
			return false, false
		}
		m, ok := matchFilter(doc, sub)
		if !ok {
			return false, false
		}
		if and {
			result = result && m
		} else {
			result = result || m
		}
	}
	return result, true
}

// matchField decides the field condition f on doc.
func matchField(doc []element, f element) (bool, bool) {
	value, found, ok := resolvePath(doc, f.key)
	if !ok {
		return false, false
	}
	ops, isDoc := f.doc()
	if !isDoc || len(ops) == 0 || !strings.HasPrefix(ops[0].key, "$") {
		return matchEqual(value, found, f)
	}
	all := true
	for _, op := range ops {
		var m bool
		switch op.key {
		case "$eq":
			m, ok = matchEqual(value, found, op)
		case "$ne":
			m, ok = matchEqual(value, found, op)
			m = !m
		case "$in", "$nin":
			m, ok = matchIn(value, found, op)
			if op.key == "$nin" {
				m = !m
			}
		case "$exists":
			if op.kind != bsonBool {
				return false, false
			}
			m, ok = found == op.truthy(), true
		case "$lt", "$lte", "$gt", "$gte":
			m, ok = matchRange(value, found, op)
		default:
			return false, false
		}
		if !ok {
			return false, false
		}
		all = all && m
	}
	return all, true
}

// resolvePath returns the value at the dotted path in doc and whether
// there is one; its last result is false if the path goes through an
// array, whose matching rules matchFilter does not implement.
func resolvePath(doc []element, path string) (element, bool, bool) {
	parts := strings.Split(path, ".")
	for i, p := range parts {
		e, found := lookup(doc, p)
		if !found {
			return element{}, false, true
		}
		if i == len(parts)-1 {
			return e, true, true
		}
		switch e.kind {
		case bsonDocument:
			var err error
			if doc, err = splitDoc(e.value); err != nil {
				return element{}, false, false
			}
		case bsonArray:
			return element{}, false, false
		default:
			return element{}, false, true
		}
	}
	return element{}, false, false
}

// BSON types that only matchFilter names.
const (
	bsonUndefined = 0x06
	bsonDateTime  = 0x09
	bsonNull      = 0x0A
)

// matchEqual decides whether a field's value (found or not) equals the
// literal lit, as MongoDB's equality does: null matches a missing field,
// and an array matches if one of its elements is equal.
func matchEqual(value element, found bool, lit element) (bool, bool) {
	if lit.kind == bsonNull {
		if !found || value.kind == bsonNull {
			return true, true
		}
		if value.kind == bsonArray || value.kind == bsonUndefined {
			return false, false
		}
		return false, true
	}
	if !scalar(lit.kind) {
		return false, false
	}
	if !found {
		return false, true
	}
	if value.kind != bsonArray {
		return scalarEqual(value, lit)
	}
	return matchAny(value.value, func(e element) (bool, bool) { return scalarEqual(e, lit) })
}

// matchIn decides an $in of literals.
func matchIn(value element, found bool, op element) (bool, bool) {
	if op.kind != bsonArray {
		return false, false
	}
	return matchAny(op.value, func(lit element) (bool, bool) { return matchEqual(value, found, lit) })
}

// matchAny decides whether match holds for any element of the BSON array
// arr, stopping at the first that does; it cannot decide (false, false)
// if arr does not split or match cannot decide an element before one
// matches.
func matchAny(arr []byte, match func(element) (bool, bool)) (bool, bool) {
	elems, err := splitDoc(arr)
	if err != nil {
		return false, false
	}
	for _, e := range elems {
		m, ok := match(e)
		if !ok {
			return false, false
		}
		if m {
			return true, true
		}
	}
	return false, true
}

// matchRange decides $lt, $lte, $gt or $gte of a number or a string on a
// value that is not an array; values of another kind never match, as in
// MongoDB.
func matchRange(value element, found bool, op element) (bool, bool) {
	if !isNumber(op.kind) && op.kind != bsonString {
		return false, false
	}
	if !found {
		return false, true
	}
	if value.kind == bsonArray {
		return false, false
	}
	var c int
	switch {
	case isNumber(op.kind) && isNumber(value.kind):
		var ok bool
		if c, ok = compareNumbers(value, op); !ok {
			return false, false
		}
	case op.kind == bsonString && value.kind == bsonString:
		c = bytes.Compare(value.value[4:len(value.value)-1], op.value[4:len(op.value)-1])
	default:
		return false, true
	}
	switch op.key {
	case "$lt":
		return c < 0, true
	case "$lte":
		return c <= 0, true
	case "$gt":
		return c > 0, true
	}
	return c >= 0, true
}

// scalar reports whether literals of kind are ones matchEqual compares.
func scalar(kind byte) bool {
	switch kind {
	case bsonString, bsonObjectID, bsonBool, bsonDateTime:
		return true
	}
	return isNumber(kind)
}

func isNumber(kind byte) bool {
	return kind == bsonDouble || kind == bsonInt32 || kind == bsonInt64
}

// scalarEqual compares a value with a scalar literal: values of different
// kinds are never equal, but for numbers, compared by value.
func scalarEqual(value, lit element) (bool, bool) {
	if isNumber(value.kind) && isNumber(lit.kind) {
		c, ok := compareNumbers(value, lit)
		return c == 0, ok
	}
	if value.kind != lit.kind {
		if value.kind == bsonUndefined || !scalar(value.kind) && value.kind != bsonNull &&
			value.kind != bsonDocument && value.kind != bsonArray {
			// A kind this file does not know the order of.
			return false, false
		}
		return false, true
	}
	return bytes.Equal(value.value, lit.value), true
}

// maxExact is the largest integer every smaller one of which a float64
// holds exactly.
const maxExact = 1 << 53

// compareNumbers compares two numeric elements exactly: -1, 0 or 1. Its
// second result is false for NaN, and for a double beside an integer too
// large for a float64 to hold exactly.
func compareNumbers(a, b element) (int, bool) {
	ai, aInt := a.int64Value()
	bi, bInt := b.int64Value()
	if aInt && bInt {
		return cmpOrdered(ai, bi), true
	}
	af, _ := a.number()
	bf, _ := b.number()
	if math.IsNaN(af) || math.IsNaN(bf) {
		return 0, false
	}
	if aInt && (ai > maxExact || ai < -maxExact) || bInt && (bi > maxExact || bi < -maxExact) {
		return 0, false
	}
	return cmpOrdered(af, bf), true
}

func cmpOrdered[T int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
