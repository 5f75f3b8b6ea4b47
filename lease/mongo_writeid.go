package lease

import (
	"github.com/juju/errors"
	"gopkg.in/mgo.v2/bson"
)

// fieldWriteId is a lease document's write id: a bson.ObjectId that each
// write of the document sets afresh, so that no two writes leave it with
// the same one (docs/design.md#write-ids). Absent from earlier versions'
// documents.
const fieldWriteId = "writeid"

// newWriteId returns a write id no other write has: scope.writeIds if
// set (tests), else a new bson.ObjectId, unique as mgo/txn's own
// transaction ids are (time, machine, process and a counter). The time
// part comes from the real clock, inside mgo, and is used for nothing but
// that uniqueness: no decision reads it.
func (s scope) newWriteId() bson.ObjectId {
	if s.writeIds != nil {
		return s.writeIds()
	}
	return bson.NewObjectId()
}

// decodeWriteId returns the write id stored as v: "" if none, an error if
// not a valid bson.ObjectId.
func decodeWriteId(v interface{}) (bson.ObjectId, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case bson.ObjectId:
		if v.Valid() {
			return v, nil
		}
	}
	return "", errors.Errorf("%v is a %T, not an ObjectId", v, v)
}

// writeIdField returns the stored write id: nothing for "" (earlier
// versions' documents).
func writeIdField(id bson.ObjectId) interface{} {
	if id == "" {
		return nil
	}
	return id
}

// writeIdValue returns the query value matching id: for "", null, which
// matches a document with no write id or a null one, both read as ""
// (decodeWriteId), so that every document the client reads without a
// write id is one its assertion matches.
func writeIdValue(id bson.ObjectId) interface{} {
	if id == "" {
		return nil
	}
	return id
}
