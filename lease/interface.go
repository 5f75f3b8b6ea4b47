package lease

import (
	"time"

	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/internal/stored"
)

// Client manipulates leases in one namespace of a shared store, and caches
// what it knows of them.
//
// A Client is not safe for concurrent use: calls must be serialised by the
// caller. Every method that takes a lease name or a holder first checks it
// (see [MaxStringLen]), and a [Request] (see [Request.Validate]): an
// argument that breaks the rules is refused with an error matching
// [ErrInvalidArgument], before anything is read or written, whatever the
// store's state; the MongoDB client and the in-memory one (package
// leasetest) refuse the same arguments with the same messages. Errors
// other than [ErrInvalid], [ErrInvalidArgument] and [ErrTimeOutOfRange]
// mean the store could not be used; nothing can be inferred about the
// lease from them. Those matching [ErrUnavailable] say the store could
// not be reached (a write's outcome is then unknown), those matching
// [ErrCorrupt] that it holds a document a person must repair (see
// docs/design.md#store-failures).
type Client interface {
	// ClaimLease records the request's holder as the holder of the named
	// lease, for at least the request's duration from the start of the
	// call. It returns ErrInvalid if the client's view has the lease held,
	// by anyone (including the same holder), and an error matching
	// ErrTimeOutOfRange, writing nothing, if the clock reading or the
	// expiry it would write is outside the store's range.
	ClaimLease(lease string, request Request) error

	// ExtendLease keeps the named lease with its current holder until at
	// least the request's duration from the start of the call. It never
	// shortens the lease. It returns ErrInvalid if the lease is not held,
	// or is held by a holder other than the request's, and an error
	// matching ErrTimeOutOfRange, writing nothing, if the clock reading or
	// the expiry it would write is outside the store's range.
	ExtendLease(lease string, request Request) error

	// ExpireLease releases the named lease once it has expired. It returns
	// ErrInvalid if the lease is not held or might not have expired yet,
	// and an error matching ErrTimeOutOfRange, writing nothing, if the
	// clock reading is outside the store's range.
	ExpireLease(lease string) error

	// Leases returns a snapshot of the client's cached view of every lease
	// in its namespace, keyed by name. It does not read the store. The
	// caller owns the returned map.
	Leases() map[string]Info

	// Refresh reloads the client's cache from the store. An error
	// matching [ErrCorrupt] may come with the cache reloaded for every
	// lease but the corrupt ones (the MongoDB client does so); any other
	// error leaves the cache as it was.
	Refresh() error
}

// Reader is implemented by clients that can report one cached lease without
// copying all of them. A leadership manager uses it, when its client has it,
// so that claims and checks cost the same however many leases there are;
// otherwise it falls back to [Client.Leases].
type Reader interface {
	// Lease returns the cached information about the named lease, and
	// whether the lease is held in the client's view. Like Leases, it does
	// not read the store.
	Lease(name string) (Info, bool)
}

// Revoker is implemented by clients that can end a lease before its expiry.
// A leadership manager uses it, when its client has it, to release a
// unit's leadership at once (as etcd's Resign and Kubernetes'
// ReleaseOnCancel do) instead of letting the lease run out.
type Revoker interface {
	// RevokeLease releases the named lease, which must be held by holder,
	// at once: the lease is no longer held, and any [Info.AssertOp] taken
	// while holder held it now aborts its transaction. Like every write,
	// it records the client's clock. It returns [ErrInvalid] if, in the
	// client's view (refreshed if the store changed under it), holder does
	// not hold the lease; as with the other writes, ErrInvalid is bare.
	// Revoking does not wait for the expiry: it shortens the holder's
	// lease, so only the holder itself should revoke, once it has stopped
	// acting as holder.
	RevokeLease(lease, holder string) error
}

// Info is what a client knows of one held lease.
type Info struct {
	// Holder is the name of the lease's holder.
	Holder string

	// Expiry is the latest time, on the local clock, at which the lease
	// might still be held. The lease may be expired at any time after it.
	Expiry time.Time

	// AssertOp is a transaction operation that aborts the transaction it is
	// part of unless Holder still holds the lease. Putting it in a
	// transaction makes the transaction's writes conditional on the lease,
	// which is what makes leases usable for fencing.
	AssertOp txn.Op

	// Term is the lease's term: a number that rises every time the lease
	// changes holder (a claim after an expiry or a revocation, even by
	// the same holder), never on an extension, and never goes back for a
	// lease, even if its document is removed and made again (see
	// docs/design.md#terms). Terms are at least 1, except 0 for a lease
	// last claimed by a client that does not keep terms (an earlier
	// version of the MongoDB client).
	Term int64

	// TermAssertOp is a transaction operation that aborts the transaction
	// it is part of unless Holder still holds the lease in Term: like
	// AssertOp, it holds across extensions, but once the lease has been
	// released it aborts for good, even after Holder claims the lease
	// again. A client that does not keep terms leaves it zero (C empty).
	TermAssertOp txn.Op
}

// Request describes a claim or an extension of a lease.
type Request struct {
	// Holder names the lease's holder. It must be 1 to [MaxStringLen]
	// bytes of UTF-8 text with no '.', '$', '#', white space or control
	// characters.
	Holder string

	// Duration is how long the lease must be held for, counted from the
	// start of the call. It must be positive, and the expiry it makes must
	// be one the store can hold: no later than
	// 2262-04-11T23:47:16.854775807Z, the last time an int64 of
	// nanoseconds since 1970 counts (see ErrTimeOutOfRange). From a clock
	// in 2026, that allows about 235 years; math.MaxInt64 as "forever" is
	// refused, not stored as a time in the past. Validate cannot check
	// that, since it depends on the time of the call.
	Duration time.Duration
}

// Validate returns an error describing the first problem with r, or nil:
// the holder is checked first, then the duration. The error matches
// [ErrInvalidArgument]; it quotes the holder or the duration and states
// the rule, as in
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
