package leasectl

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/lease"
)

// revokeResult is revoke's JSON output.
type revokeResult struct {
	Namespace string `json:"namespace"`
	Lease     string `json:"lease"`
	Holder    string `json:"holder"`
	Writer    string `json:"writer"`
	Revoked   bool   `json:"revoked"`
}

// revoke removes the lease name if holder still holds it, through
// [lease.Revoker.RevokeLease] of a lease client with the id writer: one
// mgo/txn transaction, on the transaction collection opts.txns, that
// records writer's clock in the clock document and removes the lease
// document if its holder is still holder. Any token taken while holder
// held the lease then fails its assertion. A lease that is not held, or
// that another holder holds, is refused with an error.
//
// So is a writer id that wrote a stored lease, or whose time in the clock
// document is later than env.Clock's: the first is a controller's, and
// writing the operator's time as its clock would move the bound that
// every client keeps on that clock; the second would only make the
// transaction's clock assertion fail, again and again.
func (env Env) revoke(c *conn, opts options, writer, name, holder string) error {
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
	revoker, ok := client.(lease.Revoker)
	if !ok {
		return fmt.Errorf("the lease client (%T) cannot revoke", client)
	}
	err = revoker.RevokeLease(name, holder)
	switch {
	case errors.Is(err, lease.ErrInvalid):
		info, held := client.Leases()[name]
		if !held {
			return fmt.Errorf("refused: lease %q in namespace %q is not held (by %q or anyone): nothing revoked", name, c.namespace, holder)
		}
		return fmt.Errorf("refused: lease %q in namespace %q is held by %q, not %q: nothing revoked", name, c.namespace, info.Holder, holder)
	case err != nil:
		return fmt.Errorf("cannot revoke lease %q held by %q: %w", name, holder, err)
	}
	if opts.json {
		return writeJSON(env.Stdout, revokeResult{Namespace: c.namespace, Lease: name, Holder: holder, Writer: writer, Revoked: true})
	}
	fmt.Fprintf(env.Stdout, "revoked lease %q of %q in namespace %q, as writer %q (now recorded in the clock document)\n",
		name, holder, c.namespace, writer)
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
	var docs []struct {
		Queue []string `bson:"txn-queue"`
	}
	if err := c.db.C(c.coll).Find(bson.M{"namespace": c.namespace}).Select(bson.M{"txn-queue": 1}).All(&docs); err != nil {
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
