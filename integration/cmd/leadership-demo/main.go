// Command leadership-demo runs leadership managers and unit trackers
// against a MongoDB database and shows, on a timeline, that each service
// has at most one leader at a time, that a deposed leader's writes are
// fenced off, and how much sooner a leader that resigns hands over than
// one that crashes.
//
// Usage:
//
//	go run ./cmd/leadership-demo [flags]
//
// from the integration module (or `make demo` at the repository root).
// Without -mongo it starts an embedded, MongoDB-compatible server
// (package mongotest: FerretDB on SQLite, behind a proxy that speaks the
// wire protocol as MongoDB 6.0 and later do); with -mongo URL it dials that
// server through package mgowire and uses a new database, under a random
// name, on it, and drops it at the end.
//
// # What runs
//
// Every controller is a [leadership.Manager] over a lease client of its
// own ([lease.NewClient], Id controller-N, [lease.SystemClock]), with a
// MaxSleep of a quarter lease; all share one namespace, lease collection
// and transaction collection. Each service has a settings document, and
// several units; unit k of the s-th service talks to controller (s+k) mod
// -controllers, so that each service has units on several controllers.
// Each unit is one goroutine, like a unit agent, and runs a
// [leadership.Tracker] (Duration: the lease) on its controller, which
// claims, renews, waits for a release and claims again for it:
//
//   - Once its tracker says it leads, the unit runs its leader-only work
//     under the tracker's leader context ([leadership.LeaderRunner]'s
//     RunAsLeader), which ends as soon as the tracker counts the unit no
//     longer leader, and at the latest when its term ends. The work makes
//     guarded writes, one every eighth of the lease, and acts only while
//     its context is not done: before each, it asks ClaimLeader for a
//     guarantee, checks its context, and then takes a term token
//     (CheckLeadershipTerm); the write is one mgo/txn transaction, on the
//     same transaction collection as the lease clients, made of the
//     token's AssertOps and an update of the service's settings document
//     that records the writer, its term and the lease's term. The
//     summary counts the runs of leader-only work, how each ended, and
//     any two units of a service whose work both acted at once (must be
//     none).
//   - At a random moment, between a quarter of a lease and two leases
//     after its work started, the leader either resigns or crashes (each
//     unit alternates between the two, starting at random). Resigning,
//     its work stops acting and kills its tracker, which ends the leader
//     context, waits for the work to return, and only then revokes its
//     leadership: another unit takes over at once if it waits on the same
//     controller, and at its controller's next poll of the store (every
//     200ms) otherwise. Crashing, its connection is cut first, so its
//     tracker can neither renew nor revoke: another unit takes over once
//     the lease has run out and a controller has expired it. Either way
//     the unit starts again, as a follower, a little later.
//   - A unit that resigned, or crashed and came back, tries one more
//     guarded write with the token of its old term: a stale write, which
//     must abort with txn.ErrAborted. It first waits until
//     CheckLeadership says it is no longer leader.
//   - A unit whose leader context ends (its renewal failed or came too
//     late, or another unit leads) keeps its tracker, as a unit agent does,
//     and follows again; it makes no stale write, since its tracker may
//     claim the same lease again, which would make its old token good.
//   - Once, at a random moment between 20% and 35% of the run, one
//     controller is killed. Its units' trackers stop with it, and the
//     units start new ones on the next live controller, as Juju's agents
//     reconnect to another API server; a
//     leader leads again if its new tracker's claim extends its lease in
//     time, because leases live in the database, not in a controller.
//   - At 45% of the run, the database goes down for -outage (5s by
//     default), as in a failover: the embedded server runs as a
//     one-member replica set, whose primary steps down (hello reports no
//     primary; writes and primary reads are refused with "not primary",
//     as MongoDB refuses them during an election) and is elected again
//     when the outage ends, on the same data. Nothing is restarted:
//     managers and trackers ride it out, calls meanwhile fail with
//     lease.ErrUnavailable or wait for the new primary, and every service
//     is led again soon after the database answers. With -mongo there is
//     no outage: the demo cannot stop a database it did not start, and
//     says so.
//
// # What is checked
//
// The demo is a checker: it records what the trackers guaranteed and what
// the database holds, and decides nothing about leadership itself. It
// exits with status 0 only if no stale write committed, no two units of a
// service held overlapping guarantees, the database agrees, no manager or
// tracker stopped without being killed and, after the outage, every
// service was led again; status 1 otherwise, or on any unexpected error;
// 2 for bad flags.
//
// A true ClaimLeader, asked at time t, guarantees that the unit leads
// until t plus ClaimDuration. A term is a unit's unbroken run of such
// guarantees, from its first until the last runs out, cut short at the
// moment the unit resigned (it stops acting then; its revoke follows).
// Terms of different units of one service must not overlap. The summary
// shows, beside each other, graceful handovers (from a resignation to the
// next unit's first guarantee; across controllers and through the same
// controller) and crash failovers (from a crash to the next unit's first
// guarantee, which must wait for the old lease to run out).
//
// A guarded write that meets the outage fails with a store error (a
// "not primary" reply, a dropped connection): that is expected, and
// counted apart, not as a problem. Its outcome is unknown: mgo/txn may
// have applied it, or may apply it later, when the next transaction on
// the same documents finds it half done. The demo never guesses: each
// guarded write carries a number of its own, and the audit decides.
//
// At the end, the database is audited: each service's settings document
// holds the log of every guarded write it received, in commit order, each
// with its writer, term and number (pending transactions are resumed
// first). Every entry must come from the unit that the demo recorded as
// leader in that term, terms must never go backwards, and the log must
// hold every write that the units saw commit, no write that they saw
// abort and, of the writes of unknown outcome, no stale one: a stale
// write found in the log counts as a stale write committed.
//
// After an outage, the summary says when the database went down and for
// how long, and how long after it answered again every service was led
// (a guarantee given at or after that moment, or one that spanned it).
// The run lasts -run; if by then some service has never had a leader, no
// guarded write has committed, or some service has not been led again
// since the outage, it goes on until they have, for at most 30s more,
// so that a slow machine delays the verdict rather than spoils it.
//
// # Metrics
//
// With -metrics ADDR (e.g. -metrics :9090, or `make demo
// DEMOFLAGS=-metrics=:9090`) the demo serves Prometheus metrics at
// http://ADDR/metrics while it runs: those of each controller's manager
// and trackers, labelled controller="controller-N", and those of the
// mgowire connections (see package leaseprom, in the prometheus module,
// for the list).
//
// # Load
//
// The embedded server runs on SQLite and manages a few dozen mgo/txn
// transactions a second, fewer as the transaction collection grows. The
// defaults (3 controllers, 4 services of 3 units, a 4s lease, 20s, a 5s
// outage) make about ten transactions a second: one write per leader
// every eighth of the lease duration, renewals and expiries.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "leadership-demo:", err)
		os.Exit(2)
	}
	cfg.progress = isTerminal(os.Stdout)
	res, err := run(cfg, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "leadership-demo:", err)
		os.Exit(1)
	}
	if !res.ok() {
		os.Exit(1)
	}
}

