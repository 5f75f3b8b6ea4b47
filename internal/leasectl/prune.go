package leasectl

import (
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/lease"
)

// parsePrune reads prune's arguments: its -min-age, which must be at
// least lease.MinPruneMinAge.
func parsePrune(args []string) (time.Duration, error) {
	fs := flag.NewFlagSet("prune", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	minAge := fs.Duration("min-age", lease.DefaultPruneMinAge, "keep transactions younger than this")
	if err := fs.Parse(args); err != nil {
		return 0, usagef("prune: %v", err)
	}
	switch {
	case fs.NArg() != 0:
		return 0, usagef("prune takes no arguments besides -min-age, got %q", fs.Args())
	case *minAge < lease.MinPruneMinAge:
		return 0, usagef("invalid prune -min-age %v: must be at least %v", *minAge, lease.MinPruneMinAge)
	}
	return *minAge, nil
}

// pruneResult is what prune prints, as JSON with -json.
type pruneResult struct {
	Txns       string  `json:"txns"`
	MinAge     float64 `json:"min_age_seconds"`
	Examined   int     `json:"examined"`
	Referenced int     `json:"referenced"`
	Removed    int     `json:"removed"`
	Error      string  `json:"error,omitempty"`
}

// prune runs lease.PruneTransactions once on the -txns collection, with
// MinAge minAge counted back from env.Clock, and prints what it did, also
// when it failed part way (then returning the error).
func (env Env) prune(c *conn, opts options, minAge time.Duration) error {
	stats, err := lease.PruneTransactions(lease.PruneConfig{
		Mongo:         c.mongo,
		TxnCollection: c.txns,
		Clock:         env.Clock,
		MinAge:        minAge,
	})
	if opts.json {
		r := pruneResult{
			Txns: c.txns, MinAge: minAge.Seconds(),
			Examined: stats.Examined, Referenced: stats.Referenced, Removed: stats.Removed,
		}
		if err != nil {
			r.Error = err.Error()
		}
		if werr := writeJSON(env.Stdout, r); werr != nil && err == nil {
			err = werr
		}
	} else {
		fmt.Fprintf(env.Stdout, "%s: %d complete transactions older than %v examined: %d removed, %d kept (still named by a document)\n",
			c.txns, stats.Examined, minAge, stats.Removed, stats.Referenced)
	}
	return errors.Annotatef(err, "pruning %q", c.txns)
}
