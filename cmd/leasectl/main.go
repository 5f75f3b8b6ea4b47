// Command leasectl shows and fixes the leases that package lease's MongoDB
// client stores: one namespace of one collection, read through package
// mgowire (so MongoDB 5.1 and later work, as for the library).
//
// Install it from a clone of the repository (the module is not on the Go
// module proxy, so go install with @latest fails), in the clone's root:
//
//	go install ./cmd/leasectl
//
// Usage:
//
//	leasectl -url URL [-collection leases] [-namespace service-leadership]
//	         [-json] [-timeout 10s] [-txns txns] [-writer ID]
//	         list | clock | watch [-interval 1s] [-count N] |
//	         revoke [-wait | -force] LEASE HOLDER | prune [-min-age 1h]
//
// The URL is a mongodb:// or mongodb+srv:// connection string, as
// mgowire.ParseURLWith reads it (the options it ignores are reported on
// stderr); its database (default "test", as mgo's) holds the collection. leasectl
// waits at most -timeout for the server, and for each operation.
//
// The names given (-collection, -namespace, -txns, -writer, and revoke's
// LEASE and HOLDER) must each be 1 to 256 bytes of UTF-8 text with no '.',
// '$', '#', white space or control characters, as for a lease client
// (lease.MaxStringLen), and a HOLDER that names a unit ("mysql/0") must be
// a unit of the service LEASE names: each is checked before anything is
// dialled, and a bad one is a usage error that states the rule.
//
// # Subcommands
//
//   - list: each lease of the namespace: its name, holder, term (which
//     rises every time the holder changes; 0 for a lease written by an
//     earlier version), expiry (on the clock of the lease's writer, as
//     stored), the time left, and the writer.
//
//   - clock: each writer of the clock document: the latest time it
//     recorded (on its own clock), how many transactions it has run in
//     the namespace, and how far its clock is from the operator's.
//
//   - watch: list and clock together, read again every -interval until
//     interrupted (SIGINT or SIGTERM) or -count refreshes, with each lease
//     and writer marked new, changed or gone since the previous refresh.
//     A refresh that fails is reported on stderr, and watch carries on;
//     with -count, watch exits with 1 if the last refresh failed.
//
//   - revoke [-wait | -force] LEASE HOLDER: a fenced release of a stuck
//     lease. It removes the lease document if HOLDER still holds it, in
//     one mgo/txn transaction that also records the writer's clock in the
//     clock document, so that any token HOLDER's units took
//     (lease.Info.AssertOp, leadership.Token.AssertOps) then aborts its
//     transaction. It is refused, changing nothing, if the lease is not
//     held or another holder holds it.
//
//     By default it removes only a lease that has run out: one whose TIME
//     LEFT (below) has passed, so that its writer's clock is past its
//     expiry, and any controller's lease client may expire it. It does so
//     through that client's own transaction (lease.Client.ExpireLease),
//     which fails if the lease was renewed since the read. Until then
//     HOLDER may act as leader (its tracker, and its manager's
//     CheckLeadership, may say it leads), and removing the lease would let
//     another unit be granted it and lead beside HOLDER: a live lease is
//     refused, with the time, on the operator's clock, until which it may
//     be in force. One read cannot tell how long ago a silent writer last
//     wrote, so a stopped controller's lease shows its whole term left;
//     -wait waits, on the operator's clock, until the lease has run out
//     (keeping, as a lease client does, the bound of its first read while
//     the writer stays silent), then removes it; it refuses if the lease
//     is renewed meanwhile, which means that HOLDER is alive. Ctrl-C stops
//     the wait, revoking nothing.
//
//     -force removes the lease at once (lease.Revoker.RevokeLease), and
//     warns, on stderr, until when HOLDER may still act as leader: only
//     its fenced writes fail from then on, and another unit may be
//     granted the lease and lead at the same time. Use it only once HOLDER
//     is known to have stopped acting as leader (its agent or controller
//     is stopped), or when its tokens are all it relies on.
//
//     leasectl writes as a lease client with the id -writer (default
//     leasectl-HOST, the host name with '.' and other characters a client
//     id cannot hold made '-'), which the clock document then lists as a
//     writer, like any controller. It refuses, changing nothing, an id
//     that wrote a stored lease (a controller's: recording the operator's
//     time as that controller's clock would move every client's bound on
//     it), an id whose recorded time is later than the operator's clock,
//     and a namespace whose clock document is gone. The fencing only holds
//     if -txns names the mgo/txn collection the lease clients use (the
//     library's users choose it in lease.NewMongo; the demo's is "txns"),
//     and a transaction through another would leave in the documents a
//     token the clients' runner cannot find, failing all their later
//     transactions on them: revoke refuses a -txns that holds none of the
//     transactions the namespace's documents name (mgo/txn's txn-queue).
//
//   - prune [-min-age 1h]: one lease.PruneTransactions on the -txns
//     collection: it removes the transactions that are complete (applied
//     or aborted), older than -min-age by the time in their ids, on the
//     operator's clock, and named by no document they wrote (see
//     docs/design.md#pruning), and prints how many it examined,
//     removed and kept. The users' own transactions in that collection
//     are pruned by the same rules. It can run while the controllers run.
//
// # What the estimates mean
//
// Each writer's times are on its own clock. One read of the clock
// document shows only that the writer's clock had reached the time it
// last recorded (LastWrite) by the end of the read, on the operator's
// clock; a writer that has not written for a while may be ahead of that
// by any amount. (This is lease.Skew's arithmetic, and
// docs/design.md#clocks-and-skew says why no better bound exists.) So:
//
//   - TIME LEFT is an upper bound: the lease runs out, on its writer's
//     clock, at most that long after the read, on the operator's
//     (Skew.Latest of the expiry); it may already have run out. "expired"
//     is certain: the writer's own clock has passed the expiry, and a
//     lease client may expire the lease.
//   - OFFSET is a lower bound: the writer's clock minus the operator's is
//     at least LastWrite minus the end of the read. For a writer that
//     writes often (a live controller renews its leases), that is close
//     to the true offset; for a silent one it says little.
//
// watch does better for a writer that stays silent: as a lease client
// keeps a writer's Skew, it keeps, while the writer's last recorded time
// and count of writes are unchanged, the end of the first read that saw
// them, so that TIME LEFT counts down between refreshes and the offset's
// bound stays that of the earliest read. A write (even at a time recorded
// before, after a clock stepped back) starts again from the read that
// sees it.
//
// The clocks must run at the same rate, as the library assumes.
//
// # JSON
//
// With -json, list and clock print one object, and watch one object per
// refresh, each on one line. Times are RFC 3339 in UTC, with nanoseconds;
// durations are seconds, to the millisecond:
//
//	{
//	  "refresh": 3,                               // watch only
//	  "namespace": "service-leadership",
//	  "collection": "leases",
//	  "read_after": "...", "read_before": "...",  // operator's clock around the read of the clock document
//	  "leases": [{                                // list and watch
//	    "name": "redis", "holder": "redis/0", "writer": "controller-0",
//	    "expiry": "...",                          // on the writer's clock
//	    "expires_by": "...",                      // latest, on the operator's clock; null without clock data
//	    "left_at_most_seconds": 12.5,             // expires_by minus read_before; null without clock data
//	    "expired": false,                         // the writer's clock has passed expiry
//	    "change": "new"                           // watch only: "new", "changed", "gone" (then expires_by and left_at_most_seconds are null), or absent
//	  }],
//	  "writers": [{                               // clock and watch
//	    "writer": "controller-0",
//	    "last_write": "...",                      // on its own clock
//	    "writes": 42,                             // transactions it has run in the namespace
//	    "offset_at_least_seconds": -0.25,         // its clock minus the operator's is at least this
//	    "change": "changed"                       // watch only
//	  }],
//	  "problems": [{"document": "lease#ns#x#", "error": "..."}]
//	}
//
// revoke prints, on success,
//
//	{"namespace": "service-leadership", "lease": "redis", "holder": "redis/0",
//	 "writer": "leasectl-ops", "revoked": true,
//	 "forced": true,                             // -force was given
//	 "holder_may_lead_until": "..."}             // -force only: until when, on the operator's clock, the lease might have been in force; null if it had run out
//
// and a refusal prints nothing on stdout. prune prints
//
//	{"txns": "txns", "min_age_seconds": 3600, "examined": 1200, "referenced": 12, "removed": 1188,
//	 "error": "..."}                             // only if it failed part way, with what it did until then
//
// # Errors and exit status
//
// 0: done. 1: failure: the server cannot be reached within -timeout, the
// collection does not exist in the database, the namespace has no lease
// and no clock document (the error lists the namespaces that exist),
// revoke was refused (the lease may still be in force, was renewed during
// -wait, is not held or held by another), failed or was interrupted, watch -count's last refresh failed, or a
// document is corrupt. Corrupt
// documents never stop list, clock or watch: each is named, with what is
// wrong with it, under PROBLEMS (or in "problems"), and list and clock
// then exit with 1. 2: usage: no -url or a malformed one (or one with an
// option mgowire refuses), an invalid collection, namespace or writer
// name, an unknown subcommand, the wrong number of arguments, or one of
// leasectl's flags after the subcommand (they go before it). Errors go to
// stderr. Ctrl-C (SIGINT) or SIGTERM stops watch with status 0, and ends
// the wait for the server, and revoke -wait's wait, with status 1; a second one kills leasectl.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/seed07a61904/leadership/internal/leasectl"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// A second signal, while a read that ignores ctx finishes, kills
		// the process as usual.
		<-ctx.Done()
		stop()
	}()
	code := leasectl.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
