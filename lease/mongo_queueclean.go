package lease

import (
	"github.com/juju/errors"
	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/internal/mgoread"
)

// insertsOnly reports whether every write of writes inserts its lease's
// document (the first claim of a lease).
func insertsOnly(writes []leaseWrite) bool {
	for _, w := range writes {
		if w.op.Insert == nil {
			return false
		}
	}
	return len(writes) > 0
}

// cleanQueues removes the tokens of finished transactions from the
// transaction queues of the documents of ops that exist already (those
// ops does not insert: the clock documents of a transaction of first
// claims), so that mgo/txn, finding no other transaction's token there
// or in the documents it inserts, prepares the transaction once instead
// of twice (docs/design.md#released-leases). It reads the queues, then
// the states of the transactions they name, and removes from each
// document, with one update, only the tokens of those it read as applied
// or aborted, states that mgo/txn never leaves. It changes no field but
// txn-queue; it does nothing unless the client's Mongo is a
// [TxnCollectionNamer].
//
// It returns an error matching [ErrUnavailable] if the store did not
// answer one of its commands: the caller then answers the writes with it
// untried, as the transaction's own failure would have answered them,
// instead of waiting for the store again. It ignores any other error: it
// only saves commands, and mgo/txn orders the transaction as before on
// whatever queues it finds.
func (c *client) cleanQueues(ops []txn.Op) error {
	namer, ok := c.config.Mongo.(TxnCollectionNamer)
	if !ok {
		return nil
	}
	var ids []interface{}
	for _, op := range ops {
		if op.Insert == nil && op.C == c.config.Collection {
			ids = append(ids, op.Id)
		}
	}
	if len(ids) == 0 || len(ids) > maxInIds {
		return nil
	}
	collection, closer := c.config.Mongo.GetCollection(c.config.Collection)
	defer closer()
	// Each read is by _id alone, without a projection, and each update
	// names one document by its _id: lookups that every server answers
	// from its _id index (the embedded test server's included).
	docs, err := mgoread.All[struct {
		Id    interface{} `bson:"_id"`
		Queue []string    `bson:"txn-queue"`
	}](collection, mgoread.Query{Filter: bson.M{"_id": bson.M{"$in": ids}}})
	if err != nil {
		return unanswered(err, "cannot read the clock documents' transaction queues")
	}
	// A token is its transaction's id in hex, '_' and a nonce; a
	// transaction may have left several tokens, with other nonces.
	named := map[bson.ObjectId]bool{}
	for _, doc := range docs {
		for _, token := range doc.Queue {
			if id, ok := tokenTxn(token); ok {
				named[id] = true
			}
		}
	}
	if len(named) == 0 || len(named) > maxInIds {
		return nil
	}
	txnIds := make([]bson.ObjectId, 0, len(named))
	for id := range named {
		txnIds = append(txnIds, id)
	}
	txns, closeTxns := c.config.Mongo.GetCollection(namer.TxnCollection())
	defer closeTxns()
	states, err := mgoread.All[struct {
		Id    bson.ObjectId `bson:"_id"`
		State int           `bson:"s"`
	}](txns, mgoread.Query{Filter: bson.M{"_id": bson.M{"$in": txnIds}}})
	if err != nil {
		return unanswered(err, "cannot read the states of the clock documents' transactions")
	}
	finished := map[bson.ObjectId]bool{}
	for _, t := range states {
		if t.State == txnAborted || t.State == txnApplied {
			finished[t.Id] = true
		}
	}
	for _, doc := range docs {
		var pull []string
		for _, token := range doc.Queue {
			if id, ok := tokenTxn(token); ok && finished[id] {
				pull = append(pull, token)
			}
		}
		if len(pull) == 0 {
			continue
		}
		err := collection.UpdateId(doc.Id, bson.M{"$pullAll": bson.M{"txn-queue": pull}})
		if err != nil && err != mgo.ErrNotFound {
			return unanswered(err, "cannot remove finished transactions from the clock documents' queues")
		}
	}
	return nil
}

// tokenTxn returns the id of the transaction that token (from a
// txn-queue: the id in hex, '_' and a nonce) names, and whether it is one.
func tokenTxn(token string) (bson.ObjectId, bool) {
	if len(token) <= 24 || token[24] != '_' || !bson.IsObjectIdHex(token[:24]) {
		return "", false
	}
	return bson.ObjectIdHex(token[:24]), true
}

// unanswered returns err annotated with message if it says that the store
// did not answer (it then matches [ErrUnavailable]), and nil otherwise.
func unanswered(err error, message string) error {
	if err = cursorError(err); !errors.Is(err, ErrUnavailable) {
		return nil
	}
	return errors.Annotate(err, message)
}
