package lease

import (
	"github.com/juju/errors"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/mgoread"
)

// prunedTxn is what pruning reads of a transaction: its id and the
// documents its ops name. A document's id is kept as the BSON it was
// stored as: decoded, an id that is itself a document would become a
// map, whose fields lose their order, and MongoDB compares documents
// field by field in order, so the prune would miss the document and
// remove a transaction it names.
type prunedTxn struct {
	Id  bson.ObjectId `bson:"_id"`
	Ops []struct {
		C  string   `bson:"c"`
		Id bson.Raw `bson:"d"`
	} `bson:"o"`
}

// completeTxns reads up to n complete transactions with ids after after
// (all, if it is empty) and before before, in the order of their ids.
// A transaction is a document with a state (s) and ops (o) naming
// collections (o.c): in a collection given by mistake, a document with
// an old ObjectId and an s of 5 or 6 but no such ops is not one, and is
// neither read nor removed.
func completeTxns(config PruneConfig, before, after bson.ObjectId, n int) ([]prunedTxn, error) {
	coll, closer := config.Mongo.GetCollection(config.TxnCollection)
	defer closer()
	ids := bson.M{"$lt": before}
	if after != "" {
		ids["$gt"] = after
	}
	query := bson.M{"_id": ids, "s": bson.M{"$in": []int{txnAborted, txnApplied}}, "o.c": bson.M{"$exists": true}}
	txns, err := mgoread.All[prunedTxn](coll, mgoread.Query{
		Filter:     query,
		Projection: bson.M{"_id": 1, "o.c": 1, "o.d": 1},
		Sort:       bson.D{{Name: "_id", Value: 1}},
		Limit:      n,
		// One reply for the batch, as mgo's Limit(n) asked (batchSize n).
		Batch: n,
	})
	if err != nil {
		return nil, cursorError(errors.Annotate(err, "reading complete transactions"))
	}
	return txns, nil
}

// txnFields are the fields in which mgo/txn names transactions in a
// document, or in its stash document.
// (txn-queue holds tokens; txn-insert and txn-remove hold ids.)
type txnFields struct {
	Queue  []string      `bson:"txn-queue"`
	Insert bson.ObjectId `bson:"txn-insert"`
	Remove bson.ObjectId `bson:"txn-remove"`
}

// namedTxns returns the transactions of txns that a document they
// wrote still names, in its collection or in the stash: every document
// mgo/txn may add a transaction's token to.
func namedTxns(config PruneConfig, txns []prunedTxn) (map[bson.ObjectId]bool, error) {
	wanted := make(map[bson.ObjectId]bool, len(txns))
	byColl := map[string][]interface{}{}
	var stashIds []interface{}
	seen := map[string]bool{}
	for _, t := range txns {
		wanted[t.Id] = true
		for _, op := range t.Ops {
			key, err := bson.Marshal(bson.D{{Name: "c", Value: op.C}, {Name: "id", Value: op.Id}})
			if err != nil {
				return nil, errors.Annotatef(err, "transaction %s", t.Id.Hex())
			}
			if seen[string(key)] {
				continue
			}
			seen[string(key)] = true
			byColl[op.C] = append(byColl[op.C], op.Id)
			stashIds = append(stashIds, bson.D{{Name: "c", Value: op.C}, {Name: "id", Value: op.Id}})
		}
	}
	named := map[bson.ObjectId]bool{}
	// A token is the transaction's id in hex, '_' and a nonce.
	note := func(token string) {
		if len(token) >= 24 && bson.IsObjectIdHex(token[:24]) {
			if id := bson.ObjectIdHex(token[:24]); wanted[id] {
				named[id] = true
			}
		}
	}
	read := func(name string, ids []interface{}) error {
		coll, closer := config.Mongo.GetCollection(name)
		defer closer()
		for len(ids) > 0 {
			chunk := ids[:min(len(ids), maxInIds)]
			ids = ids[len(chunk):]
			err := mgoread.Each(coll, mgoread.Query{
				Filter:     bson.M{"_id": bson.M{"$in": chunk}},
				Projection: bson.M{"txn-queue": 1, "txn-insert": 1, "txn-remove": 1},
			}, func(raw bson.Raw) error {
				var doc txnFields
				if err := raw.Unmarshal(&doc); err != nil {
					return err
				}
				for _, token := range doc.Queue {
					note(token)
				}
				for _, id := range []bson.ObjectId{doc.Insert, doc.Remove} {
					if wanted[id] {
						named[id] = true
					}
				}
				return nil
			})
			if err != nil {
				return cursorError(errors.Annotatef(err, "reading the documents of transactions in %q", name))
			}
		}
		return nil
	}
	for name, ids := range byColl {
		if err := read(name, ids); err != nil {
			return nil, err
		}
	}
	if err := read(config.TxnCollection+".stash", stashIds); err != nil {
		return nil, err
	}
	return named, nil
}

// removeTxns removes the transactions of ids that are still complete
// (and still transactions, as completeTxns reads them), and returns how
// many it removed.
func removeTxns(config PruneConfig, ids []bson.ObjectId) (int, error) {
	coll, closer := config.Mongo.GetCollection(config.TxnCollection)
	defer closer()
	removed := 0
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), maxInIds)]
		ids = ids[len(chunk):]
		info, err := coll.RemoveAll(bson.M{
			"_id": bson.M{"$in": chunk},
			"s":   bson.M{"$in": []int{txnAborted, txnApplied}},
			"o.c": bson.M{"$exists": true},
		})
		if info != nil {
			removed += info.Removed
		}
		if err != nil {
			return removed, storeError(errors.Annotate(err, "removing transactions"))
		}
	}
	return removed, nil
}
