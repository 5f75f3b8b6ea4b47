package leasetest

import (
	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/lease"
)

// Stop puts the store down, as a database that stops or becomes
// unreachable (the embedded test server's Stop does the same): until
// [Store.Restart], every call of every client that would reach the store
// (ClaimLease, ExtendLease, ExpireLease, RevokeLease, Refresh,
// RefreshLease, RefreshReleases, and Store.NewClient) fails with an error matching
// [lease.ErrUnavailable] and changes nothing. A client's Leases and Lease
// read its cache, and keep answering from it. The leases are kept, and
// time goes on: a lease runs out while the store is down as it would
// while it is up. Stopping a stopped store does nothing.
//
// With a leadership manager on the store, calls meanwhile return errors
// matching lease.ErrUnavailable, the manager backs off and keeps running,
// and it reads every lease again once the store is back; a tracker counts
// itself a minion once its term ends, and leads again after Restart.
func (s *Store) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = true
}

// Restart brings a stopped store back, with the leases it held; calls
// work again at once. Restarting a running store does nothing.
func (s *Store) Restart() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = false
}

// errStopped is the cause of the error of every call to a stopped store.
var errStopped = errors.Annotate(lease.ErrUnavailable, "leasetest: store stopped")

// reach returns the error a call that reaches the store fails with while
// it is stopped (see Stop), and nil while it runs.
func (s *Store) reach() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return errStopped
	}
	return nil
}
