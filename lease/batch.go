package lease

import (
	"strconv"

	"github.com/seed07a61904/leadership/internal/stored"
)

// Batcher is implemented by clients that can apply several writes, each
// to a different lease, in one store transaction. A leadership manager
// uses it, when its client has it, to send the claims, extensions,
// expiries and revocations that queued while its previous write was in
// flight as one transaction (group commit); a lone write still goes at
// once through the matching [Client] or [Revoker] method.
type Batcher interface {
	// ApplyLeases applies ops and returns one error per op, in the same
	// order: nil for an op that was applied, and for one that was not,
	// the error the matching single-lease method (ClaimLease,
	// ExtendLease, ExpireLease, RevokeLease) would have returned in its
	// place. An op that is refused (ErrInvalidArgument,
	// ErrTimeOutOfRange) or denied (ErrInvalid) does not stop the others:
	// the client answers it and applies the rest. Each applied op asserts
	// exactly the state of its lease that the client decided it on, as
	// the single-lease method does, so applying ops together is as safe
	// as applying them one by one (docs/design.md#batches).
	//
	// Every op must name a different lease; a second op on a lease
	// already named in ops is answered with an error matching
	// [ErrInvalidArgument] and not applied. A client may split a long
	// slice into several transactions (the MongoDB client bounds a
	// transaction's size); ops are never reordered on one lease. An
	// error matching [ErrUnavailable] for an op means its outcome is
	// unknown, as for the single-lease method.
	ApplyLeases(ops []Op) []error
}

// OpKind says which write an [Op] asks for.
type OpKind int

// The kinds of [Op], each named after the single-lease method it stands
// for.
const (
	// OpClaim is [Client.ClaimLease](Op.Lease, Op.Request).
	OpClaim OpKind = iota + 1
	// OpExtend is [Client.ExtendLease](Op.Lease, Op.Request).
	OpExtend
	// OpExpire is [Client.ExpireLease](Op.Lease); Op.Request must be zero.
	OpExpire
	// OpRevoke is [Revoker.RevokeLease](Op.Lease, Op.Request.Holder);
	// Op.Request.Duration must be zero.
	OpRevoke
)

// String returns the kind's name in lower case ("claim", "extend",
// "expire", "revoke"), or "OpKind(n)" for a value that is none of them.
func (k OpKind) String() string {
	switch k {
	case OpClaim:
		return "claim"
	case OpExtend:
		return "extend"
	case OpExpire:
		return "expire"
	case OpRevoke:
		return "revoke"
	}
	return "OpKind(" + strconv.Itoa(int(k)) + ")"
}

// Op is one write in a batch given to [Batcher.ApplyLeases].
type Op struct {
	// Kind says which write this is.
	Kind OpKind
	// Lease names the lease written; the rules of [MaxStringLen] apply.
	Lease string
	// Request is the claim's or the extension's request; for OpRevoke,
	// its Holder names the holder revoked; for OpExpire it is zero.
	Request Request
}

// Validate returns an error matching [ErrInvalidArgument] describing the
// first problem with op (its kind, its lease name, then its request as
// the kind needs it), or nil.
func (op Op) Validate() error {
	switch op.Kind {
	case OpClaim, OpExtend, OpExpire, OpRevoke:
	default:
		return stored.Invalidf("invalid op kind %v: must be OpClaim, OpExtend, OpExpire or OpRevoke", op.Kind)
	}
	if err := checkString("lease name", op.Lease); err != nil {
		return err
	}
	switch op.Kind {
	case OpClaim, OpExtend:
		return op.Request.Validate()
	case OpExpire:
		if op.Request != (Request{}) {
			return stored.Invalidf("invalid %v op on lease %q: its request must be zero, not %+v", op.Kind, op.Lease, op.Request)
		}
	case OpRevoke:
		if err := checkString("holder", op.Request.Holder); err != nil {
			return err
		}
		if op.Request.Duration != 0 {
			return stored.Invalidf("invalid revoke op on lease %q: its duration must be zero, not %v", op.Lease, op.Request.Duration)
		}
	}
	return nil
}
