package leadership

import (
	"time"

	"github.com/seed07a61904/leadership/internal/timeshift"
)

// reading is one reading of the tracker's clock.
type reading struct {
	// wall is the clock's Now, for events and for the wall-clock end of a
	// term.
	wall time.Time
	// mono is the monotonic time everything else is counted on: the
	// clock's Monotonic if it is a lease.MonotonicClock, else wall, with
	// its monotonic reading.
	mono time.Time
	// blind is set if mono cannot measure time: the clock is not a
	// lease.MonotonicClock, and wall carries no monotonic reading.
	blind bool
}

// now reads the clock (see "Clocks that step back" on [Tracker]). A blind
// reading ends the term at once: on it, the tracker cannot tell how much
// of the term is left.
func (t *tracker) now() reading {
	var r reading
	if t.clock != nil {
		r.mono = t.clock.Monotonic()
		r.wall = t.clock.Now()
	} else {
		r.wall = t.config.Clock.Now()
		r.mono = r.wall
		r.blind = !timeshift.HasMonotonic(r.wall)
	}
	if r.blind {
		t.termEnd, t.termEndWall = time.Time{}, time.Time{}
	}
	t.noteClaimWall(r)
	return r
}

// noteClaimWall lowers claimWall, while a claim is in flight, to r's wall
// clock moved back to the claim's start in monotonic time. The manager
// read its clock at some instant inside the claim; the wall clock's lead
// over monotonic time was then no less than the least the tracker saw,
// unless the wall clock stepped back and forward again between two of the
// tracker's readings. The lease it wrote ends, on the wall clock, no
// earlier than claimWall plus Duration: so the wall-clock end of the term
// is counted from claimWall, not from the start's wall reading, which a
// step back during the claim and a step forward after it would make late.
func (t *tracker) noteClaimWall(r reading) {
	if t.calling != claimCall || r.blind || t.claimStart.blind {
		return
	}
	w := timeshift.Shift(r.wall.Round(0), t.claimStart.mono, r.mono)
	if w.Before(t.claimWall) {
		t.claimWall = w
	}
}

// isLeader reports whether the unit is leader at now: within the term of
// its last successful claim, on the monotonic clock and on the wall clock.
//
// Safety: termEnd is the claim's start plus Duration in monotonic time,
// which no step back moves, so it comes no later than Duration after the
// manager's reading in the claim, and so no later than the lease as other
// controllers judge it; termEndWall ends the term early if the wall clock
// stepped forward, which can shorten the lease as they judge it. A
// wall-clock step back can only make the second test pass for longer; the
// first still holds.
func (t *tracker) isLeader(now reading) bool {
	return !t.termEnd.IsZero() && now.mono.Before(t.termEnd) && now.wall.Round(0).Before(t.termEndWall)
}

// covers reports whether the term, at now, lasts at least d more, on both
// clocks: how long a true ClaimLeader guarantees.
func (t *tracker) covers(now reading, d time.Duration) bool {
	return !now.mono.Add(d).After(t.termEnd) && !now.wall.Round(0).Add(d).After(t.termEndWall)
}

// update brings the tracker up to date with now: it ends a term that has
// run out (and the leader contexts of that term, with ErrTermEnded),
// takes a resignation as far as it can go, starts a claim that is due,
// answers the tickets it can, grants the leader contexts waiting if the
// unit leads, and sets the alarm for the next thing due.
func (t *tracker) update(now reading) {
	select {
	case <-t.tomb.Dying():
		// A question that came with Kill is answered as a stopped
		// tracker answers; choose stops the tracker next.
		t.answerAll(false)
		return
	default:
	}
	if !t.isLeader(now) {
		t.endLiveWork(now, ErrTermEnded)
		t.termEnd, t.termEndWall = time.Time{}, time.Time{}
	}
	t.advanceResign(now)
	if at := t.claimAt(); !at.IsZero() && !now.mono.Before(at) {
		t.startClaim(now)
	}
	// A resigning unit counts as a minion, though its term may last.
	leader := t.isLeader(now) && t.resigning == nil
	t.noteLeading(leader, now.wall)
	if leader {
		t.answer(waitLeader, true)
		t.grantWork()
	} else if t.decided {
		t.answer(waitMinion, true)
	}
	switch {
	case leader && t.covers(now, t.timing.guarantee):
		t.answer(claimLeader, true)
	case leader, !t.decided:
		// A renewal, due or in flight, or the first claim decides.
	default:
		t.answer(claimLeader, false)
	}
	t.setAlarm()
}

// claimAt returns when the next claim is due, in monotonic time: the
// scheduled one, but not before the pause after a resignation ends; zero
// if none is scheduled or a call is in flight.
func (t *tracker) claimAt() time.Time {
	if t.calling != noCall || t.nextClaim.IsZero() {
		return time.Time{}
	}
	if t.nextClaim.Before(t.pauseUntil) {
		return t.pauseUntil
	}
	return t.nextClaim
}

// setAlarm sets the alarm for the earlier of the end of the term (if one
// lasts: the unit leads, or resigns) and the next claim (see claimAt).
func (t *tracker) setAlarm() {
	at := t.termEnd
	if next := t.claimAt(); !next.IsZero() && (at.IsZero() || next.Before(at)) {
		at = next
	}
	t.setAlarmAt(at)
}

// setAlarmAt sets the alarm for at, in monotonic time (none if at is
// zero), replacing it only if that time changed.
func (t *tracker) setAlarmAt(at time.Time) {
	switch {
	case at.IsZero():
		t.alarm = nil
	case t.alarm == nil || !at.Equal(t.alarmAt):
		if t.clock != nil {
			t.alarm = t.clock.MonotonicAlarm(at)
		} else {
			t.alarm = t.config.Clock.Alarm(at)
		}
		t.alarmAt = at
	}
}

// answer answers every pending ticket of question q with v.
func (t *tracker) answer(q question, v bool) {
	for _, tk := range t.pending[q] {
		tk.answer(v)
	}
	delete(t.pending, q)
}

// answerAll answers every pending ticket with v.
func (t *tracker) answerAll(v bool) {
	for q := range t.pending {
		t.answer(q, v)
	}
}
