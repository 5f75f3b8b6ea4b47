package leasectl

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seed07a61904/leadership/lease"
)

// awaitRunOut returns nil once lease r.name, held by r.holder, has run
// out in client's view: env.Clock has passed its Info.Expiry, the latest
// local time at which its writer's clock might not yet show its expiry.
// Until then its holder may act as leader. If it has not run out,
// awaitRunOut refuses with an error, or, with r.wait, waits on env.Clock
// until it has, reading the namespace again then (a writer that stays
// silent keeps the bound of the first read, as any lease client keeps
// it). It refuses a lease that is renewed meanwhile (its stored expiry or
// writer differs from snap's, the first read's), or that is no longer
// held by r.holder, and it gives up when ctx is done.
func (env Env) awaitRunOut(ctx context.Context, c *conn, r revokeOptions, client lease.Client, snap lease.Snapshot) error {
	first, _ := storedLease(snap, r.name)
	waiting := false
	for {
		info, err := heldBy(client, c.namespace, r.name, r.holder)
		if err != nil {
			return err
		}
		now := env.Clock.Now()
		if runOut(info, now) {
			return nil
		}
		wake := info.Expiry.Add(time.Nanosecond)
		if !r.wait || !wake.After(info.Expiry) {
			return inForceError(c.namespace, r.name, r.holder, info.Expiry, now)
		}
		if !waiting {
			fmt.Fprintf(env.Stderr, "leasectl: lease %q of %q may be in force until %s on your clock (at most %s from now): waiting until it has run out (Ctrl-C to stop)\n",
				r.name, r.holder, info.Expiry.UTC().Format(timeFormat), duration(secondsUp(info.Expiry.Sub(now))))
			waiting = true
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("interrupted while waiting for lease %q of %q to run out: nothing revoked", r.name, r.holder)
		case <-env.Clock.Alarm(wake):
		}
		if err := client.Refresh(); err != nil {
			return fmt.Errorf("cannot read namespace %q again: %w", c.namespace, err)
		}
		again, err := c.inspect(env.Clock)
		if err != nil {
			return fmt.Errorf("cannot read namespace %q again: %w", c.namespace, err)
		}
		if l, ok := storedLease(again, r.name); ok && l.Holder == r.holder && (!l.Expiry.Equal(first.Expiry) || l.Writer != first.Writer) {
			return renewedError(c.namespace, r.name, r.holder)
		}
	}
}

// runOut reports whether a lease whose client view is info has run out at
// now, on the same clock: whether now is after info.Expiry, which is when
// a lease client may expire it.
func runOut(info lease.Info, now time.Time) bool {
	return now.After(info.Expiry)
}

// heldBy returns client's view of lease name, or the refusal to give if
// holder does not hold it.
func heldBy(client lease.Client, namespace, name, holder string) (lease.Info, error) {
	info, held := client.Leases()[name]
	switch {
	case !held:
		return info, fmt.Errorf("refused: lease %q in namespace %q is not held (by %q or anyone): nothing revoked", name, namespace, holder)
	case info.Holder != holder:
		return info, fmt.Errorf("refused: lease %q in namespace %q is held by %q, not %q: nothing revoked", name, namespace, info.Holder, holder)
	}
	return info, nil
}

// storedLease returns the lease name of snap, and whether snap has it.
func storedLease(snap lease.Snapshot, name string) (lease.StoredLease, bool) {
	for _, l := range snap.Leases {
		if l.Name == name {
			return l, true
		}
	}
	return lease.StoredLease{}, false
}

// inForceError is the refusal to revoke lease name of holder, which may
// be in force until expiresBy, at now, both on the operator's clock.
func inForceError(namespace, name, holder string, expiresBy, now time.Time) error {
	return fmt.Errorf("refused: lease %q of %q in namespace %q may be in force until %s on your clock (at most %s from now): "+
		"%s may act as leader until then, and removing the lease sooner could let another unit lead beside it. "+
		"Run revoke -wait to remove it once it has run out (refused if it is renewed meanwhile, a sign that %s is alive), "+
		"or stop %s and then run revoke -force: nothing revoked",
		name, holder, namespace, expiresBy.UTC().Format(timeFormat), duration(secondsUp(expiresBy.Sub(now))),
		holder, holder, holder)
}

// renewedError is the refusal to revoke lease name of holder, which its
// holder's controller renewed.
func renewedError(namespace, name, holder string) error {
	return fmt.Errorf("refused: lease %q of %q in namespace %q was renewed since leasectl first read it: "+
		"%s is alive and may act as leader. Stop %s (or let it resign) and then run revoke -force: nothing revoked",
		name, holder, namespace, holder, holder)
}

// forceRevoke removes lease r.name at once if r.holder still holds it,
// through client's [lease.Revoker.RevokeLease], whatever its expiry (a
// renewal since the client read it makes the client read it again and
// revoke what r.holder then holds), and warns on env.Stderr if the lease
// might still have been in force: until then, the holder may still act as
// leader.
func (env Env) forceRevoke(c *conn, opts options, writer string, r revokeOptions, client lease.Client) error {
	revoker, ok := client.(lease.Revoker)
	if !ok {
		return fmt.Errorf("the lease client (%T) cannot revoke", client)
	}
	info, err := heldBy(client, c.namespace, r.name, r.holder)
	if err != nil {
		return err
	}
	err = revoker.RevokeLease(r.name, r.holder)
	switch {
	case errors.Is(err, lease.ErrInvalid):
		_, err := heldBy(client, c.namespace, r.name, r.holder)
		if err == nil {
			err = fmt.Errorf("refused: lease %q in namespace %q changed during the revoke: nothing revoked", r.name, c.namespace)
		}
		return err
	case err != nil:
		return fmt.Errorf("cannot revoke lease %q held by %q: %w", r.name, r.holder, err)
	}
	result := revokeResult{Namespace: c.namespace, Lease: r.name, Holder: r.holder, Writer: writer, Revoked: true, Forced: true}
	now := env.Clock.Now()
	if !runOut(info, now) {
		until := info.Expiry.UTC()
		result.MayLeadUntil = &until
		fmt.Fprintf(env.Stderr, "leasectl: warning: -force removed lease %q while it may still be in force, until %s on your clock (at most %s from now): "+
			"until then %s may still act as leader (its tracker and CheckLeadership may still say it leads) while another unit is granted the lease; "+
			"only the writes fenced by its token (Token.AssertOps, lease.Info.AssertOp) fail from now on\n",
			r.name, until.Format(timeFormat), duration(secondsUp(info.Expiry.Sub(now))), r.holder)
	}
	if opts.json {
		return writeJSON(env.Stdout, result)
	}
	fmt.Fprintf(env.Stdout, "revoked lease %q of %q in namespace %q, as writer %q (now recorded in the clock document)\n",
		r.name, r.holder, c.namespace, writer)
	return nil
}
