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
// does from its clock document. A leadership manager calls it often,
// when its client has it, because a client bounds another writer's clock
// by the first read that observed that writer's latest write: the sooner
// that read follows the write, the sooner the writer's leases can be
// expired once it has stopped writing (see docs/design.md#failover).
type ClockRefresher interface {
	// RefreshClocks reads what the store records of every writer's clock,
	// and updates the client's [Skew]s as [Client.Refresh] would, without
	// reading any lease. It costs one read of one small document. On
	// error (a corrupt or missing clock document, matching [ErrCorrupt]; a
	// store that could not be reached, matching [ErrUnavailable]; or a
	// clock reading the store cannot hold, matching [ErrTimeOutOfRange])
	// the cache is unchanged.
	RefreshClocks() error
}
