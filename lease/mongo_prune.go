package lease

import (
	"math"
	"time"

	"github.com/juju/errors"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/isnil"
)

// DefaultPruneMinAge is [PruneConfig.MinAge]'s default; MinPruneMinAge is
// the least it accepts, many times a runner's worst stall and an
// ObjectId's one-second resolution.
const (
	DefaultPruneMinAge = time.Hour
	MinPruneMinAge     = time.Minute
)

// DefaultPruneBatch is [PruneConfig.BatchSize]'s default; MaxPruneBatch is
// the most it accepts.
const (
	DefaultPruneBatch = 1000
	MaxPruneBatch     = 10000
)

// mgo/txn's states of a complete transaction: never to run again.
const (
	txnAborted = 5
	txnApplied = 6
)

// maxInIds bounds the ids of one $in query.
const maxInIds = 1000

// PruneConfig holds what [PruneTransactions] needs; it is never changed.
type PruneConfig struct {
	// Mongo gives access to the database: the transaction collection,
	// its stash, and the collections its transactions write; use the
	// lease clients' (see [NewMongo]). Required.
	Mongo Mongo

	// TxnCollection names the mgo/txn transaction collection given to
	// NewMongo (its stash is TxnCollection+".stash"): a MongoDB
	// collection name, not empty, with no '$' or NUL.
	TxnCollection string

	// Clock is what MinAge counts against. Required: [SystemClock]{} for
	// the wall clock.
	Clock Clock

	// MinAge is the age, by the time in a transaction's ObjectId (its
	// maker's clock, to the second), below which a transaction is kept
	// whatever its state. Zero means one hour; below MinPruneMinAge (a
	// minute) is invalid. It must exceed the longest a runner may stall
	// between reading a transaction and queueing it on a document, plus
	// the clock differences between machines (docs/design.md#pruning).
	MinAge time.Duration

	// BatchSize is how many complete transactions are read, checked and
	// removed at a time. Zero means DefaultPruneBatch; negative, or more
	// than MaxPruneBatch, is invalid.
	BatchSize int
}

// Validate returns an error describing the first problem with config, or
// nil, checking Mongo, TxnCollection, Clock, MinAge and BatchSize in that
// order. An interface holding a nil pointer is refused like a missing one;
// a bad TxnCollection matches [ErrInvalidArgument].
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
	// Examined counts the complete transactions older than MinAge read.
	Examined int
	// Referenced counts those kept because a document (in its
	// collection or the stash) still names them.
	Referenced int
	// Removed counts the transactions removed.
	Removed int
	// Unconfirmed counts, in a [Pruner]'s round, those found removable
	// for the first time (or less than an Interval before), for a later
	// round to remove. PruneTransactions leaves it zero.
	Unconfirmed int
}

// PruneTransactions removes from config's transaction collection the
// transactions mgo/txn will never look up again: complete (applied or
// aborted), older than MinAge, and named by no document they wrote (in its
// collection or the stash). It reads them in batches of BatchSize, by id,
// beside running lease clients and other writers, and may run from several
// places at once; why that is safe is in docs/design.md#pruning. It
// returns what it did, also on error: the first store error (matching
// [ErrUnavailable] if unreachable), or the invalid config's.
func PruneTransactions(config PruneConfig) (PruneStats, error) {
	stats, _, err := pruneTransactions(config, nil, nil, 0)
	return stats, err
}

// pruneTransactions is PruneTransactions, stopping between batches once
// abort is closed (errPruneAborted). With confirm (a Pruner's round), it
// removes only transactions confirm holds that it finds unnamed again in a
// read starting at least interval after confirm's time, and returns the
// others it finds unnamed, with when, for the next round.
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
	// Ids below before were made before the cutoff's second (32-bit
	// seconds: before 1970 keeps all, after 2106 none by age).
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
