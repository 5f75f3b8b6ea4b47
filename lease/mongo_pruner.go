package lease

import (
	"log/slog"
	"time"

	"github.com/juju/errors"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/tomb.v1"

	"github.com/seed07a61904/leadership/worker"
)

// DefaultPruneInterval is how often a [Pruner] prunes when
// [PrunerConfig.Interval] is zero.
const DefaultPruneInterval = time.Hour

// MinPruneInterval is the least [PrunerConfig.Interval] a [Pruner]
// accepts: the gap between the two rounds that must agree before a
// transaction is removed is what a stalled runner would have to outlast.
const MinPruneInterval = time.Minute

// maxPruneRetry is the longest a Pruner waits to try again after a failed
// prune.
const maxPruneRetry = time.Minute

// PrunerConfig holds what [NewPruner] needs.
type PrunerConfig struct {
	// Prune says what to prune, as for [PruneTransactions]. Its Clock
	// also times the Pruner's rounds.
	Prune PruneConfig

	// Interval is the time from the start of one round of pruning to the
	// start of the next, on Prune.Clock. Zero means
	// DefaultPruneInterval, one hour; below MinPruneInterval (a minute)
	// is invalid. A round that
	// fails is tried again after Interval or a minute, whichever is
	// shorter, and that retry removes nothing: it finds what the round
	// after it may remove.
	Interval time.Duration

	// Logger, if not nil, gets a line at the end of each round: at Debug
	// level with the round's [PruneStats] (attributes "examined",
	// "referenced", "unconfirmed", "removed"), or at Warn level with its
	// error ("err") as well.
	// nil means silent.
	Logger *slog.Logger

	// Report, if not nil, is called on the Pruner's goroutine at the end
	// of each round with what it did and its error (nil on success). A
	// Report that blocks delays the next round and Kill.
	Report func(PruneStats, error)
}

// Validate returns an error describing the first problem with config, or
// nil: Prune's (see [PruneConfig.Validate]), then Interval's.
func (config PrunerConfig) Validate() error {
	if err := config.Prune.Validate(); err != nil {
		return errors.Trace(err)
	}
	if config.Interval != 0 && config.Interval < MinPruneInterval {
		return errors.Errorf("invalid Interval %v: must be zero (%v) or at least %v", config.Interval, DefaultPruneInterval, MinPruneInterval)
	}
	return nil
}

// Pruner is a [worker.Worker] that prunes as [PruneTransactions] does, on
// a schedule: the first round one Interval after it starts, then every
// Interval. It removes a transaction only once two rounds in a row have
// found it complete and named by no document, the later one reading its
// documents at least an Interval after the earlier one had (so the first
// round removes nothing, and what a round longer than an Interval found
// near its end waits for a later round): a runner would have to stall
// for a whole Interval between
// reading a document's queue and looking up a transaction it names to
// meet one removed (docs/design.md#pruning). A round that fails
// is logged and tried again; nothing but Kill stops a Pruner, and Wait
// then returns nil. It runs beside lease
// clients and managers, on its own sessions, and needs nothing from them.
type Pruner struct {
	config PrunerConfig
	tomb   tomb.Tomb
}

var _ worker.Worker = (*Pruner)(nil)

// NewPruner starts a [Pruner], or returns the error of an invalid config.
func NewPruner(config PrunerConfig) (*Pruner, error) {
	if err := config.Validate(); err != nil {
		return nil, errors.Trace(err)
	}
	p := &Pruner{config: config}
	go func() {
		defer p.tomb.Done()
		p.tomb.Kill(p.loop())
	}()
	return p, nil
}

// Kill is part of the [worker.Worker] interface. A round in progress stops
// after its current batch.
func (p *Pruner) Kill() {
	p.tomb.Kill(nil)
}

// Wait is part of the [worker.Worker] interface. It returns nil once the
// Pruner has stopped.
func (p *Pruner) Wait() error {
	return p.tomb.Wait()
}

// loop runs the rounds until the Pruner is killed, and returns nil.
func (p *Pruner) loop() error {
	interval := p.config.Interval
	if interval == 0 {
		interval = DefaultPruneInterval
	}
	clock := p.config.Prune.Clock
	next := clock.Now().Add(interval)
	// The transactions found complete and unnamed by the previous round,
	// with when (after the read of their documents) they were first.
	confirm := map[bson.ObjectId]time.Time{}
	for {
		select {
		case <-p.tomb.Dying():
			return nil
		case <-clock.Alarm(next):
		}
		began := clock.Now()
		stats, unnamed, err := pruneTransactions(p.config.Prune, p.tomb.Dying(), confirm, interval)
		if errors.Is(err, errPruneAborted) {
			return nil
		}
		p.report(stats, err)
		if err != nil {
			// The retry comes sooner than an Interval: it may confirm
			// nothing.
			confirm = map[bson.ObjectId]time.Time{}
			next = began.Add(min(interval, maxPruneRetry))
		} else {
			confirm = unnamed
			next = began.Add(interval)
		}
	}
}

// report logs and reports the end of a round.
func (p *Pruner) report(stats PruneStats, err error) {
	if logger := p.config.Logger; logger != nil {
		if err != nil {
			logger.Warn("pruning transactions failed", "err", err, "examined", stats.Examined,
				"referenced", stats.Referenced, "unconfirmed", stats.Unconfirmed, "removed", stats.Removed)
		} else {
			logger.Debug("pruned transactions", "examined", stats.Examined,
				"referenced", stats.Referenced, "unconfirmed", stats.Unconfirmed, "removed", stats.Removed)
		}
	}
	if p.config.Report != nil {
		p.config.Report(stats, err)
	}
}
