package lease

import (
	"time"

	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/internal/stored"
)

// Client manipulates leases in one namespace of a shared store, and caches
// what it knows of them. It is not safe for concurrent use.
//
// Every method first checks its lease name or holder ([MaxStringLen]) and
// [Request] ([Request.Validate]), refusing a bad one with
// [ErrInvalidArgument] before anything is read or written; every store
// refuses the same arguments with the same messages. Errors other than
// [ErrInvalid], [ErrInvalidArgument] and [ErrTimeOutOfRange] say the store
// could not be used ([ErrUnavailable]: a write's outcome is unknown;
// [ErrCorrupt]: a document needs repair) and nothing of the lease.
type Client interface {
	// ClaimLease records the request's holder as the holder of the named
	// lease, for at least the request's duration from the start of the
	// call. It returns ErrInvalid if the client's view has the lease held
	// by anyone (the same holder too), and ErrTimeOutOfRange, writing
	// nothing, if the clock reading or expiry is out of the store's range.
	ClaimLease(lease string, request Request) error

	// ExtendLease keeps the named lease with its current holder until at
	// least the request's duration from the start of the call; it never
	// shortens it. It returns ErrInvalid if the lease is not held by the
	// request's holder, and ErrTimeOutOfRange as ClaimLease does.
	ExtendLease(lease string, request Request) error

	// ExpireLease releases the named lease once it has expired. It returns
	// ErrInvalid if the lease is not held or might not have expired, and
	// ErrTimeOutOfRange if the clock reading is out of range.
	ExpireLease(lease string) error

	// Leases returns a snapshot of the cached view of every lease, by
	// name, which the caller owns. It does not read the store.
	Leases() map[string]Info

	// Refresh reloads the cache from the store. An error matching
	// [ErrCorrupt] may come with every other lease reloaded; any other
	// error leaves the cache as it was.
	Refresh() error
}

// Reader is implemented by clients that can report one cached lease without
// copying all of them, so a leadership manager's claims and checks cost the
// same however many leases there are.
type Reader interface {
	// Lease returns the cached information about the named lease, and
	// whether it is held in the client's view. It does not read the store.
	Lease(name string) (Info, bool)
}

// Revoker is implemented by clients that can end a lease before its expiry,
// so a leadership manager can release a unit's leadership at once.
type Revoker interface {
	// RevokeLease releases the named lease, held by holder, at once: any
	// [Info.AssertOp] taken while holder held it now aborts. Like every
	// write, it records the client's clock. It returns [ErrInvalid] (bare)
	// if, in the client's view (refreshed if the store changed under it),
	// holder does not hold the lease. It shortens the holder's lease, so
	// only the holder should revoke, once it has stopped acting as holder.
	RevokeLease(lease, holder string) error
}

// Info is what a client knows of one held lease.
type Info struct {
	// Holder is the name of the lease's holder.
	Holder string

	// Expiry is the latest time, on the local clock, at which the lease
	// might still be held; it may be expired at any time after.
	Expiry time.Time

	// AssertOp is a transaction operation that aborts its transaction
	// unless Holder still holds the lease: what makes leases usable for
	// fencing.
	AssertOp txn.Op

	// Term rises every time the lease changes holder (even to the same
	// holder), never on an extension, and never goes back, even if its
	// document is removed and made again (docs/design.md#terms). At least
	// 1, or 0 for a lease last claimed by a client that keeps no terms.
	Term int64

	// TermAssertOp aborts its transaction unless Holder still holds the
	// lease in Term: it holds across extensions, but aborts for good once
	// the lease is released. Zero (C empty) from a client without terms.
	TermAssertOp txn.Op
}

// Request describes a claim or an extension of a lease.
type Request struct {
	// Holder names the lease's holder: 1 to [MaxStringLen] bytes of UTF-8
	// with no '.', '$', '#', white space or control characters.
	Holder string

	// Duration is how long the lease must be held, from the start of the
	// call. It must be positive, and the expiry it makes no later than
	// 2262-04-11T23:47:16.854775807Z (see ErrTimeOutOfRange): about 235
	// years from 2026, so math.MaxInt64 as "forever" is refused. Validate
	// cannot check the expiry, which depends on the time of the call.
	Duration time.Duration
}

// Validate returns an error matching [ErrInvalidArgument] for the first
// problem with r (holder, then duration), or nil. It quotes the value and
// states the rule:
//
//	invalid holder "redis 0": white space U+0020 at byte 5 (use "redis-0"
//	instead); a holder must be 1 to 256 bytes of UTF-8 text with no '.',
//	'$', '#', white space or control characters
func (r Request) Validate() error {
	if err := checkString("holder", r.Holder); err != nil {
		return err
	}
	if r.Duration <= 0 {
		return stored.Invalidf("invalid duration %v: must be positive", r.Duration)
	}
	return nil
}
