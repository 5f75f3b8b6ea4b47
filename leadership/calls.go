package leadership

import (
	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/lease"
)

// The manager's calls of its client, each emitting its EventRefresh or
// EventStore with its duration on the manager's clock (see emit), and
// noting what a failure says of the store (see noteCall). They return the
// client's error unchanged.

// refreshAll is the client's Refresh.
func (m *manager) refreshAll() error {
	start := m.stamp()
	err := m.client.Refresh()
	m.emitCall(EventRefresh, CallRefresh, "", "", start, err)
	m.noteCall(true, "", false, err)
	return err
}

// refreshOne is the SingleRefresher's RefreshLease; m.single must be set.
func (m *manager) refreshOne(name string) error {
	start := m.stamp()
	err := m.single.RefreshLease(name)
	m.emitCall(EventRefresh, CallRefreshLease, name, "", start, err)
	m.noteCall(false, name, false, err)
	return err
}

// refreshClocks is the ClockRefresher's RefreshClocks; m.clocks must be
// set.
func (m *manager) refreshClocks() error {
	start := m.stamp()
	err := m.clocks.RefreshClocks()
	m.emitCall(EventRefresh, CallRefreshClocks, "", "", start, err)
	m.noteCall(false, "", false, err)
	return err
}

// refreshReleases is the ReleaseWatcher's RefreshReleases; m.watcher
// must be set.
func (m *manager) refreshReleases() error {
	start := m.stamp()
	err := m.watcher.RefreshReleases()
	m.emitCall(EventRefresh, CallRefreshReleases, "", "", start, err)
	m.noteCall(false, "", false, err)
	return err
}

// claimLease is the client's ClaimLease.
func (m *manager) claimLease(name string, request lease.Request) error {
	start := m.stamp()
	err := m.client.ClaimLease(name, request)
	m.emitCall(EventStore, CallClaimLease, name, request.Holder, start, err)
	m.noteCall(false, name, true, err)
	return err
}

// extendLease is the client's ExtendLease.
func (m *manager) extendLease(name string, request lease.Request) error {
	start := m.stamp()
	err := m.client.ExtendLease(name, request)
	m.emitCall(EventStore, CallExtendLease, name, request.Holder, start, err)
	m.noteCall(false, name, true, err)
	return err
}

// expireLease is the client's ExpireLease.
func (m *manager) expireLease(name string) error {
	start := m.stamp()
	err := m.client.ExpireLease(name)
	m.emitCall(EventStore, CallExpireLease, name, "", start, err)
	m.noteCall(false, name, true, err)
	return err
}

// revokeLease is the Revoker's RevokeLease; m.revoker must be set.
func (m *manager) revokeLease(name, holder string) error {
	start := m.stamp()
	err := m.revoker.RevokeLease(name, holder)
	m.emitCall(EventStore, CallRevokeLease, name, holder, start, err)
	m.noteCall(false, name, true, err)
	return err
}

// applyLeases is the Batcher's ApplyLeases; m.batcher must be set. Each
// op has its EventStore, named after its single-lease method, with the
// transaction's duration and Batch set to len(ops), and its outcome
// noted as a write of its lease. A client that answers with a slice of
// the wrong length has failed the store (errBatchAnswer): every op's
// outcome is unknown.
func (m *manager) applyLeases(ops []lease.Op) []error {
	start := m.stamp()
	errs := m.batcher.ApplyLeases(ops)
	if len(errs) != len(ops) {
		err := errors.Annotatef(errBatchAnswer, "ApplyLeases returned %d errors for %d ops", len(errs), len(ops))
		errs = make([]error, len(ops))
		for i := range errs {
			errs[i] = err
		}
	}
	for i, op := range ops {
		m.emitOp(op, len(ops), i > 0, start, errs[i])
		m.noteCall(false, op.Lease, true, errs[i])
	}
	return errs
}

// opCall returns the name of the single-lease method that kind stands for.
func opCall(kind lease.OpKind) Call {
	switch kind {
	case lease.OpClaim:
		return CallClaimLease
	case lease.OpExtend:
		return CallExtendLease
	case lease.OpExpire:
		return CallExpireLease
	}
	return CallRevokeLease
}
