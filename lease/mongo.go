package lease

import (
	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/txn"
)

// Mongo is what a client needs of MongoDB: its collection, and a way to run
// mgo/txn transactions.
type Mongo interface {
	// RunTransaction runs ops as one gopkg.in/mgo.v2/txn transaction. It
	// returns txn.ErrAborted (or an error whose cause is txn.ErrAborted)
	// when an assertion failed and nothing was changed.
	RunTransaction(ops []txn.Op) error

	// GetCollection returns the named collection, and a function that the
	// caller calls once it has finished with it.
	GetCollection(name string) (collection *mgo.Collection, closer func())
}

// TxnCollectionNamer is implemented by a [Mongo] that names the
// collection it runs its transactions on ([NewMongo]'s does). A client
// whose Mongo implements it reads, before a transaction that inserts lease
// documents, the transaction queues of that transaction's other
// documents (its clock documents), and removes from them the tokens of
// transactions that have finished (applied or aborted), as mgo/txn's next
// transaction on them would, so that mgo/txn prepares the transaction
// once; this saves 2 commands a lease inserted (docs/design.md#released-leases).
// A client whose Mongo does not implement it works as well.
type TxnCollectionNamer interface {
	// TxnCollection returns the name of the mgo/txn transaction
	// collection that RunTransaction uses (its stash is that name plus
	// ".stash").
	TxnCollection() string
}

// NewMongo returns a [Mongo] that uses db's collections and runs
// transactions with a txn.Runner on txnCollection. Each call copies db's
// session, so a broken connection does not outlive it; db's session must
// stay open. The copies are in mgo's Strong mode whatever db's session's
// mode: every read and write goes to the primary, as the fencing argument
// needs (docs/design.md#fencing-across-a-replica-set-failover), and a
// read of many documents asks the server that opened its cursor for the
// rest. txnCollection must be a MongoDB collection name (not empty,
// no '$' or NUL; it may hold a '.'), or [NewClient] refuses the Mongo.
// mgo/txn orders and checks only transactions of one transaction
// collection: an [Info.AssertOp] fences the caller's transactions only if
// they run on this txnCollection too.
func NewMongo(db *mgo.Database, txnCollection string) Mongo {
	return &dbMongo{db: db, txnCollection: txnCollection}
}

// dbMongo is the [Mongo] returned by [NewMongo]; it is a
// [TxnCollectionNamer].
type dbMongo struct {
	db            *mgo.Database
	txnCollection string
}

// RunTransaction is part of the [Mongo] interface.
func (m *dbMongo) RunTransaction(ops []txn.Op) error {
	session := m.copySession()
	defer session.Close()
	runner := txn.NewRunner(m.db.With(session).C(m.txnCollection))
	return runner.Run(ops, "", nil)
}

// TxnCollection is part of the [TxnCollectionNamer] interface.
func (m *dbMongo) TxnCollection() string {
	return m.txnCollection
}

// GetCollection is part of the [Mongo] interface.
func (m *dbMongo) GetCollection(name string) (*mgo.Collection, func()) {
	session := m.copySession()
	return m.db.With(session).C(name), session.Close
}

// copySession returns a copy of db's session in Strong mode.
func (m *dbMongo) copySession() *mgo.Session {
	session := m.db.Session.Copy()
	session.SetMode(mgo.Strong, false)
	return session
}
