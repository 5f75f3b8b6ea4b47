package mongofixture

import (
	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/integration/mongotest"
)

// Suite is a gocheck fixture, for embedding in a suite, that gives each
// test a fresh [Fixture] and tears it down after the cleanups that the test
// added, last first, while the server still runs.
type Suite struct {
	*Fixture
	// Options configures each test's server.
	Options  mongotest.Options
	cleanups []func(*gc.C)
}

// SetUpTest starts the test's Fixture, and fails the test if it cannot.
func (s *Suite) SetUpTest(c *gc.C) {
	f, err := Start(s.Options)
	c.Assert(err, jc.ErrorIsNil)
	s.Fixture = f
}

// TearDownTest runs the cleanups, last first, and closes the Fixture.
func (s *Suite) TearDownTest(c *gc.C) {
	for i := len(s.cleanups) - 1; i >= 0; i-- {
		s.cleanups[i](c)
	}
	s.cleanups = nil
	if s.Fixture != nil {
		s.Fixture.Close()
		s.Fixture = nil
	}
}

// AddCleanup arranges for f to run at the end of the test, before the
// Fixture closes.
func (s *Suite) AddCleanup(f func(*gc.C)) {
	s.cleanups = append(s.cleanups, f)
}
