package storetest

import (
	"time"

	"github.com/seed07a61904/leadership/lease"
)

// readStep is how far the skewed client's clock moves at every reading
// while it is made.
const readStep = 100 * time.Millisecond

// skewed is a lease written by "writer", whose clock stands at the start,
// for a minute, and a client, "skewed", whose clock is a second ahead and
// moved during the read that made it: it takes the lease to end at
// expiry.
type skewed struct {
	writer, client lease.Client
	clock          *clock
	expiry         time.Time
}

// newSkewed makes a skewed, and checks that its client's expiry is what
// its read allows: no earlier than the writer's minute from the start of
// the read (one second ahead), and no later than from its end.
func newSkewed(f *fixture) skewed {
	f.Helper()
	f.clockStore()
	writer := f.client("writer")
	f.ok(writer.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease")
	clk := newClock(f.start.Add(time.Second))
	clk.setStep(readStep)
	begin := clk.peek()
	client := f.clientOn("skewed", clk)
	end := clk.peek()
	clk.setStep(0)
	expiry := f.heldBy(client, "redis", "redis/0")
	if expiry.Before(begin.Add(time.Minute)) || expiry.After(end.Add(time.Minute)) {
		f.Errorf("a lease written for a minute, read from %s to %s, seen to end at %s", show(begin), show(end), show(expiry))
	}
	return skewed{writer: writer, client: client, clock: clk, expiry: expiry}
}

// A skewed client cannot expire the lease at the expiry it sees, and can
// just after.
func testSkewReadWindow(f *fixture) {
	s := newSkewed(f)
	s.clock.Set(s.expiry)
	f.invalid(s.client.ExpireLease("redis"), "ExpireLease at the expiry seen")
	f.heldBy(s.client, "redis", "redis/0")
	s.clock.Set(s.expiry.Add(time.Nanosecond))
	f.ok(s.client.ExpireLease("redis"), "ExpireLease after the expiry seen")
	f.free(s.client, "redis")
}

// An extension that asks for less than the writer's bound keeps it.
func testSkewExtendShorter(f *fixture) {
	s := newSkewed(f)
	f.ok(s.client.ExtendLease("redis", request("redis/0", 10*time.Second)), "ExtendLease")
	f.holds(s.client, "redis", "redis/0", s.expiry)
}

// An extension that asks for more than the writer's bound holds the lease
// for its duration on the extender's clock.
func testSkewExtendLonger(f *fixture) {
	s := newSkewed(f)
	now := s.clock.peek()
	f.ok(s.client.ExtendLease("redis", request("redis/0", 10*time.Minute)), "ExtendLease")
	f.holds(s.client, "redis", "redis/0", now.Add(10*time.Minute))
}

// An extension for the lease's minute less the time the read took keeps
// the writer's bound, if later than the extension's own expiry.
func testSkewExtendToTheWritersBound(f *fixture) {
	s := newSkewed(f)
	now := s.clock.peek()
	want := now.Add(time.Minute - readStep)
	if s.expiry.After(want) {
		want = s.expiry
	}
	f.ok(s.client.ExtendLease("redis", request("redis/0", time.Minute-readStep)), "ExtendLease")
	f.holds(s.client, "redis", "redis/0", want)
}

// A clock that reads the same instant in another zone sees no skew: not
// the writer's own, started again in another zone, nor another client's
// in UTC.
func testSkewZones(f *fixture) {
	f.clockStore()
	writer := f.client("writer")
	f.ok(writer.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease")
	again := f.clientOn("writer", newClock(f.start.In(time.FixedZone("somewhere", -1234))))
	f.holds(again, "redis", "redis/0", f.start.Add(time.Minute))
	utc := f.clientOn("utc", newClock(f.start.UTC()))
	f.holds(utc, "redis", "redis/0", f.start.Add(time.Minute))
}

// observed is a lease claimed for d, at the start, by a writer on a
// clock of its own, wc, and read at once by an observer on the store's
// clock.
func observed(f *fixture, d time.Duration) (wc *clock, writer, observer lease.Client) {
	f.Helper()
	wc = newClock(f.start)
	writer = f.clientOn("writer", wc)
	f.ok(writer.ClaimLease("redis", request("redis/0", d)), "ClaimLease")
	observer = f.client("observer")
	f.holds(observer, "redis", "redis/0", f.start.Add(d))
	return wc, writer, observer
}

// A writer whose clock steps back 20s, and reads its last recorded time
// again 20s later, extends for a minute: a client that measured its
// clock before must measure it again, and take the lease to end 80s
// after the first write.
func testSkewWriteSameTimeAfterStepBack(f *fixture) {
	wc, writer, observer := observed(f, 30*time.Second)

	wc.Set(f.start.Add(-20 * time.Second))
	wc.Advance(20 * time.Second)
	f.ok(writer.ExtendLease("redis", request("redis/0", time.Minute)), "ExtendLease")

	f.clock.Set(f.start.Add(20 * time.Second))
	f.ok(observer.Refresh(), "Refresh")
	f.holds(observer, "redis", "redis/0", f.start.Add(80*time.Second))
	f.clock.Set(f.start.Add(time.Minute + time.Nanosecond))
	f.invalid(observer.ExpireLease("redis"), "ExpireLease before the extension ends")
}

// equalWriteAfterStepBack: a writer claims a lease for 90s, which a
// client (the observer) reads at once; the writer's clock steps back 55s,
// and a minute later, its clock 5s past its claim, it extends the lease
// for a minute. The extension writes the document it read (same holder,
// writer, term and expiry: the lease already lasted that long on the
// writer's clock), which now holds the lease until 145s, the extension
// guaranteeing it until 120s. The observer, whose cache still has the
// first document and the writer's clock as measured before the step, is
// left at 60s, its cache unrefreshed.
func equalWriteAfterStepBack(f *fixture) (observer lease.Client) {
	wc, writer, observer := observed(f, 90*time.Second)
	wc.Set(f.start.Add(-55 * time.Second))
	wc.Advance(time.Minute)
	f.clock.Set(f.start.Add(time.Minute))
	f.ok(writer.ExtendLease("redis", request("redis/0", time.Minute)), "ExtendLease after the step back")
	return observer
}

// After equalWriteAfterStepBack, the observer extends the lease for 15s
// from its stale cache: the extension must not cut the lease short of the
// writer's (the document it cached is not the one stored, though equal
// to it), and no client may expire the lease before 120s.
func testSkewExtendOverEqualWrite(f *fixture) {
	observer := equalWriteAfterStepBack(f)
	f.ok(observer.ExtendLease("redis", request("redis/0", 15*time.Second)), "ExtendLease from a stale cache")
	f.clock.Set(f.start.Add(2 * time.Minute))
	f.ok(observer.Refresh(), "Refresh")
	f.holds(observer, "redis", "redis/0", f.start.Add(145*time.Second))
	f.invalid(observer.ExpireLease("redis"), "ExpireLease when the writer's extension ends")
}

// After equalWriteAfterStepBack, at 91s the observer, whose stale cache
// has the lease end at 90s, tries to expire it: it must fail, and leave
// the lease held, as the observer first reads the writer's new clock
// then, until 85s later (the expiry less the writer's recorded time).
func testSkewExpireOverEqualWrite(f *fixture) {
	observer := equalWriteAfterStepBack(f)
	f.clock.Set(f.start.Add(91 * time.Second))
	f.invalid(observer.ExpireLease("redis"), "ExpireLease from a stale cache")
	f.holds(observer, "redis", "redis/0", f.start.Add(176*time.Second))
}

// A writer whose clock steps back 30s, 21s after it claimed a lease for a
// minute, extends it for another minute: its clock then reads 9s before
// the claim, so the extension, if it succeeds, holds the lease until 81s
// after the claim, which a client that measured the writer's clock before
// must not expire earlier. If it fails (the MongoDB client refuses every
// write until the clock is back), it fails without writing: that client
// may expire the lease a minute after the claim.
func testSkewExtendAfterStepBack(f *fixture) {
	wc, writer, observer := observed(f, time.Minute)

	f.clock.Set(f.start.Add(21 * time.Second))
	wc.Set(f.start.Add(-9 * time.Second))
	err := writer.ExtendLease("redis", request("redis/0", time.Minute))
	if err == nil {
		f.clock.Set(f.start.Add(81 * time.Second))
		f.ok(observer.Refresh(), "Refresh")
		f.invalid(observer.ExpireLease("redis"), "ExpireLease before the extension ends")
		return
	}
	if err == lease.ErrInvalid {
		f.Errorf("ExtendLease by the holder after a step back: lease.ErrInvalid, but the holder holds the lease")
	}
	f.clock.Set(f.start.Add(time.Minute + time.Nanosecond))
	f.ok(observer.ExpireLease("redis"), "ExpireLease a minute after the claim, the extension having failed")
}

// A writer whose clock stands still while another's moves on 90s extends
// a lease from a stale cache (expired and claimed again for the same
// holder by the other) for five minutes: the other, having counted a new
// write, measures its clock again, and takes the lease to end five
// minutes after its own read, not five minutes after the first write.
func testSkewWriterStandsStill(f *fixture) {
	sc := newClock(f.start)
	still := f.clientOn("still", sc)
	f.ok(still.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease")
	other := f.client("other")
	f.clock.Advance(90 * time.Second)
	f.ok(other.ExpireLease("redis"), "ExpireLease (other)")
	f.ok(other.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease (other)")
	f.ok(still.ExtendLease("redis", request("redis/0", 5*time.Minute)), "ExtendLease from a stale cache")
	f.ok(other.Refresh(), "Refresh (other)")
	f.holds(other, "redis", "redis/0", f.start.Add(90*time.Second+5*time.Minute))
}

// RefreshLease bounds the writer's clock as Refresh does: a reader an
// hour ahead sees the lease end a minute after its read.
func testSkewRefreshLease(f *fixture) {
	writer := f.client("writer")
	rc := newClock(f.start.Add(time.Hour))
	reader := f.clientOn("reader", rc)
	for _, name := range []string{"a", "b"} {
		f.ok(writer.ClaimLease(name, request("holder", time.Minute)), "ClaimLease")
	}
	f.ok(as[lease.SingleRefresher](f, reader).RefreshLease("a"), "RefreshLease")
	f.count(reader, 1)
	f.holds(reader, "a", "holder", f.start.Add(time.Hour+time.Minute))
}

// A reader that reads the clocks (RefreshClocks) at once after a writer's
// last write takes the writer's lease to end when the writer does; one
// that first sees that write when it reads the lease, 20s later, takes it
// to end 20s later.
func testSkewClockPoll(f *fixture) {
	writer := f.client("writer")
	rc := newClock(f.start.Add(time.Hour))
	reader := f.clientOn("reader", rc)
	clocks := as[lease.ClockRefresher](f, reader)
	single := as[lease.SingleRefresher](f, reader)
	f.ok(writer.ClaimLease("a", request("holder", time.Minute)), "ClaimLease")
	f.ok(reader.Refresh(), "Refresh")
	f.clock.Advance(30 * time.Second)
	rc.Advance(30 * time.Second)
	lc := newClock(rc.peek())
	late := f.clientOn("late", lc)
	f.ok(writer.ExtendLease("a", request("holder", time.Minute)), "ExtendLease")

	f.ok(clocks.RefreshClocks(), "RefreshClocks")
	f.clock.Advance(20 * time.Second)
	rc.Advance(20 * time.Second)
	lc.Advance(20 * time.Second)
	f.ok(single.RefreshLease("a"), "RefreshLease")
	f.holds(reader, "a", "holder", f.start.Add(time.Hour+90*time.Second))
	f.ok(as[lease.SingleRefresher](f, late).RefreshLease("a"), "RefreshLease (late)")
	f.holds(late, "a", "holder", f.start.Add(time.Hour+110*time.Second))
}
