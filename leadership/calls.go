package leadership

import (
	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/lease"
)

// The manager's calls of its client: each emits its EventRefresh or
// EventStore (emit), notes what a failure says of the store (noteCall),
// and returns the client's error unchanged.

// clientCall runs do, the client call about lease name (for holder, if a
// write; either may be ""), emits its event and notes its outcome.
func (m *manager) clientCall(call Call, name, holder string, do func() error) error {
	start := m.stamp()
	err := do()
	kind := EventRefresh
	if call.writes() {
		kind = EventStore
	}
	m.emitCall(kind, call, name, holder, start, err)
	m.noteCall(call == CallRefresh, name, call.writes(), err)
	return err
}

// writes reports whether c is one of the calls that write a lease.
func (c Call) writes() bool {
	switch c {
	case CallClaimLease, CallExtendLease, CallExpireLease, CallRevokeLease:
		return true
	}
	return false
}

// refreshAll is the client's Refresh, which abandons a stepped refresh in
// flight; its outcome then ends that refresh's wake (replaceSteps).
func (m *manager) refreshAll() error {
	err := m.clientCall(CallRefresh, "", "", m.client.Refresh)
	m.replaceSteps(err)
	return err
}

// refreshOne is the SingleRefresher's RefreshLease; m.single must be set.
func (m *manager) refreshOne(name string) error {
	return m.clientCall(CallRefreshLease, name, "", func() error { return m.single.RefreshLease(name) })
}

// refreshClocks is the ClockRefresher's RefreshClocks (m.clocks set).
func (m *manager) refreshClocks() error {
	return m.clientCall(CallRefreshClocks, "", "", m.clocks.RefreshClocks)
}

// refreshReleases is the ReleaseWatcher's RefreshReleases (m.watcher set).
func (m *manager) refreshReleases() error {
	return m.clientCall(CallRefreshReleases, "", "", m.watcher.RefreshReleases)
}

// claimLease is the client's ClaimLease.
func (m *manager) claimLease(name string, request lease.Request) error {
	return m.clientCall(CallClaimLease, name, request.Holder, func() error { return m.client.ClaimLease(name, request) })
}

// extendLease is the client's ExtendLease.
func (m *manager) extendLease(name string, request lease.Request) error {
	return m.clientCall(CallExtendLease, name, request.Holder, func() error { return m.client.ExtendLease(name, request) })
}

// expireLease is the client's ExpireLease.
func (m *manager) expireLease(name string) error {
	return m.clientCall(CallExpireLease, name, "", func() error { return m.client.ExpireLease(name) })
}

// revokeLease is the Revoker's RevokeLease; m.revoker must be set.
func (m *manager) revokeLease(name, holder string) error {
	return m.clientCall(CallRevokeLease, name, holder, func() error { return m.revoker.RevokeLease(name, holder) })
}

// applyLeases is the Batcher's ApplyLeases (m.batcher set). Each op has
// its EventStore, named after its single-lease method, with the
// transaction's duration and Batch = len(ops). An answer of the wrong
// length fails the store (errBatchAnswer): every outcome is unknown.
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
