package lease

import (
	"strconv"

	"github.com/seed07a61904/leadership/internal/stored"
)

// Batcher is implemented by clients that can apply several writes, each to
// a different lease, in one store transaction. A leadership manager uses
// it for the writes that queue while one is in flight (group commit).
type Batcher interface {
	// ApplyLeases applies ops and returns one error per op, in order: nil
	// if applied, else the error the matching single-lease method would
	// have returned. A refused (ErrInvalidArgument, ErrTimeOutOfRange) or
	// denied (ErrInvalid) op does not stop the others. Each applied op
	// asserts the state of its lease it was decided on, so applying ops
	// together is as safe as one by one (docs/design.md#batches).
	//
	// Every op must name a different lease; a second op on one is
	// answered with [ErrInvalidArgument] and not applied. A client may
	// split a long slice into several transactions, never reordering
	// ops on one lease. [ErrUnavailable] means the op's outcome is
	// unknown.
	ApplyLeases(ops []Op) []error
}

// OpKind says which write an [Op] asks for.
type OpKind int

// The kinds of [Op], named after the single-lease methods they stand for.
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

// String returns the kind's name ("claim", "extend", "expire", "revoke"),
// or "OpKind(n)".
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

// Validate returns an error matching [ErrInvalidArgument] for the first
// problem with op (kind, lease name, request as the kind needs), or nil.
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
