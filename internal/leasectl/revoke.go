package leasectl

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/mgoread"
	"github.com/seed07a61904/leadership/lease"
)

// revokeResult is revoke's JSON output.
type revokeResult struct {
	Namespace string `json:"namespace"`
	Lease     string `json:"lease"`
	Holder    string `json:"holder"`
	Writer    string `json:"writer"`
	Revoked   bool   `json:"revoked"`
	Forced    bool   `json:"forced"`
	// MayLeadUntil is, after -force, the latest time on the operator's
	// clock at which the lease might still have been in force, and the
	// holder might still act as leader; nil if it had run out.
	MayLeadUntil *time.Time `json:"holder_may_lead_until"`
}

// revokeOptions are revoke's flags and arguments.
type revokeOptions struct {
	force, wait  bool
	name, holder string
}

// parseRevoke parses revoke's arguments: [-force | -wait] LEASE HOLDER.
func parseRevoke(args []string) (revokeOptions, error) {
	fs := flag.NewFlagSet("revoke", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var r revokeOptions
	fs.BoolVar(&r.force, "force", false, "remove the lease even if it may still be in force")
	fs.BoolVar(&r.wait, "wait", false, "wait until the lease has run out, then remove it")
	if err := fs.Parse(args); err != nil {
		return r, usagef("revoke: %v", err)
	}
	for _, arg := range fs.Args() {
		if name := strings.TrimLeft(arg, "-"); arg != name && fs.Lookup(strings.SplitN(name, "=", 2)[0]) != nil {
			return r, usagef("flag %s after revoke's arguments: it goes before them (leasectl ... revoke %s LEASE HOLDER)", arg, arg)
		}
	}
	switch {
	case fs.NArg() != 2:
		return r, usagef("revoke takes LEASE HOLDER, got %d arguments %q", fs.NArg(), fs.Args())
	case r.force && r.wait:
		return r, usagef("revoke takes -force or -wait, not both: -wait removes the lease once it has run out, -force at once")
	}
	r.name, r.holder = fs.Arg(0), fs.Arg(1)
	return r, nil
}

// revoke removes the lease r.name if r.holder holds it, through a lease
// client with the id writer (whose clock, env.Clock, the write records in
// the clock document), on the transaction collection opts.txns, so that
// any token taken while the holder held the lease then fails its
// assertion. A lease that is not held, or that another holder holds, is
// refused with an error.
//
// Without r.force, the lease is removed only once it has run out by the
// bounds every lease client keeps (its Info.Expiry, the latest time on
// env.Clock at which its writer's clock may not have reached its expiry),
// through [lease.Client.ExpireLease], the same transaction by which any
// controller's client would remove it: the holder may act as leader until
// then, and removing it sooner could let another unit lead beside it. A
// lease that may still be in force is refused; with r.wait, revoke waits
// (on env.Clock) until it has run out, and refuses if it is renewed
// meanwhile. With r.force, it is removed at once through
// [lease.Revoker.RevokeLease], and a warning on env.Stderr says until when
// the holder may still act as leader.
//
// A writer id that wrote a stored lease, or whose time in the clock
// document is later than env.Clock's, is refused too: the first is a
// controller's, and writing the operator's time as its clock would move
// the bound that every client keeps on that clock; the second would only
// make the transaction's clock assertion fail, again and again.
func (env Env) revoke(ctx context.Context, c *conn, opts options, writer string, r revokeOptions) error {
	snap, err := c.inspect(env.Clock)
	if err != nil {
		return fmt.Errorf("cannot read namespace %q: %w", c.namespace, err)
	}
	if !snap.HasClock {
		// A lease client would create it, and then refuse the leases,
		// whose writers it does not list.
		return fmt.Errorf("refused: namespace %q has leases but no clock document, so no lease client can use it: nothing revoked", c.namespace)
	}
	if err := c.checkTxns(); err != nil {
		return err
	}
	for _, l := range snap.Leases {
		if l.Writer == writer {
			return fmt.Errorf("refused: writer %q wrote lease %q: it is a lease client in use, and leasectl must write as an id of its own (-writer): nothing revoked", writer, l.Name)
		}
	}
	if w, ok := snap.Writer(writer); ok {
		if now := env.Clock.Now(); w.LastWrite.After(now) {
			return fmt.Errorf("refused: the clock document records writer %q at %s, later than your clock's %s, and a writer's time must not go back: use another -writer, or fix this host's clock: nothing revoked",
				writer, w.LastWrite.UTC().Format(time.RFC3339Nano), now.UTC().Format(time.RFC3339Nano))
		}
	}
	client, err := lease.NewClient(lease.ClientConfig{
		Id:         writer,
		Namespace:  c.namespace,
		Collection: c.coll,
		Mongo:      c.mongo,
		Clock:      env.Clock,
	})
	if err != nil {
		return fmt.Errorf("cannot open namespace %q as writer %q: %w", c.namespace, writer, err)
	}
	if r.force {
		return env.forceRevoke(c, opts, writer, r, client)
	}
	if err := env.awaitRunOut(ctx, c, r, client, snap); err != nil {
		return err
	}
	err = client.ExpireLease(r.name)
	if errors.Is(err, lease.ErrInvalid) {
		// The store changed since the client read it: say how.
		if err := client.Refresh(); err != nil {
			return fmt.Errorf("cannot read namespace %q again: %w", c.namespace, err)
		}
		if _, err := heldBy(client, c.namespace, r.name, r.holder); err != nil {
			return err
		}
		return renewedError(c.namespace, r.name, r.holder)
	}
	if err != nil {
		return fmt.Errorf("cannot revoke lease %q held by %q: %w", r.name, r.holder, err)
	}
	if opts.json {
		return writeJSON(env.Stdout, revokeResult{Namespace: c.namespace, Lease: r.name, Holder: r.holder, Writer: writer, Revoked: true})
	}
	fmt.Fprintf(env.Stdout, "revoked lease %q of %q in namespace %q, as writer %q (now recorded in the clock document); it had run out, so %s no longer leads\n",
		r.name, r.holder, c.namespace, writer, r.holder)
	return nil
}

// checkTxns returns an error unless the transactions named in the
// txn-queue fields of the namespace's documents (mgo/txn's tokens,
// "<transaction id in hex>_<nonce>") are in the -txns collection. A
// transaction run through another collection would leave, in those
// documents, a token that the lease clients' runner cannot find: every
// later transaction on them, claims and fenced writes included, would
// then fail with "cannot find transaction". If no document holds a
// token, there is nothing to check.
func (c *conn) checkTxns() error {
	docs, err := mgoread.All[struct {
		Queue []string `bson:"txn-queue"`
	}](c.db.C(c.coll), mgoread.Query{Filter: bson.M{"namespace": c.namespace}, Projection: bson.M{"txn-queue": 1}})
	if err != nil {
		return fmt.Errorf("cannot read the transaction queues of namespace %q: %w", c.namespace, err)
	}
	var ids []bson.ObjectId
	for _, d := range docs {
		for _, token := range d.Queue {
			if i := strings.IndexByte(token, '_'); i == 24 && bson.IsObjectIdHex(token[:i]) {
				ids = append(ids, bson.ObjectIdHex(token[:i]))
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	n, err := c.db.C(c.txns).Find(bson.M{"_id": bson.M{"$in": ids}}).Count()
	if err != nil {
		return fmt.Errorf("cannot read transaction collection %q: %w", c.txns, err)
	}
	if n == 0 {
		return fmt.Errorf("refused: the transactions of namespace %q are not in -txns collection %q: a revoke through it would stop every lease client's transactions on these documents (give the collection the lease clients use): nothing revoked", c.namespace, c.txns)
	}
	return nil
}
