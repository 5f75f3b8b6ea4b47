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
	// after, the manager stops; Wait reports why it stopped. Returned
	// bare: compare with == or errors.Is.
	ErrStopped = errors.New("leadership manager stopped")

	// ErrNotLeader is matched, with errors.Is, by the error that
	// [Manager.CheckLeadership] and [Revoker.RevokeLeadership] return when
	// the unit is not leader: "redis/1" is not leader of "redis".
	ErrNotLeader = errors.New("not leader")

	// ErrRevokeNotSupported is returned, annotated, by
	// [Revoker.RevokeLeadership] when the manager's [lease.Client] is no
	// [lease.Revoker]: leadership then lasts until the lease expires.
	ErrRevokeNotSupported = errors.New("lease client cannot revoke leases")

	// ErrInvalidArgument is matched, with errors.Is, by the error every
	// [Manager] method (and [Revoker.RevokeLeadership],
	// [ContextBlocker.BlockUntilLeadershipReleasedContext]) returns for an
	// invalid service or unit name (see the package doc), a unit not of
	// the service, or a duration that is not positive, before the call
	// reaches the manager's loop. The message quotes the value and states
	// the rule:
	//
	//	cannot claim leadership: invalid service name "db-2": it has a
	//	segment "2" made only of digits; a service name is 1 to 128
	//	bytes of lower-case letters and digits in segments joined by
	//	single hyphens, starting with a letter, with no segment made
	//	only of digits ("redis", "my-db2", "wordpress-2a")
	//
	// It is [lease.ErrInvalidArgument], so it also matches a client's
	// refusal of an argument, which goes to the call that passed it.
	ErrInvalidArgument = lease.ErrInvalidArgument

	// errTooQuickly is the cause of ClaimLeadership's error when the
	// lease changed under all maxClaimAttempts attempts, or the client
	// gave up likewise: [lease.ErrExcessiveContention]. The caller may
	// try again.
	errTooQuickly = lease.ErrExcessiveContention

	// errBatchAnswer is the cause of each op's error when a
	// [lease.Batcher] broke its contract (not one error per op): outcomes
	// unknown, as after an unclassified error.
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

	// ErrLeaderWorkRunning is matched, with errors.Is, by the error of a
	// tracker's Wait (after Kill) and [Resigner.Resign] when leader-only
	// work still ran as the unit's last term ended: the tracker did not
	// revoke, and the lease's expiry ends the leadership instead.
	ErrLeaderWorkRunning = errors.New("leader-only work still running at the end of the term")
)

// maxClaimAttempts bounds the attempts of one ClaimLeadership call; each
// after the first follows an ErrInvalid (the client's view changed).
const maxClaimAttempts = 5

// notLeaderError is "<unit> is not leader of <service>", quoted; it
// matches [ErrNotLeader].
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
