package lease

// SingleRefresher is implemented by clients that can bring one lease up to
// date without reading every lease in the namespace. A leadership manager
// uses it, when its client has it, so that a check that misses, a claim it
// denies, a block and the expiry of one lease read only that lease and
// what they need to judge it; otherwise it falls back to
// [Client.Refresh].
type SingleRefresher interface {
	// RefreshLease reloads the named lease from the store into the
	// client's cache (held or not), and with it what the client knows of
	// the other writers' clocks, exactly as [Client.Refresh] would for
	// that lease. The other leases in the cache are left as they were.
	// Its cost does not depend on how many leases the namespace holds.
	// On error (an invalid name; a corrupt document or a lease whose
	// writer has no clock data, matching [ErrCorrupt]; a store that could
	// not be reached, matching [ErrUnavailable]; or a clock reading the
	// store cannot hold, matching [ErrTimeOutOfRange]) the cache is
	// unchanged.
	RefreshLease(name string) error
}

// ClockRefresher is implemented by clients whose view of the other
// writers' clocks comes from reading the store, as the MongoDB client's
// does from its clock documents. A leadership manager calls it often,
// when its client has it, because a client bounds another writer's clock
// by the first read that observed that writer's latest write: the sooner
// that read follows the write, the sooner the writer's leases can be
// expired once it has stopped writing (see docs/design.md#failover).
type ClockRefresher interface {
	// RefreshClocks reads what the store records of every writer's clock,
	// and updates the client's [Skew]s as [Client.Refresh] would, without
	// reading any lease. It costs one read of a few small documents (the
	// MongoDB client's clock documents: one query, one document per
	// writer). On error (a corrupt clock document, or a missing shared
	// one, matching [ErrCorrupt]; a
	// store that could not be reached, matching [ErrUnavailable]; or a
	// clock reading the store cannot hold, matching [ErrTimeOutOfRange])
	// the cache is unchanged.
	RefreshClocks() error
}

// ReleaseWatcher is implemented by clients that count, in the store, the
// leases released in their namespace (revoked or expired), so that a
// leadership manager can learn of a release made through another client
// with one small read, however many leases the namespace holds, and then
// read again only the leases that someone is waiting on (see
// docs/design.md#releases). The MongoDB client keeps the count in each
// writer's clock document, which every transaction of that writer writes
// already, and sums them.
type ReleaseWatcher interface {
	// RefreshReleases reads the store's count of releases. It costs one
	// read of a few small documents; the MongoDB client reads its clock
	// documents, and updates its [Skew]s as [ClockRefresher.RefreshClocks]
	// does. On error the cache is unchanged.
	RefreshReleases() error

	// Releases returns the count of releases as of the client's latest
	// read of it: by RefreshReleases, or by any other read of the store
	// that reads the count too (the MongoDB client's Refresh,
	// RefreshLease and RefreshClocks, which read the clock documents). It
	// does not read the store, and is zero before the first read. Only a
	// change of the count means something: it grows by one with each
	// release written by a client that counts them, but it starts again
	// from zero if the store's record is replaced, and releases written
	// by clients that do not count them (older versions) leave it as it
	// is.
	Releases() int64
}
