package lease

// SingleRefresher is implemented by clients that can bring one lease up to
// date without reading every lease, so a leadership manager's miss,
// denial, block and expiry of one lease read only that lease.
type SingleRefresher interface {
	// RefreshLease reloads the named lease (held or not), with the other
	// writers' clocks, into the cache as [Client.Refresh] would, leaving
	// the other leases as they were, at a cost independent of their
	// number. On error ([ErrInvalidArgument], [ErrCorrupt],
	// [ErrUnavailable], [ErrTimeOutOfRange]) the cache is unchanged.
	RefreshLease(name string) error
}

// ClockRefresher is implemented by clients whose view of the other
// writers' clocks comes from reading the store. A leadership manager calls
// it often: the sooner a read follows a writer's last write, the sooner a
// dead writer's leases can be expired (docs/design.md#failover).
type ClockRefresher interface {
	// RefreshClocks updates the client's [Skew]s as [Client.Refresh]
	// would, reading no lease: one small read (the MongoDB client's clock
	// documents, one query). On error ([ErrCorrupt], [ErrUnavailable],
	// [ErrTimeOutOfRange]) the cache is unchanged.
	RefreshClocks() error
}

// ReleaseWatcher is implemented by clients that count, in the store, the
// releases (revocations, expiries) in their namespace, so a leadership
// manager learns of one made elsewhere with one small read and reads again
// only the leases someone waits on (docs/design.md#releases).
type ReleaseWatcher interface {
	// RefreshReleases reads the store's count of releases in one small
	// read (the MongoDB client's clock documents, updating its [Skew]s
	// too). On error the cache is unchanged.
	RefreshReleases() error

	// Releases returns the count as of the client's latest read of it
	// (RefreshReleases, or any read that reads it too), zero before. It
	// does not read the store. Only a change means something: it grows by
	// one per counted release, but restarts if the store's record is
	// replaced, and older versions' releases are not counted.
	Releases() int64
}
