package mongotest

import "strconv"

// A find whose filter is exactly {_id: {$in: [...]}}, of strings and
// ObjectIds, FerretDB's SQLite backend answers by reading every document
// of the collection (see lookup.go). The lease client reads its
// namespace's clock documents, and the leases of an aborted batch, with
// such a find. The proxy runs it as one find by _id for each value (one
// row each), and answers with the documents found, in the order of the
// values. MongoDB answers it from its _id index, and does not promise
// that one find reads its documents at one instant, so neither does the
// proxy.

// inFindOptions are the fields a find run as lookups by _id may have,
// besides a skip and a limit of zero (which mgo sends); any other (a
// sort, a projection ...) sends it to FerretDB as it is. A batch size
// may be ignored: the reply holds every document found in its first
// batch, and no cursor, as a reply may.
var inFindOptions = map[string]bool{
	"find": true, "filter": true, "$db": true, "lsid": true,
	"$clusterTime": true, "$readPreference": true, "readConcern": true,
	"batchSize": true, "singleBatch": true,
}

// inLookup returns the _ids of the find cmd (with fields as
// rewriteCommand returned them) if its filter is exactly
// {_id: {$in: [...]}} of strings and ObjectIds, without duplicates, and
// it has no field beyond inFindOptions; false otherwise.
func inLookup(name string, cmd []element) ([]element, bool) {
	if name != "find" || len(cmd) == 0 {
		return nil, false
	}
	if _, ok := cmd[0].str(); !ok {
		return nil, false
	}
	for _, e := range cmd {
		if n, isNum := e.number(); isNum && n == 0 && (e.key == "skip" || e.key == "limit") {
			continue
		}
		if !inFindOptions[e.key] {
			return nil, false
		}
	}
	filter, _ := lookup(cmd, "filter")
	fields, ok := filter.doc()
	if !ok || len(fields) != 1 || fields[0].key != "_id" {
		return nil, false
	}
	ops, ok := fields[0].doc()
	if !ok || len(ops) != 1 || ops[0].key != "$in" || ops[0].kind != bsonArray {
		return nil, false
	}
	values, err := splitDoc(ops[0].value)
	if err != nil {
		return nil, false
	}
	seen := map[string]bool{}
	ids := make([]element, 0, len(values))
	for _, v := range values {
		if v.kind != bsonString && v.kind != bsonObjectID {
			return nil, false
		}
		key := string(v.kind) + string(v.value)
		if !seen[key] {
			seen[key] = true
			ids = append(ids, element{kind: v.kind, key: "_id", value: v.value})
		}
	}
	return ids, true
}

// runInLookup runs the find cmd (on database db), whose filter inLookup
// found to be the _ids ids, as one find by _id each, and returns the
// reply of the find, holding every document found; false, and no reply,
// if one of those finds did not succeed (the caller then sends cmd as it
// is).
func (c *conn) runInLookup(db string, cmd []element, ids []element) ([]byte, bool, error) {
	coll, _ := cmd[0].str()
	var docs []element
	for _, id := range ids {
		reply, err := c.roundTrip(buildDoc([]element{
			stringElement("find", coll),
			docElement("filter", id),
			int32Element("limit", 1),
			boolElement("singleBatch", true),
			stringElement("$db", db),
		}))
		if err != nil {
			return nil, false, err
		}
		doc, found, ok := firstDocument(reply)
		if !ok {
			return nil, false, nil
		}
		if found {
			docs = append(docs, element{kind: bsonDocument, key: strconv.Itoa(len(docs)), value: doc})
		}
	}
	return okReply(docElement("cursor",
		element{kind: bsonArray, key: "firstBatch", value: buildDoc(docs)},
		int64Element("id", 0),
		stringElement("ns", db+"."+coll))), true, nil
}
