package lease

import (
	"github.com/juju/errors"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"
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
// the states of the transactions they name, and removes only the tokens
// of those it read as applied or aborted, states that mgo/txn never
// leaves. It changes no field but txn-queue; it does nothing unless the
// client's Mongo is a [TxnCollectionNamer].
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
	var docs []struct {
		Queue []string `bson:"txn-queue"`
	}
	inIds := bson.M{"_id": bson.M{"$in": ids}}
	if err := collection.Find(inIds).Select(bson.M{"txn-queue": 1}).All(&docs); err != nil {
		return unanswered(err, "cannot read the clock documents' transaction queues")
	}
	// A token is its transaction's id in hex, '_' and a nonce; a
	// transaction may have left several tokens, with other nonces.
	tokens := map[bson.ObjectId][]string{}
	for _, doc := range docs {
		for _, token := range doc.Queue {
			if len(token) > 24 && token[24] == '_' && bson.IsObjectIdHex(token[:24]) {
				id := bson.ObjectIdHex(token[:24])
				tokens[id] = append(tokens[id], token)
			}
		}
	}
	if len(tokens) == 0 || len(tokens) > maxInIds {
		return nil
	}
	txnIds := make([]bson.ObjectId, 0, len(tokens))
	for id := range tokens {
		txnIds = append(txnIds, id)
	}
	txns, closeTxns := c.config.Mongo.GetCollection(namer.TxnCollection())
	defer closeTxns()
	var finished []struct {
		Id bson.ObjectId `bson:"_id"`
	}
	query := bson.M{"_id": bson.M{"$in": txnIds}, "s": bson.M{"$in": []int{txnAborted, txnApplied}}}
	if err := txns.Find(query).Select(bson.M{"_id": 1}).All(&finished); err != nil {
		return unanswered(err, "cannot read the states of the clock documents' transactions")
	}
	var pull []string
	for _, t := range finished {
		pull = append(pull, tokens[t.Id]...)
	}
	if len(pull) == 0 {
		return nil
	}
	_, err := collection.UpdateAll(inIds, bson.M{"$pullAll": bson.M{"txn-queue": pull}})
	return unanswered(err, "cannot remove finished transactions from the clock documents' queues")
}

// unanswered returns err annotated with message if it says that the store
// did not answer (it then matches [ErrUnavailable]), and nil otherwise.
func unanswered(err error, message string) error {
	if err = storeError(err); !errors.Is(err, ErrUnavailable) {
		return nil
	}
	return errors.Annotate(err, message)
}
