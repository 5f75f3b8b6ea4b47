package safety_test

import "github.com/seed07a61904/leadership/lease"

var _ lease.ReleaseWatcher = (*recordingClient)(nil)

// RefreshReleases and Releases pass the count of releases on to the
// MongoDB client, so that the managers follow releases made through the
// other nodes (re-reading the leases their units wait on) as they do in
// production. A read that fails is recorded as RefreshClocks's are.
func (c *recordingClient) RefreshReleases() error {
	err := c.inner.(lease.ReleaseWatcher).RefreshReleases()
	if err != nil {
		c.w.record(rec{node: c.node.index, op: "client-refresh-releases", result: describe(err)})
	}
	return wrap(err)
}

// Releases is part of the lease.ReleaseWatcher interface.
func (c *recordingClient) Releases() int64 {
	return c.inner.(lease.ReleaseWatcher).Releases()
}
