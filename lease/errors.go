package lease

import (
	"errors"

	"github.com/seed07a61904/leadership/internal/stored"
)

// The errors a client returns that callers may test for, with errors.Is;
// [Batcher.ApplyLeases] answers each op with its single-lease method's.

// ErrInvalid is returned, bare (== works), by [Client.ClaimLease],
// [Client.ExtendLease], [Client.ExpireLease] and [Revoker.RevokeLease]
// (and for an op of [Batcher.ApplyLeases]) when the operation is not
// possible in the state the client knows: the lease is held by someone
// else, not held, or not yet expired. If the store changed under the
// client, the lease is already refreshed in its cache.
var ErrInvalid = errors.New("invalid lease operation")

// ErrExcessiveContention is returned, possibly annotated, by [NewClient],
// [Client.ClaimLease], [Client.ExtendLease], [Client.ExpireLease] and
// [Revoker.RevokeLease] when every attempt's transaction aborted because
// the store kept changing. Nothing is known of the lease; try again.
var ErrExcessiveContention = errors.New("state changing too quickly; try again soon")

// ErrTimeOutOfRange is returned, wrapped, by [Client.ClaimLease],
// [Client.ExtendLease], [Client.ExpireLease], [Client.Refresh] and
// [NewClient] when a time the operation would write or compute from is
// outside what the store holds, int64 nanoseconds since the Unix epoch:
// 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z (beyond,
// UnixNano overflows silently). The times checked are the clock reading
// (written by every write, taken around a refresh's read) and a claim's or
// extension's expiry. Nothing is written and the cache is unchanged. The
// message names the time:
//
//	expiry 2276-09-29T00:00:00Z of lease "redis" (clock reading
//	2026-11-29T00:00:00Z plus 2190000h0m0s) out of range: the store holds
//	times from 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z
//
// A stored time out of range makes its document corrupt ([ErrCorrupt]).
var ErrTimeOutOfRange = stored.ErrTimeOutOfRange

// ErrInvalidArgument is matched, with errors.Is, by the error that
// [NewClient] ([ClientConfig.Validate]), [Client.ClaimLease],
// [Client.ExtendLease], [Client.ExpireLease], [Revoker.RevokeLease],
// [SingleRefresher.RefreshLease], [Request.Validate], [Inspect] and
// [Namespaces] return for a lease name, holder, id, namespace or
// collection that is not 1 to [MaxStringLen] bytes of UTF-8 with no '.',
// '$', '#', white space or control characters, a transaction collection
// MongoDB cannot hold (empty, '$' or NUL), or a duration that is not
// positive. Nothing is read or written; it says nothing of the store. The
// message quotes the value (up to 64 bytes) and states the rule:
//
//	invalid id "ctl-1.example.com": '.' at byte 5 (use "ctl-1-example-com"
//	instead); an id must be 1 to 256 bytes of UTF-8 text with no '.', '$',
//	'#', white space or control characters
//
// The clients of package leasetest return the same errors.
var ErrInvalidArgument = stored.ErrInvalidArgument

// ErrUnavailable is matched, with errors.Is, by the error of every call
// that met a store that could not be reached or answer: a connection
// refused, reset or closed, a network or server-selection timeout, a "not
// primary" or "node is recovering" reply, a write concern error, a
// restarted server. The MongoDB client's [NewClient], [Client] methods,
// [Revoker.RevokeLease], [SingleRefresher.RefreshLease] and
// [ClockRefresher.RefreshClocks] return it wrapping the driver's error, as
// do leasetest's clients while their store is stopped.
//
// After a read, the cache is unchanged. After a write, the outcome is
// unknown (mgo/txn may finish it later); the next write on that lease is
// decided on what the store then holds (docs/design.md#store-failures).
// Every op of a [Batcher.ApplyLeases] transaction of unknown outcome gets
// it.
var ErrUnavailable = errors.New("lease store unavailable")

// ErrCorrupt is matched, with errors.Is, by the error of a call that met
// a document no client could have written (one that does not decode,
// holds a time of the wrong type or range, or names another lease), a
// lease whose writer no clock document lists, or a missing shared clock
// document (the collection dropped under the clients). Retrying does not
// help: a person must repair or remove the document (cmd/leasectl), and
// repair, not remove, a clock document
// (docs/design.md#clock-documents). [NewClient], [Client.Refresh], the
// refreshers and, when they read a lease again, the writes of the MongoDB
// client return it, naming the document.
var ErrCorrupt = errors.New("lease store holds a corrupt document")

// ErrRefreshAbandoned is returned, bare, by [RefreshSteps.Step] for a
// refresh that is no longer in flight: its last step ran, a step failed,
// or it was abandoned ([RefreshSteps.Close], a later
// [StepRefresher.BeginRefresh] or [Client.Refresh]). Nothing was read
// and the cache is unchanged.
var ErrRefreshAbandoned = errors.New("refresh no longer in flight")
