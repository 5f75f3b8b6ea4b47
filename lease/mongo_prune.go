package lease

import (
	"math"
	"time"

	"github.com/juju/errors"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/isnil"
)

// DefaultPruneMinAge is the age below which [PruneTransactions] keeps a
// transaction when [PruneConfig.MinAge] is zero; MinPruneMinAge is the
// least it accepts, so that a runner's stall between reading a
// transaction and queueing it (seconds at worst, even on a loaded
// machine) and the second to which an ObjectId keeps time fit inside it
// many times over.
const (
	DefaultPruneMinAge = time.Hour
	MinPruneMinAge     = time.Minute
)

// DefaultPruneBatch is how many transactions [PruneTransactions] reads at
// a time when [PruneConfig.BatchSize] is zero; MaxPruneBatch is the most
// it accepts.
const (
	DefaultPruneBatch = 1000
	MaxPruneBatch     = 10000
)

// mgo/txn's states of a transaction that is complete: it will never be
// prepared, applied or aborted again.
const (
	txnAborted = 5
	txnApplied = 6
)

// maxInIds bounds the ids of one $in query.
const maxInIds = 1000

// PruneConfig holds what [PruneTransactions] needs. Mongo, TxnCollection
// and Clock are required; PruneTransactions never changes the caller's
// value.
type PruneConfig struct {
	// Mongo gives access to the database: the transaction collection,
	// its stash, and the collections its transactions write. Use the
	// same database as the lease clients' (see [NewMongo]). It must not
	// be nil.
	Mongo Mongo

	// TxnCollection names the mgo/txn transaction collection to prune:
	// the one given to NewMongo. Its stash is TxnCollection+".stash", as
	// mgo/txn names it. It must be a MongoDB collection name (not empty,
	// with no '$' or NUL).
	TxnCollection string

	// Clock gives the time against which MinAge is counted. It must not
	// be nil: [SystemClock]{} for the wall clock.
	Clock Clock

	// MinAge is the age, measured by the time in a transaction's
	// ObjectId (the clock of the machine that started it, to the
	// second), below which a transaction is kept whatever its state.
	// Zero means DefaultPruneMinAge, one hour; below MinPruneMinAge (a
	// minute) is invalid. It must exceed the longest a transaction
	// runner may stall between
	// reading a transaction and adding it to a document's txn-queue,
	// plus the clock differences between the machines (see
	// docs/design.md#pruning).
	MinAge time.Duration

	// BatchSize is how many complete transactions PruneTransactions
	// reads, checks and removes at a time. Zero means
	// DefaultPruneBatch; negative, or more than MaxPruneBatch, is
	// invalid.
	BatchSize int
}

// Validate returns an error describing the first problem with config, or
// nil. It checks Mongo, TxnCollection, Clock, MinAge and BatchSize, in
// that order. An interface holding a nil pointer is refused like a
// missing one; a TxnCollection MongoDB cannot hold matches
// [ErrInvalidArgument].
func (config PruneConfig) Validate() error {
	if config.Mongo == nil {
		return errors.New(`missing mongo: set Mongo to lease.NewMongo(session.DB(""), "txns"), as for the lease clients`)
	}
	if isnil.Value(config.Mongo) {
		return errors.Errorf("invalid mongo: nil %T", config.Mongo)
	}
	if m, ok := config.Mongo.(*dbMongo); ok && m.db == nil {
		return errors.New("invalid mongo: NewMongo was given a nil database")
	}
	if err := checkTxnCollection(config.TxnCollection); err != nil {
		return err
	}
	if config.Clock == nil {
		return errors.New("missing clock: set Clock to lease.SystemClock{}, the wall clock")
	}
	if isnil.Value(config.Clock) {
		return errors.Errorf("invalid clock: nil %T", config.Clock)
	}
	if config.MinAge != 0 && config.MinAge < MinPruneMinAge {
		return errors.Errorf("invalid MinAge %v: must be zero (%v) or at least %v", config.MinAge, DefaultPruneMinAge, MinPruneMinAge)
	}
	if config.BatchSize < 0 || config.BatchSize > MaxPruneBatch {
		return errors.Errorf("invalid BatchSize %d: must be zero (%d) or up to %d", config.BatchSize, DefaultPruneBatch, MaxPruneBatch)
	}
	return nil
}

