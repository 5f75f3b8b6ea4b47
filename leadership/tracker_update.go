package leadership

import (
	"time"

	"github.com/seed07a61904/leadership/internal/timeshift"
)

// reading is one reading of the tracker's clock.
type reading struct {
	// wall is the clock's Now, for events and the term's wall-clock end.
	wall time.Time
	// mono is what everything else counts on: the clock's Monotonic, or
	// wall with its monotonic reading.
	mono time.Time
	// blind: mono cannot measure time (no monotonic reading at all).
	blind bool
}

// now reads the clock. A blind reading ends the term at once: the tracker
// cannot tell how much is left (docs/design.md#tracker-terms).
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
// clock moved back to the claim's start in monotonic time, so a step back
// during the claim and a step forward after it cannot make the term's
// wall-clock end late (docs/design.md#tracker-terms, "Steps forward").
func (t *tracker) noteClaimWall(r reading) {
	if t.calling != claimCall || r.blind || t.claimStart.blind {
		return
	}
	w := timeshift.Shift(r.wall.Round(0), t.claimStart.mono, r.mono)
	if w.Before(t.claimWall) {
		t.claimWall = w
	}
}

// isLeader reports whether the unit is leader at now: within its last
// term on both clocks. The monotonic end bounds the lease whatever steps
// back; the wall-clock end catches steps forward
// (docs/design.md#tracker-terms).
func (t *tracker) isLeader(now reading) bool {
	return !t.termEnd.IsZero() && now.mono.Before(t.termEnd) && now.wall.Round(0).Before(t.termEndWall)
}

// covers reports whether the term, at now, lasts at least d more, on both
// clocks: how long a true ClaimLeader guarantees.
func (t *tracker) covers(now reading, d time.Duration) bool {
	return !now.mono.Add(d).After(t.termEnd) && !now.wall.Round(0).Add(d).After(t.termEndWall)
}

// update brings the tracker up to date with now: it ends a term that ran
// out (ErrTermEnded), advances a resignation, starts a due claim, answers
// what tickets it can, grants waiting leader contexts, and sets the alarm.
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

// claimAt returns when the next claim is due (monotonic): the scheduled
// one, not before the resignation's pause; zero if none, or in flight.
func (t *tracker) claimAt() time.Time {
	if t.calling != noCall || t.nextClaim.IsZero() {
		return time.Time{}
	}
	if t.nextClaim.Before(t.pauseUntil) {
		return t.pauseUntil
	}
	return t.nextClaim
}

// setAlarm sets the alarm for the earlier of the term's end and claimAt.
func (t *tracker) setAlarm() {
	at := t.termEnd
	if next := t.claimAt(); !next.IsZero() && (at.IsZero() || next.Before(at)) {
		at = next
	}
	t.setAlarmAt(at)
}

// setAlarmAt sets the alarm for at (monotonic; none if zero), if changed.
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
