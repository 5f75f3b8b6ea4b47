package lease_test

import (
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
		{lease.Request{"", time.Minute}, "invalid holder: string is empty"},
		{lease.Request{"$bad", time.Minute}, "invalid holder: string contains forbidden characters"},
		{lease.Request{"a.b", time.Minute}, "invalid holder: string contains forbidden characters"},
		{lease.Request{"a#b", time.Minute}, "invalid holder: string contains forbidden characters"},
		{lease.Request{"a b", time.Minute}, "invalid holder: string contains forbidden characters"},
		{lease.Request{"a\tb", time.Minute}, "invalid holder: string contains forbidden characters"},
		{lease.Request{"a\rb", time.Minute}, "invalid holder: string contains forbidden characters"},
		{lease.Request{"a\nb", time.Minute}, "invalid holder: string contains forbidden characters"},
		{lease.Request{"holder", 0}, "invalid duration"},
		{lease.Request{"holder", -time.Second}, "invalid duration"},
		{lease.Request{"$bad", 0}, "invalid holder: string contains forbidden characters"},
	} {
		c.Logf("test %d: %+v", i, t.request)
		err := t.request.Validate()
		if t.err == "" {
			c.Check(err, jc.ErrorIsNil)
		} else {
			c.Check(err, gc.ErrorMatches, regexpQuote(t.err))
		}
	}
}

func (s *RequestSuite) TestErrInvalid(c *gc.C) {
	c.Check(lease.ErrInvalid, gc.ErrorMatches, "invalid lease operation")
}