// PruneStats says what one [PruneTransactions] did.
type PruneStats struct {
	// Examined counts the complete (applied or aborted) transactions
	// older than MinAge that were read.
	Examined int
	// Referenced counts those kept because a document's txn-queue (or
	// its txn-insert or txn-remove) in their collection or in the stash
	// still named them.
	Referenced int
	// Removed counts the transactions removed.
	Removed int
	// Unconfirmed counts, for a [Pruner]'s round, those found complete
	// and named by no document for the first time, or first found so
	// less than an Interval before: a later round removes them if they
	// still are. PruneTransactions leaves it zero.
	Unconfirmed int
}

// PruneTransactions removes from config's transaction collection the
// transactions that mgo/txn will never look up again: those that are
// complete (applied or aborted), older than MinAge, and that no document
// they wrote (in its collection or in the stash) still names. It reads
// them in batches of BatchSize, in the order of their ids, and can run
// while lease clients and other writers run transactions in the same
// collection; it is safe to run from several places at once. Why it is safe
// is in docs/design.md#pruning.
//
// It returns what it did, also on error, which is then the first store
// error (matching [ErrUnavailable] when the store could not be reached),
// or the error of an invalid config.
func PruneTransactions(config PruneConfig) (PruneStats, error) {
	stats, _, err := pruneTransactions(config, nil, nil, 0)
	return stats, err
}

// pruneTransactions is PruneTransactions, which stops between batches
// once abort is closed, returning errPruneAborted. With confirm not nil
// (a Pruner's round), it removes only the transactions that confirm
// holds (those a previous round found unnamed, each with the time, on
// config.Clock, after that round read its documents) and that it finds
// unnamed again in a read of their documents that starts at least
// interval after that time; it returns the others it finds unnamed, with
// the time they were first found so, for the next round. A round that
// lasts longer than interval thus cannot confirm what it found itself
// unnamed near its end.
func pruneTransactions(config PruneConfig, abort <-chan struct{}, confirm map[bson.ObjectId]time.Time, interval time.Duration) (PruneStats, map[bson.ObjectId]time.Time, error) {
	var stats PruneStats
	var next map[bson.ObjectId]time.Time
	if confirm != nil {
		next = map[bson.ObjectId]time.Time{}
	}
	if err := config.Validate(); err != nil {
		return stats, next, errors.Trace(err)
	}
	minAge := config.MinAge
	if minAge == 0 {
		minAge = DefaultPruneMinAge
	}
	batch := config.BatchSize
	if batch == 0 {
		batch = DefaultPruneBatch
	}
	// Ids below before were made before the cutoff's second. An ObjectId
	// holds the seconds since 1970 in 32 bits: a cutoff before 1970 keeps
	// every transaction, and one after 2106 keeps none for its age.
	cutoff := config.Clock.Now().Add(-minAge).Unix()
	if cutoff <= 0 {
		return stats, next, nil
	}
	before := bson.NewObjectIdWithTime(time.Unix(min(cutoff, math.MaxUint32), 0))
	var after bson.ObjectId
	for {
		select {
		case <-abort:
			return stats, next, errPruneAborted
		default:
		}
		txns, err := completeTxns(config, before, after, batch)
		if err != nil {
			return stats, next, errors.Trace(err)
		}
		if len(txns) == 0 {
			return stats, next, nil
		}
		after = txns[len(txns)-1].Id
		stats.Examined += len(txns)
		readFrom := config.Clock.Now()
		named, err := namedTxns(config, txns)
		if err != nil {
			return stats, next, errors.Trace(err)
		}
		readTo := config.Clock.Now()
		var remove []bson.ObjectId
		for _, t := range txns {
			if named[t.Id] {
				stats.Referenced++
				continue
			}
			if confirm != nil {
				first, found := confirm[t.Id]
				if !found {
					first = readTo
				}
				if !found || readFrom.Sub(first) < interval {
					stats.Unconfirmed++
					next[t.Id] = first
					continue
				}
			}
			remove = append(remove, t.Id)
		}
		n, err := removeTxns(config, remove)
		stats.Removed += n
		if err != nil {
			return stats, next, errors.Trace(err)
		}
		if len(txns) < batch {
			return stats, next, nil
		}
	}
}

// errPruneAborted is what pruneTransactions returns once aborted.
var errPruneAborted = errors.New("pruning aborted")