// config is what the demo runs with.
type config struct {
	services    int
	units       int // per service
	controllers int
	lease       time.Duration
	runTime     time.Duration
	seed        uint64
	// outage is how long the database is down, from 45% of the run; 0
	// for no outage. Ignored with mongoURL.
	outage      time.Duration
	mongoURL    string // "" for the embedded server
	metricsAddr string // where to serve /metrics; "" for nowhere
	// progressWait is how much longer than runTime the run may go on
	// until it has shown what it must (see run).
	progressWait time.Duration
	// progress rewrites a progress line in place, for a terminal; without
	// it, a progress line is printed every few seconds.
	progress bool
}

// parseFlags returns the configuration that args ask for. Usage and errors
// go to stderr.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("leadership-demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := config{progressWait: progressWait}
	fs.IntVar(&cfg.services, "services", 4, "number of services")
	fs.IntVar(&cfg.units, "units", 3, "units per service")
	fs.IntVar(&cfg.controllers, "controllers", 3, "controllers (leadership managers)")
	fs.DurationVar(&cfg.lease, "lease", 4*time.Second, "lease duration claimed by leaders")
	fs.DurationVar(&cfg.runTime, "run", 20*time.Second, "how long the units run")
	fs.Uint64Var(&cfg.seed, "seed", 1, "seed for crashes and the controller kill")
	fs.DurationVar(&cfg.outage, "outage", 5*time.Second, "how long the database is down, from 45% of the run: its primary steps down, as in a failover, and is elected again; 0 for no outage; at most half of -run; not with -mongo (the demo cannot stop that database)")
	fs.StringVar(&cfg.mongoURL, "mongo", "", "MongoDB connection string (mongodb:// or mongodb+srv://, as mgowire.ParseURL reads it), dialed through mgowire; default: an embedded server")
	fs.StringVar(&cfg.metricsAddr, "metrics", "", "serve Prometheus metrics at http://`ADDR`/metrics (e.g. :9090) while the demo runs")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() != 0 {
		return config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return cfg, cfg.validate()
}

// validate returns an error describing the first problem with cfg, or nil.
func (cfg config) validate() error {
	switch {
	case cfg.services < 1:
		return fmt.Errorf("-services %d: need at least 1", cfg.services)
	case cfg.units < 1:
		return fmt.Errorf("-units %d: need at least 1", cfg.units)
	case cfg.controllers < 1:
		return fmt.Errorf("-controllers %d: need at least 1", cfg.controllers)
	case cfg.lease < 100*time.Millisecond:
		return fmt.Errorf("-lease %s: need at least 100ms", cfg.lease)
	case cfg.runTime <= 0:
		return fmt.Errorf("-run %s: must be positive", cfg.runTime)
	case cfg.outage < 0:
		return fmt.Errorf("-outage %s: must be 0 (no outage) or positive", cfg.outage)
	case cfg.outage > cfg.runTime/2:
		return fmt.Errorf("-outage %s: at most half of -run %s, so that the run goes on after it (it starts at 45%% of the run)", cfg.outage, cfg.runTime)
	}
	return nil
}

// isTerminal reports whether f is a terminal, where a progress line can be
// rewritten in place.
func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
