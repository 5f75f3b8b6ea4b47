// Package leaseprom turns the events of package leadership's managers and
// trackers, and of package mgowire's translating connections, into
// Prometheus metrics: a [ManagerCollector] is a [leadership.Observer] and
// a [TranslatorCollector] an [mgowire.Observer], and both are
// [prometheus.Collector]s to register.
//
// It lives in a module of its own (directory prometheus/ of the
// leadership repository), so that the library itself does not depend on
// client_golang. Its package name is leaseprom, not prometheus, so that
// a program can import it beside client_golang's prometheus package,
// which it needs to register the collectors, without renaming either;
// name it in the import to make that plain to readers:
//
//	import leaseprom "github.com/seed07a61904/leadership/prometheus"
//
// # Metrics
//
// Every name starts with [Options.Namespace] ("leadership" by default);
// every metric also carries [Options.ConstLabels]. Durations are in
// seconds, measured on the emitter's clock ([leadership.Event.Duration]).
// A [ManagerCollector] keeps:
//
//	leadership_operations_total                    counter    kind, result
//	    Operations answered, and expiries tried. kind and its results:
//	    claim (granted, extended, denied, error), check (hit, miss, error),
//	    block (released, error), revoke (revoked, denied, error),
//	    expire (expired, error).
//	leadership_operation_duration_seconds          histogram  kind
//	    Claims, checks and revokes, from the manager taking the request
//	    to its answer. Not blocks, which wait as long as the leader holds.
//	leadership_store_transactions_total            counter    call, result
//	    Write calls of the lease client, each a store transaction. call:
//	    ClaimLease, ExtendLease, ExpireLease, RevokeLease; result: ok,
//	    denied (the client returned lease.ErrInvalid), error.
//	leadership_store_transaction_duration_seconds  histogram  call
//	    Their durations.
//	leadership_wakes_total                         counter    result
//	    Wakes on the manager's alarm (expiries, polls, refreshes): ok, error.
//	leadership_wake_duration_seconds               histogram
//	    Their durations.
//	leadership_refreshes_total                     counter    call, result
//	    Reads of the store. call: Refresh (every lease), RefreshLease
//	    (one), RefreshClocks (the clocks alone), RefreshReleases (the
//	    count of releases alone); result: ok, error.
//	leadership_refresh_duration_seconds            histogram  call
//	    Their durations.
//	leadership_leases_known                        gauge
//	    Leases in the manager's view (Event.Known), after its latest event.
//	leadership_leases_held                         gauge
//	    Of those, leases claimed or extended through this manager (Event.Held).
//	leadership_last_refresh_timestamp_seconds      gauge
//	    When the manager last read the store successfully, in Unix seconds
//	    on its clock (Event.At); 0 before its first read.
//	leadership_stopped                             gauge
//	    1 once the manager has stopped, else 0; back to 0 at the first
//	    event of a manager restarted with the same collector.
//	leadership_tracker_leader                      gauge      service, unit
//	    1 while the tracker of unit leads service; 0 while it does not,
//	    and once it has stopped.
//	leadership_tracker_changes_total               counter    result
//	    Trackers' changes of state: to leader, to minion.
//
// A [TranslatorCollector] keeps:
//
//	leadership_mgowire_commands_total              counter    command, result
//	    Commands sent (find, insert, update, findAndModify, ismaster, ...).
//	    result: ok, not_primary (the server is no longer primary; mgo
//	    finds the new one), error (a failed reply or a lost connection).
//	    A failed reply includes a write error such as a duplicate key,
//	    which mgo/txn meets and handles when transactions race to insert
//	    the same document: a few insert errors are normal under load.
//	leadership_mgowire_command_duration_seconds    histogram  command
//	    From sending a command to its reply.
//	leadership_mgowire_connections_total           counter    result
//	    Connections set up (dial, TLS, authentication): ok, error.
//	leadership_mgowire_connect_duration_seconds    histogram
//	    From the dial to the end of authentication.
//
// A counter's or histogram's series appears at its first event. The
// labels are bounded: kinds, results and calls are the constants of
// package leadership ([leadership.EventKind], [leadership.Result],
// [leadership.Call]), commands are the few that mgo sends; only
// leadership_tracker_leader grows with the units that have trackers in the
// process.
//
// # Alerts
//
// A manager reads the store at least every [leadership.ManagerConfig.MaxSleep]
// (and every ClockPoll, with the MongoDB client), so a manager that has
// not read it for much longer is stuck, or cannot reach the store:
//
//	time() - leadership_last_refresh_timestamp_seconds > 180  # 3 * MaxSleep (1m by default)
//	or leadership_stopped == 1
//
// The timestamp is on the manager's clock, which is the wall clock
// (lease.SystemClock) in production. It is 0 until the manager's first
// successful read, so that a manager that never reads the store alerts
// too; give the alert a "for:" longer than ClockPoll (or MaxSleep, for a
// client that reads only in full) so that a manager just started does
// not. And a service whose trackers all
// say they are minions has no leader:
//
//	max by (service) (leadership_tracker_leader) == 0
//
// # One collector per manager
//
// The gauges describe one manager: leases known and held, the last
// refresh, stopped. Several managers in one process should each have
// their own ManagerCollector, told apart by a constant label (e.g.
// ConstLabels {"controller": "0"}, {"controller": "1"}); one registry
// holds them all, since their constant label values differ. The trackers
// of a manager share its collector. A collector shared by several
// managers adds up their counters and histograms correctly, but its
// gauges then show whichever manager reported last.
//
// A tracker's events are told from its manager's by
// [leadership.Event.FromTracker]: its [leadership.EventLeading] and
// [leadership.EventStop] feed the tracker metrics, and leave the
// manager's gauges alone.
//
// # Concurrency
//
// Both collectors are safe for concurrent use: Observe may be called by
// several managers, trackers and connections at once, and during a
// scrape.
package leaseprom
