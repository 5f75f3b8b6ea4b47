package leadership

import (
	"time"

	"github.com/juju/errors"
	"gopkg.in/tomb.v1"
)

// stop ends the tracker on Kill. At once, it answers every pending ticket
// false, ends every leader context with ErrTrackerKilled, answers a
// Resign under way, and gives up a wait for a release. Then it waits for
// a claim or a revoke in flight to return, and for the leader-only work
// to stop, but for that work only while the unit's last term lasts (it
// makes no renewal). Then, if the unit may hold the lease and no work
// runs, it revokes. It returns tomb.ErrDying for a clean stop; an error
// matching ErrLeaderWorkRunning if it did not revoke because work still
// ran; or the revoke's error. ErrNotLeader, ErrStopped and
// ErrRevokeNotSupported from the revoke all mean there is nothing left to
// release that the tracker could release.
func (t *tracker) stop() error {
	t.answerAll(false)
	now := t.now()
	t.closeService(now, ErrTrackerKilled)
	if t.cancelBlock != nil {
		t.cancelBlock()
	}
	for {
		inFlight := t.calling == claimCall || t.calling == revokeCall
		if !inFlight && (len(t.works) == 0 || !t.isLeader(now)) {
			break
		}
		var at time.Time
		if !inFlight {
			at = t.termEnd
		}
		t.setAlarmAt(at)
		idle(t.activity, t.alarm, nil, nil)
		select {
		case r := <-t.results:
			busy(t.activity)
			t.stoppingResult(r)
		case w := <-t.releases:
			busy(t.activity)
			t.handleRelease(w, t.now())
		case <-t.alarm:
			busy(t.activity)
			t.alarm = nil
		}
		now = t.now()
	}
	t.endCallActivity()
	switch {
	case !t.mayHold || t.revoker == nil:
		return tomb.ErrDying
	case len(t.works) > 0:
		return errors.Annotatef(ErrLeaderWorkRunning, "not revoking leadership of %q for %q", t.config.ServiceName, t.config.UnitName)
	}
	err := t.revoker.RevokeLeadership(t.config.ServiceName, t.config.UnitName)
	switch {
	case err == nil,
		errors.Is(err, ErrNotLeader),
		errors.Is(err, ErrStopped),
		errors.Is(err, ErrRevokeNotSupported):
		return tomb.ErrDying
	}
	return errors.Annotatef(err, "cannot revoke leadership of %q for %q", t.config.ServiceName, t.config.UnitName)
}

// stoppingResult records, for stop, the outcome of a call that returned
// while the tracker stops: whether the unit may hold the lease, and the
// term a successful claim began, which bounds stop's wait for the
// leader-only work. A wait for a release, given up, is ignored.
func (t *tracker) stoppingResult(r callResult) {
	start, startWall := t.claimStart, t.claimWall
	t.calling, t.claimStart, t.claimWall = noCall, reading{}, time.Time{}
	switch r.kind {
	case claimCall:
		switch {
		case r.err == nil:
			t.mayHold = true
			t.beginTerm(start, startWall)
		case mayHoldAfter(r.err):
			t.mayHold = true
		case errors.Is(r.err, ErrClaimDenied):
			t.mayHold = false
		}
	case revokeCall:
		if r.err == nil || errors.Is(r.err, ErrNotLeader) {
			t.mayHold = false
		}
	}
}
