package leadership

import (
	"fmt"
	"strings"

	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
)

// splitSuite checks splitRound, on both sides of linearRound.
type splitSuite struct{}

var _ = gc.Suite(&splitSuite{})

// namedJob is a writeJob that has only a lease name.
type namedJob string

func (j namedJob) service() string               { return string(j) }
func (j namedJob) next() (lease.Op, bool, error) { return lease.Op{}, true, nil }
func (j namedJob) applied(error) bool            { return true }
func (j namedJob) finish(error)                  {}

// jobNames returns the names of jobs' leases, in order.
func jobNames(jobs []writeJob) string {
	names := make([]string, len(jobs))
	for i, j := range jobs {
		names[i] = j.service()
	}
	return strings.Join(names, " ")
}

// distinct returns the names l0 to l<n-1>.
func distinct(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("l%d", i)
	}
	return names
}

func (s *splitSuite) TestSplitRound(c *gc.C) {
	many := distinct(linearRound + 4)
	for i, t := range []struct {
		jobs         []string
		round, later string
	}{{
		jobs:  []string{"a"},
		round: "a",
	}, {
		jobs:  []string{"a", "b", "a", "c", "a", "b"},
		round: "a b c",
		later: "a a b",
	}, {
		// Past linearRound, repeats of leases taken before and after
		// the map is made.
		jobs:  append(append(append([]string(nil), many...), "l0", "l17", "x"), many[:2]...),
		round: strings.Join(many, " ") + " x",
		later: "l0 l17 l0 l1",
	}, {
		// A repeat when the round holds exactly linearRound jobs.
		jobs:  append(distinct(linearRound), "l3", "l3", "y"),
		round: strings.Join(distinct(linearRound), " ") + " y",
		later: "l3 l3",
	}} {
		jobs := make([]writeJob, len(t.jobs))
		for k, name := range t.jobs {
			jobs[k] = namedJob(name)
		}
		round, later := splitRound(jobs)
		c.Check(jobNames(round), gc.Equals, t.round, gc.Commentf("test %d", i))
		c.Check(jobNames(later), gc.Equals, t.later, gc.Commentf("test %d", i))
	}
}
