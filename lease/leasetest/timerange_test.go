package leasetest_test

import (
	"errors"
	"regexp"
	"strings"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/internal/rangetest"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

// TimeRangeSuite: the in-memory store refuses the times that the MongoDB
// client cannot store (issue 11), with the same sentinel and messages, and
// writes nothing.
type TimeRangeSuite struct {
	clock *clocktest.Clock
	store *leasetest.Store
	a, b  *leasetest.Client
}

var _ = gc.Suite(&TimeRangeSuite{})

// issueNow is the clock of issue 11's report.
var issueNow = rangetest.Now

func (s *TimeRangeSuite) SetUpTest(c *gc.C) {
	s.clock = clocktest.NewClock(issueNow)
	s.store = leasetest.NewStore(s.clock)
	s.a = s.store.MustNewClient("a")
	s.b = s.store.MustNewClient("b")
}

func checkRangeError(c *gc.C, err error, want string) {
	c.Check(err, gc.ErrorMatches, regexp.QuoteMeta(want))
	c.Check(errors.Is(err, lease.ErrTimeOutOfRange), jc.IsTrue)
}

func (s *TimeRangeSuite) TestClaimIssueValues(c *gc.C) {
	for _, r := range rangetest.Requests {
		err := s.a.ClaimLease("redis", lease.Request{Holder: "redis/0", Duration: r.Duration})
		checkRangeError(c, err, r.Message("redis"))
	}
	// Nothing was written: b sees redis free, and can claim it.
	c.Assert(s.b.Refresh(), jc.ErrorIsNil)
	c.Check(s.b.Leases(), gc.HasLen, 0)
	c.Check(s.a.Leases(), gc.HasLen, 0)
	c.Check(s.b.ClaimLease("redis", lease.Request{Holder: "redis/1", Duration: time.Minute}), jc.ErrorIsNil)
}

func (s *TimeRangeSuite) TestExtendIssueValues(c *gc.C) {
	c.Assert(s.a.ClaimLease("redis", lease.Request{Holder: "redis/0", Duration: time.Minute}), jc.ErrorIsNil)
	for _, r := range rangetest.Requests {
		err := s.a.ExtendLease("redis", lease.Request{Holder: "redis/0", Duration: r.Duration})
		checkRangeError(c, err, r.Message("redis"))
	}
	c.Assert(s.b.Refresh(), jc.ErrorIsNil)
	info, _ := s.b.Lease("redis")
	c.Check(info.Expiry, jc.DeepEquals, issueNow.Add(time.Minute))
}

func (s *TimeRangeSuite) TestLastTime(c *gc.C) {
	last := rangetest.Last
	s.clock.Advance(last.Add(-time.Minute).Sub(issueNow))
	c.Assert(s.a.ClaimLease("redis", lease.Request{Holder: "redis/0", Duration: time.Minute}), jc.ErrorIsNil)
	info, _ := s.a.Lease("redis")
	c.Check(info.Expiry.Equal(last), jc.IsTrue)
	err := s.a.ClaimLease("memcached", lease.Request{Holder: "memcached/0", Duration: time.Minute + time.Nanosecond})
	checkRangeError(c, err, `expiry 2262-04-11T23:47:16.854775808Z of lease "memcached" (clock reading 2262-04-11T23:46:16.854775807Z plus 1m0.000000001s)`+rangetest.Tail)
}

func (s *TimeRangeSuite) TestClockOutOfRange(c *gc.C) {
	c.Assert(s.a.ClaimLease("redis", lease.Request{Holder: "redis/0", Duration: time.Minute}), jc.ErrorIsNil)
	c.Assert(s.b.Refresh(), jc.ErrorIsNil)
	s.clock.Advance(rangetest.Last.Add(time.Nanosecond).Sub(issueNow))
	want := `clock reading 2262-04-11T23:47:16.854775808Z of client "a"` + rangetest.Tail
	checkRangeError(c, s.a.ClaimLease("other", lease.Request{Holder: "other/0", Duration: time.Nanosecond}), want)
	checkRangeError(c, s.a.ExtendLease("redis", lease.Request{Holder: "redis/0", Duration: time.Minute}), want)
	checkRangeError(c, s.a.ExpireLease("redis"), want)
	checkRangeError(c, s.a.Refresh(), want)
	checkRangeError(c, s.a.RefreshReleases(), want)
	_, err := s.store.NewClient("c")
	checkRangeError(c, err, `clock reading 2262-04-11T23:47:16.854775808Z of client "c"`+rangetest.Tail)
	// Nothing changed: redis is still held, to the same expiry.
	info, ok := s.b.Lease("redis")
	c.Check(ok, jc.IsTrue)
	c.Check(info.Expiry, jc.DeepEquals, issueNow.Add(time.Minute))
	c.Check(s.a.Leases(), jc.DeepEquals, s.b.Leases())
}

func (s *TimeRangeSuite) TestNewClientValidatesId(c *gc.C) {
	for _, t := range []struct {
		id, err string
	}{
		{"", `invalid id "": empty`},
		{"machine.0", `invalid id "machine.0": '.' at byte 7 (use "machine-0" instead)`},
		{"machine$0", `invalid id "machine$0": '$' at byte 7 (use "machine-0" instead)`},
		{"machine#0", `invalid id "machine#0": '#' at byte 7 (use "machine-0" instead)`},
		{"machine 0", `invalid id "machine 0": white space U+0020 at byte 7 (use "machine-0" instead)`},
		{"machine\n0", `invalid id "machine\n0": white space U+000A at byte 7 (use "machine-0" instead)`},
		// The in-memory store used to take these, which the MongoDB
		// client cannot store (an id is a field name there).
		{"controller\x00a", `invalid id "controller\x00a": control character U+0000 at byte 10 (use "controller-a" instead)`},
		{"controller\xffa", `invalid id "controller\xffa": invalid UTF-8 at byte 10 (use "controller-a" instead)`},
		{strings.Repeat("c", 257), `invalid id "` + strings.Repeat("c", 64) + `"... (257 bytes): 257 bytes, more than 256`},
	} {
		want := regexp.QuoteMeta(t.err + "; an id must be 1 to 256 bytes of UTF-8 text with no '.', '$', '#', white space or control characters")
		client, err := s.store.NewClient(t.id)
		c.Check(err, gc.ErrorMatches, want)
		c.Check(err, jc.Satisfies, isInvalidArgument)
		c.Check(client, gc.IsNil)
		// The MongoDB client says the same.
		err = lease.ClientConfig{
			Id: t.id, Namespace: "ns", Collection: "leases", Mongo: nil, Clock: s.clock,
		}.Validate()
		c.Check(err, gc.ErrorMatches, want)
		c.Check(err, jc.Satisfies, isInvalidArgument)
	}
	for _, id := range []string{"controller-0", strings.Repeat("c", 256), "контроллер", "ctl_1:2@x"} {
		_, err := s.store.NewClient(id)
		c.Check(err, jc.ErrorIsNil, gc.Commentf("%q", id))
	}
	c.Check(func() { s.store.MustNewClient("") }, gc.PanicMatches, `leasetest: NewClient\(""\): invalid id "": empty; .*`)
}

// isInvalidArgument reports whether err matches lease.ErrInvalidArgument,
// for jc.Satisfies.
func isInvalidArgument(err error) bool {
	return errors.Is(err, lease.ErrInvalidArgument)
}
