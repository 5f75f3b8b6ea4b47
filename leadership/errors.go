package leadership

import (
	"fmt"

	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/lease"
)

// The manager's errors.
var (
	// ErrClaimDenied is returned by [Manager.ClaimLeadership] when another
	// unit holds leadership of the service. It is returned bare, so it can
	// be compared with == as well as errors.Is.
	ErrClaimDenied = errors.New("leadership claim denied")

	// ErrStopped is returned by every [Manager] method called while, or
	// after, the manager stops; the reason it stopped is reported by
	// the manager's Wait method. It is returned bare, so it can be compared with
	// == as well as errors.Is.
	ErrStopped = errors.New("leadership manager stopped")

	// ErrNotLeader is matched, with errors.Is, by the error that
	// [Manager.CheckLeadership] and [Revoker.RevokeLeadership] return when
	// the unit is not leader of the service. That error's message names
	// both, as it always has: "redis/1" is not leader of "redis".
	ErrNotLeader = errors.New("not leader")

	// ErrRevokeNotSupported is returned by [Revoker.RevokeLeadership] when
	// the manager's [lease.Client] does not implement [lease.Revoker]:
	// the unit's leadership then lasts until its lease expires. It is
	// returned annotated; check it with errors.Is.
	ErrRevokeNotSupported = errors.New("lease client cannot revoke leases")

	// ErrInvalidArgument is matched, with errors.Is, by the error every
	// [Manager] method (and [Revoker.RevokeLeadership],
	// [ContextBlocker.BlockUntilLeadershipReleasedContext]) returns for
	// an argument that breaks its rule: a service or unit name that is
	// not valid (see the package doc), a unit that is not a
	// unit of the service, or a duration that is not positive. Such a
	// call is refused before it reaches the manager's loop. The message
	// quotes the value, says what is wrong and states the rule, for
	// example:
	//
	//	cannot claim leadership: invalid service name "db-2": it has a
	//	segment "2" made only of digits; a service name is 1 to 128
	//	bytes of lower-case letters and digits in segments joined by
	//	single hyphens, starting with a letter, with no segment made
	//	only of digits ("redis", "my-db2", "wordpress-2a")
	//
	// It is [lease.ErrInvalidArgument], so it also matches a client's
	// refusal of an argument, which a manager returns to the call that
	// made it, and never stops for.
	ErrInvalidArgument = lease.ErrInvalidArgument

	// errTooQuickly is the cause of the error [Manager.ClaimLeadership]
	// returns when the lease changed under every one of its
	// maxClaimAttempts attempts, or when the client itself gave up for the
	// same reason. It is the client's own [lease.ErrExcessiveContention],
	// so callers can recognise it with errors.Is. The manager stays alive;
	// the caller may try again.
	errTooQuickly = lease.ErrExcessiveContention

	// errBatchAnswer is the cause of the error of every op of a batch
	// whose [lease.Batcher] did not return one error per op: a client
	// that broke its contract, so that each op's outcome is unknown, as
	// after an error the client does not classify (see outage.go).
	errBatchAnswer = errors.New("lease client answered a batch with the wrong number of errors")
)

// The tracker's errors: why a leader context ([LeaderRunner]) ended, its
// [context.Cause], and what a tracker's Wait and Resign return.
var (
	// ErrLeadershipLost is the cause of a leader context that ended
	// because a claim of its tracker's was denied: another unit leads.
	ErrLeadershipLost = errors.New("leadership lost to another unit")

	// ErrTermEnded is the cause of a leader context that ended because
	// its tracker's last term ran out before a renewal succeeded: a
	// renewal that hung or failed (a store that is down, say).
	ErrTermEnded = errors.New("leadership term ended without a renewal")

	// ErrTrackerKilled is the cause of a leader context that ended
	// because its tracker was killed; [LeaderRunner] and [Resigner]
	// methods called on a killed tracker return it.
	ErrTrackerKilled = errors.New("leadership tracker killed")

	// ErrResigned is the cause of a leader context that ended because
	// its tracker resigned ([Resigner.Resign]).
	ErrResigned = errors.New("leadership resigned")

	// ErrLeaderWorkRunning is matched, with errors.Is, by the error a
	// tracker's Wait (after Kill) and [Resigner.Resign] return when
	// leader-only work run under a leader context had still not
	// returned when the unit's last term ended: the tracker did not
	// revoke the unit's leadership, which the lease's expiry ends
	// instead (see [LeaderRunner]).
	ErrLeaderWorkRunning = errors.New("leader-only work still running at the end of the term")
)

// maxClaimAttempts bounds the claim and extend attempts of one
// [Manager.ClaimLeadership] call. Each attempt after the first follows an
// ErrInvalid, which means the client's view changed under it.
const maxClaimAttempts = 5

// notLeaderError is the error for a unit that is not leader of a service.
// Its message is "<unit> is not leader of <service>", quoted, as
// [Manager.CheckLeadership] documents, and it matches [ErrNotLeader].
type notLeaderError struct {
	service, unit string
}

func (e *notLeaderError) Error() string {
	return fmt.Sprintf("%q is not leader of %q", e.unit, e.service)
}

// Unwrap makes errors.Is(err, ErrNotLeader) true.
func (e *notLeaderError) Unwrap() error {
	return ErrNotLeader
}
