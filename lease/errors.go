package lease

import (
	"errors"

	"github.com/seed07a61904/leadership/internal/stored"
)

// The errors a client returns that callers may test for, with errors.Is.
// [Batcher.ApplyLeases] answers each of its ops with the error that the
// op's single-lease method would have returned.

// ErrInvalid is returned by [Client.ClaimLease], [Client.ExtendLease],
// [Client.ExpireLease] and [Revoker.RevokeLease] (and for an op of
// [Batcher.ApplyLeases]) when the operation is not
// possible in the state the client knows of: the lease is held by someone
// else, is not held at all, or has not yet expired. When the store changed under the client, the client
// has already refreshed that lease in its cache before returning
// ErrInvalid, so its [Client.Leases] tell the caller what happened to it.
//
// ErrInvalid is always returned bare, so it can be compared with == as well
// as with errors.Is.
var ErrInvalid = errors.New("invalid lease operation")

// ErrExcessiveContention is returned (possibly annotated; check with
// errors.Is) by [NewClient], [Client.ClaimLease], [Client.ExtendLease],
// [Client.ExpireLease] and [Revoker.RevokeLease] when every attempt at the
// operation's transaction was aborted because the store kept changing. Nothing is known of the
// lease's state; the operation may be tried again.
var ErrExcessiveContention = errors.New("state changing too quickly; try again soon")

// ErrTimeOutOfRange is returned, wrapped (check with errors.Is), by
// [Client.ClaimLease], [Client.ExtendLease], [Client.ExpireLease],
// [Client.Refresh] and [NewClient] when a time that the operation would
// write, or that it computes from, cannot be stored. The store keeps times
// as int64 nanoseconds since the Unix epoch, so it holds times from
// 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z; a time
// outside that would be stored silently as another one (time.Time.UnixNano
// overflows), and a lease claimed until 2300 would look expired since
// 1700. The times checked are the clock reading the operation starts from
// (recorded in its clock document by every write, and taken around the
// read of a refresh) and the expiry a claim or an extension would write
// (the clock reading plus the request's duration, or, for an extension,
// the latest time the lease's last writer might still consider it held,
// if that is later). Nothing is written when it is returned, and the
// client's cache is unchanged.
//
// The message names the time and what it is, for example:
//
//	expiry 2276-09-29T00:00:00Z of lease "redis" (clock reading
//	2026-11-29T00:00:00Z plus 2190000h0m0s) out of range: the store holds
//	times from 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z
//
// A stored time that is out of range, or that no client could have
// written, makes the document corrupt: that error does not match
// ErrTimeOutOfRange.
var ErrTimeOutOfRange = stored.ErrTimeOutOfRange

// ErrInvalidArgument is matched, with errors.Is, by the error that
// [NewClient] (through [ClientConfig.Validate]), [Client.ClaimLease],
// [Client.ExtendLease], [Client.ExpireLease], [Revoker.RevokeLease],
// [SingleRefresher.RefreshLease], [Request.Validate], [Inspect] and
// [Namespaces] return for an argument that breaks its rule: a lease name,
// holder, client id, namespace or collection name that is not 1 to
// [MaxStringLen] bytes of UTF-8 text with no '.', '$', '#', white space or
// control characters, a transaction collection given to [NewMongo] that
// MongoDB cannot hold (empty, or with a '$' or a NUL), or a request
// duration that is not positive. Nothing
// is read or written, and the client's cache is unchanged: the error is
// the call's own, and says nothing of the store. Its message quotes the
// value (its first 64 bytes, if longer), says what is wrong and where,
// and states the rule, for example:
//
//	invalid id "ctl-1.example.com": '.' at byte 5 (use "ctl-1-example-com"
//	instead); an id must be 1 to 256 bytes of UTF-8 text with no '.', '$',
//	'#', white space or control characters
//
// The clients of package leasetest return the same errors.
var ErrInvalidArgument = stored.ErrInvalidArgument

// ErrUnavailable is matched, with errors.Is, by the error of every call
// that met a store that could not be reached or could not answer: the
// connection refused, reset or closed, a network or server-selection
// timeout ("no reachable servers"), a "not primary" or "node is
// recovering" reply (an election in progress), a write concern error
// (wtimeout included), a server restarted under the client. The MongoDB
// client's [NewClient], [Client.ClaimLease], [Client.ExtendLease],
// [Client.ExpireLease], [Client.Refresh], [Revoker.RevokeLease],
// [SingleRefresher.RefreshLease] and [ClockRefresher.RefreshClocks]
// return it, wrapping the driver's error; so do the clients of package
// leasetest while their store is stopped.
//
// It says nothing of the leases. After a read, the cache is unchanged.
// After a write, the outcome is unknown: the transaction may have been
// applied, or may be applied later (mgo/txn finishes a transaction left
// half done when the next one touches its documents). The client's cache
// keeps what it held before the call, and the next write on that lease is
// decided on what the store then holds, because each asserts the stored
// document is the one cached. The call may be tried again once the store
// answers. Every op of a transaction of [Batcher.ApplyLeases] whose
// outcome is unknown gets it: the transaction was applied as a whole or
// not at all.
var ErrUnavailable = errors.New("lease store unavailable")

// ErrCorrupt is matched, with errors.Is, by the error of a call that met
// a document no client could have written: a lease or clock document that
// does not decode, holds a time of the wrong type or out of range, or
// names another lease; a lease whose writer the clock documents do not
// list; or a namespace whose shared clock document is missing (the collection
// was dropped, or emptied, under the clients). Trying again does not
// help: a person must repair or remove the document (see cmd/leasectl),
// repairing rather than removing a clock document, whose term floor the
// namespace's terms rely on (docs/design.md#clock-documents).
// The MongoDB client's [NewClient], [Client.Refresh],
// [SingleRefresher.RefreshLease], [ClockRefresher.RefreshClocks] and,
// when they read a lease again, its writes return it; the message names
// the document.
var ErrCorrupt = errors.New("lease store holds a corrupt document")
