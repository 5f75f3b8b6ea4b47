package leadership

import "time"

// now reads the clock. If it reads earlier than the tracker's last
// reading, the clock has stepped back: the end of the term, the next claim
// and the start of a claim in flight move back by the step, so that no
// deadline counted on the clock ends later in real time than it should
// (see "Clocks that step back" on [Tracker]).
func (t *tracker) now() time.Time {
	now := t.config.Clock.Now()
	if back := t.lastNow.Sub(now); back > 0 {
		moveBack(back, &t.termEnd, &t.nextClaim, &t.claimStart)
	}
	t.lastNow = now
	return now
}

// isLeader reports whether the unit is leader at now: within the term of
// its last successful claim.
func (t *tracker) isLeader(now time.Time) bool {
	return !t.termEnd.IsZero() && now.Before(t.termEnd)
}

// update brings the tracker up to date with now: it ends a term that has
// run out, starts a claim that is due, answers the tickets it can, and
// sets the alarm for the next thing due.
func (t *tracker) update(now time.Time) {
	select {
	case <-t.tomb.Dying():
		// A question that came with Kill is answered as a stopped
		// tracker answers; choose stops the tracker next.
		t.answerAll(false)
		return
	default:
	}
	if !t.isLeader(now) {
		t.termEnd = time.Time{}
	}
	if t.calling == noCall && !t.nextClaim.IsZero() && !now.Before(t.nextClaim) {
		t.startClaim(now)
	}
	leader := t.isLeader(now)
	t.noteLeading(leader, now)
	if leader {
		t.answer(waitLeader, true)
	} else if t.decided {
		t.answer(waitMinion, true)
	}
	switch {
	case leader && !now.Add(t.ClaimDuration()).After(t.termEnd):
		t.answer(claimLeader, true)
	case leader, !t.decided:
		// A renewal, due or in flight, or the first claim decides.
	default:
		t.answer(claimLeader, false)
	}
	t.setAlarm(leader)
}

// setAlarm sets the alarm for the earlier of the end of the term (if
// leader) and the next claim (if one is scheduled and no call is in
// flight), replacing it only if that time changed.
func (t *tracker) setAlarm(leader bool) {
	var at time.Time
	if leader {
		at = t.termEnd
	}
	if t.calling == noCall && !t.nextClaim.IsZero() && (at.IsZero() || t.nextClaim.Before(at)) {
		at = t.nextClaim
	}
	switch {
	case at.IsZero():
		t.alarm = nil
	case t.alarm == nil || !at.Equal(t.alarmAt):
		t.alarm = t.config.Clock.Alarm(at)
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
