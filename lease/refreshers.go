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

// StepRefresher is implemented by clients that can read every lease in
// steps, so that a leadership manager serves requests between two instead
// of waiting for a whole [Client.Refresh]. At most one such refresh is in
// flight per client; the client stays usable while it is.
type StepRefresher interface {
	// BeginRefresh starts a full refresh and returns it, reading nothing:
	// the first [RefreshSteps.Step] does. A step reads at most batch
	// lease documents (batch ≤ 0, or above the client's own bound, means
	// the client's own: the MongoDB client's is 1,000, one reply of the
	// store). A refresh already in flight is abandoned, as by
	// [RefreshSteps.Close]; so is one in flight when Refresh is called.
	BeginRefresh(batch int) RefreshSteps
}

// RefreshSteps is one full refresh begun by [StepRefresher.BeginRefresh].
//
// Until its last step the cache is the one before it began, plus whatever
// the client's own writes and single-lease reads (RefreshLease,
// RefreshClocks, RefreshReleases, rereads after aborts) change meanwhile,
// which the client may run between steps. The last step replaces the
// cache at once, as Refresh does, except that every lease the client
// wrote or read alone since BeginRefresh keeps its entry (held, released
// or absent), and the term floor only rises: the cache never goes back on
// what the client learned after the refresh began
// (docs/design.md#stepped-refreshes).
type RefreshSteps interface {
	// Step reads the next part of the refresh and reports whether the
	// refresh is over, which it is whenever err is not nil. The last step
	// reads the clock documents too and installs the cache; it returns
	// nil, or an error matching [ErrCorrupt] with every other lease
	// installed, as Refresh does. Any other error ([ErrUnavailable],
	// [ErrTimeOutOfRange], [ErrCorrupt] for a clock document) abandons
	// the refresh, leaving the cache as it was. Once the refresh is over,
	// or abandoned by Close, BeginRefresh or Refresh, Step changes
	// nothing and returns true and [ErrRefreshAbandoned].
	Step() (done bool, err error)

	// Close abandons the refresh if it is still in flight, releasing
	// what it holds in the store (the MongoDB client's cursor) and
	// leaving the cache as it was. It does nothing if the refresh is
	// over; it may be called more than once.
	Close()
}
