package leaseclient_test

import (
	"fmt"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/lease"
)

// ClientReleaseSuite: lease.ReleaseWatcher on the MongoDB client. Every
// expiry and revocation counts itself in the clock document's "releases";
// any read of the clock document brings the count into the cache.
type ClientReleaseSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ClientReleaseSuite{})

// storedReleases returns the count of fix's own clock document as
// stored, and whether it has one.
func (s *ClientReleaseSuite) storedReleases(c *gc.C, fix *Fixture) (interface{}, bool) {
	var doc bson.M
	err := s.db.C(fix.Config.Collection).FindId("clock#" + fix.Config.Namespace + "#" + fix.Config.Id + "#").One(&doc)
	c.Assert(err, jc.ErrorIsNil)
	v, ok := doc["releases"]
	return v, ok
}

// TestReleasesCounted: the releasing client's clock document keeps the
// count (it has none before the first release), and every read of the
// clock documents reads it: RefreshLease, Refresh and RefreshClocks as
// well as RefreshReleases.
// (The conformance suite, Release/Counted, checks what is counted.)
func (s *ClientReleaseSuite) TestReleasesCounted(c *gc.C) {
	fix := EasyFixture(c, s.db)
	other := NewFixture(c, s.db, FixtureParams{Id: "other"})
	count := func(read func() error) int64 {
		c.Assert(read(), jc.ErrorIsNil)
		return clientAs[lease.ReleaseWatcher](c, other).Releases()
	}
	request := lease.Request{Holder: "holder", Duration: time.Minute}
	release := func(expire bool) {
		c.Assert(fix.Client.ClaimLease("name", request), jc.ErrorIsNil)
		if expire {
			fix.Clock.Advance(time.Minute + time.Nanosecond)
			c.Assert(fix.Client.ExpireLease("name"), jc.ErrorIsNil)
		} else {
			c.Assert(fix.Client.(lease.Revoker).RevokeLease("name", "holder"), jc.ErrorIsNil)
		}
	}
	c.Assert(fix.Client.ClaimLease("other", request), jc.ErrorIsNil)
	_, found := s.storedReleases(c, fix)
	c.Check(found, jc.IsFalse)

	release(false)
	c.Check(count(func() error { return other.Client.(lease.SingleRefresher).RefreshLease("name") }), gc.Equals, int64(1))
	release(true)
	c.Check(count(other.Client.Refresh), gc.Equals, int64(2))
	release(false)
	c.Check(count(other.Client.(lease.ClockRefresher).RefreshClocks), gc.Equals, int64(3))
	stored, _ := s.storedReleases(c, fix)
	c.Check(fmt.Sprint(stored), gc.Equals, "3") // an int64, or an int32 on some servers
}

// TestDocumentWithoutCount: a clock document written before releases were
// counted reads as a count of zero, and the next release counts itself.
func (s *ClientReleaseSuite) TestDocumentWithoutCount(c *gc.C) {
	fix := ClaimedFixture(c, s.db)
	c.Assert(fix.Client.(lease.Revoker).RevokeLease("name", "holder"), jc.ErrorIsNil)
	clockId := "clock#" + fix.Config.Namespace + "#" + fix.Config.Id + "#"
	c.Assert(s.db.C(fix.Config.Collection).UpdateId(clockId, bson.M{"$unset": bson.M{"releases": 1}}), jc.ErrorIsNil)

	other := NewFixture(c, s.db, FixtureParams{Id: "other"})
	c.Check(clientAs[lease.ReleaseWatcher](c, other).Releases(), gc.Equals, int64(0))
	c.Assert(other.Client.ClaimLease("name", lease.Request{Holder: "next", Duration: time.Minute}), jc.ErrorIsNil)
	c.Assert(other.Client.(lease.Revoker).RevokeLease("name", "next"), jc.ErrorIsNil)
	c.Assert(clientAs[lease.ReleaseWatcher](c, fix).RefreshReleases(), jc.ErrorIsNil)
	c.Check(clientAs[lease.ReleaseWatcher](c, fix).Releases(), gc.Equals, int64(1))
}

// TestCorruptCount: a count that is not an integer makes the clock
// document corrupt, and the read changes nothing.
func (s *ClientReleaseSuite) TestCorruptCount(c *gc.C) {
	fix := EasyFixture(c, s.db)
	clockId := "clock#" + fix.Config.Namespace + "#"
	c.Assert(s.db.C(fix.Config.Collection).UpdateId(clockId, bson.M{"$set": bson.M{"releases": "many"}}), jc.ErrorIsNil)
	err := clientAs[lease.ReleaseWatcher](c, fix).RefreshReleases()
	c.Check(err, gc.ErrorMatches, `corrupt clock document "clock#default-namespace#": invalid release count many \(a string, not an integer\)`)
	c.Check(clientAs[lease.ReleaseWatcher](c, fix).Releases(), gc.Equals, int64(0))
}

// ClientRevokeSuite: lease.Revoker on the MongoDB client. A revocation is
// one transaction that records the client's clock and removes the lease
// document if the holder still holds it.
type ClientRevokeSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ClientRevokeSuite{})

// TestRevokeReleasesDocument: a revocation keeps the lease's document,
// with an empty holder (the conformance suite checks what the clients
// then see).
func (s *ClientRevokeSuite) TestRevokeReleasesDocument(c *gc.C) {
	fix := ClaimedFixture(c, s.db)

	c.Assert(clientAs[lease.Revoker](c, fix).RevokeLease("name", "holder"), jc.ErrorIsNil)
	// The document is kept, released: its holder is empty.
	n, err := s.db.C(fix.Config.Collection).Find(bson.M{"name": "name", "holder": ""}).Count()
	c.Assert(err, jc.ErrorIsNil)
	c.Check(n, gc.Equals, 1)
}

func (s *ClientRevokeSuite) TestRevokeRecordsClock(c *gc.C) {
	fix := ClaimedFixture(c, s.db)
	fix.Clock.Advance(10 * time.Second)
	c.Assert(clientAs[lease.Revoker](c, fix).RevokeLease("name", "holder"), jc.ErrorIsNil)

	doc := s.clocksOf(c, fix)
	c.Check(doc.Writers[fix.Config.Id], gc.Equals, fix.Zero.Add(10*time.Second).UnixNano())
	c.Check(doc.Writes[fix.Config.Id], gc.Equals, int64(2))
}

// A clock that stepped back behind the client's last write cannot revoke:
// the clock operation aborts every attempt, as for any other write.
func (s *ClientRevokeSuite) TestRevokeAfterClockStepsBack(c *gc.C) {
	fix := ClaimedFixture(c, s.db)
	fix.Clock.Reset(fix.Zero.Add(-time.Second), 0)
	err := clientAs[lease.Revoker](c, fix).RevokeLease("name", "holder")
	c.Check(err, jc.Satisfies, func(err error) bool { return errorIs(err, lease.ErrExcessiveContention) })
	c.Check("name", fix.Holder(), "holder")
}
