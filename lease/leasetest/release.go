package leasetest

import "github.com/seed07a61904/leadership/internal/stored"

// RefreshReleases is part of the [lease.ReleaseWatcher] interface: it
// reads the store's count of the leases expired or revoked through any of
// its clients, as the MongoDB client reads it from its clock document, so
// that a leadership manager on this client releases its waiters soon after
// another client's release, as it would on MongoDB. Like Refresh, it
// fails, changing nothing, if the clock reads a time outside the store's
// range (an error matching [lease.ErrTimeOutOfRange]) or while the store
// is stopped (an error matching [lease.ErrUnavailable], see
// [Store.Stop]), and never otherwise.
func (c *Client) RefreshReleases() error {
	if err := stored.CheckClockReading(c.store.clock.Now(), c.id); err != nil {
		return err
	}
	if err := c.store.reach(); err != nil {
		return err
	}
	c.store.mu.Lock()
	defer c.store.mu.Unlock()
	c.releases = c.store.releases
	return nil
}

// Releases is part of the [lease.ReleaseWatcher] interface: the store's
// count of releases at the client's last RefreshReleases.
func (c *Client) Releases() int64 {
	return c.releases
}
