package lease_test

import (
	"strings"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
)

type RequestSuite struct{}

var _ = gc.Suite(&RequestSuite{})

func (s *RequestSuite) TestValidate(c *gc.C) {
	for i, t := range []struct {
		request lease.Request
		err     string
	}{
		{lease.Request{"redis/0", time.Minute}, ""},
		{lease.Request{"a", time.Nanosecond}, ""},
		{lease.Request{"", time.Minute}, `invalid holder "": empty`},
		{lease.Request{"$bad", time.Minute}, `invalid holder "$bad": '$' at byte 0 (use "-bad" instead)`},
		{lease.Request{"a.b", time.Minute}, `invalid holder "a.b": '.' at byte 1 (use "a-b" instead)`},
		{lease.Request{"a#b", time.Minute}, `invalid holder "a#b": '#' at byte 1 (use "a-b" instead)`},
		{lease.Request{"a b", time.Minute}, `invalid holder "a b": white space U+0020 at byte 1 (use "a-b" instead)`},
		{lease.Request{"a\tb", time.Minute}, `invalid holder "a\tb": white space U+0009 at byte 1 (use "a-b" instead)`},
		{lease.Request{"a\rb", time.Minute}, `invalid holder "a\rb": white space U+000D at byte 1 (use "a-b" instead)`},
		{lease.Request{"a\nb", time.Minute}, `invalid holder "a\nb": white space U+000A at byte 1 (use "a-b" instead)`},
		{lease.Request{"holder", 0}, "invalid duration 0s: must be positive"},
		{lease.Request{"holder", -time.Second}, "invalid duration -1s: must be positive"},
		{lease.Request{"$bad", 0}, `invalid holder "$bad": '$' at byte 0 (use "-bad" instead)`},
		{lease.Request{"a\x00b", time.Minute}, `invalid holder "a\x00b": control character U+0000 at byte 1 (use "a-b" instead)`},
		{lease.Request{"a\xffb", time.Minute}, `invalid holder "a\xffb": invalid UTF-8 at byte 1 (use "a-b" instead)`},
		{lease.Request{strings.Repeat("x", 257), time.Minute}, `invalid holder "` + strings.Repeat("x", 64) + `"... (257 bytes): 257 bytes, more than 256`},
		{lease.Request{strings.Repeat("x", 256), time.Minute}, ""},
	} {
		c.Logf("test %d: %+v", i, t.request)
		err := t.request.Validate()
		if t.err == "" {
			c.Check(err, jc.ErrorIsNil)
		} else {
			// The message goes on with the rule.
			c.Check(err, gc.ErrorMatches, regexpQuote(t.err)+"(; a holder must be .*)?")
			c.Check(err, jc.Satisfies, isInvalidArgument)
		}
	}
}

func (s *RequestSuite) TestErrInvalid(c *gc.C) {
	c.Check(lease.ErrInvalid, gc.ErrorMatches, "invalid lease operation")
}
