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

// MinPruneInterval is the least [PrunerConfig.Interval] accepted: the gap
// a stalled runner would have to outlast.
const MinPruneInterval = time.Minute

// maxPruneRetry is the longest wait to retry a failed prune.
const maxPruneRetry = time.Minute

// PrunerConfig holds what [NewPruner] needs.
type PrunerConfig struct {
	// Prune says what to prune, as for [PruneTransactions]; its Clock
	// also times the rounds.
	Prune PruneConfig

	// Interval is the time from the start of one round to the next, on
	// Prune.Clock. Zero means one hour; below MinPruneInterval (a minute)
	// is invalid. A failed round is retried after Interval or a minute,
	// whichever is shorter, and that retry removes nothing.
	Interval time.Duration

	// Logger, if not nil, gets a line at the end of each round: Debug
	// with the round's [PruneStats] ("examined", "referenced",
	// "unconfirmed", "removed"), or Warn with its error ("err") too.
	Logger *slog.Logger

	// Report, if not nil, is called on the Pruner's goroutine after each
	// round with its stats and error; blocking delays the next round and
	// Kill.
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

// Pruner is a [worker.Worker] that prunes as [PruneTransactions] does,
// every Interval from its start. It removes a transaction only once two
// rounds, an Interval apart, have found it complete and unnamed (so the
// first round removes nothing), closing the window a lone prune leaves
// (docs/design.md#pruning). A failed round is logged and retried; nothing
// but Kill stops it, and Wait then returns nil. It needs nothing from the
// lease clients and managers it runs beside.
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
	// Transactions the previous round found removable, with when.
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
			// A retry within an Interval confirms nothing.
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
