package lease

import (
	"github.com/juju/errors"
	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/txn"
)

type RunSuite struct{}

var _ = gc.Suite(&RunSuite{})

// scriptedMongo returns its results from RunTransaction in turn, and
// records the ops it was given.
type scriptedMongo struct {
	results []error
	ran     [][]txn.Op
}

func (m *scriptedMongo) RunTransaction(ops []txn.Op) error {
	m.ran = append(m.ran, ops)
	err := m.results[0]
	m.results = m.results[1:]
	return err
}

func (m *scriptedMongo) GetCollection(string) (*mgo.Collection, func()) {
	panic("not used")
}

var someOps = []txn.Op{{C: "c", Id: "id", Assert: txn.DocExists}}

// runSomeOps runs someOps on mongo, and returns the attempts that run
// asked for the ops at, in order.
func runSomeOps(mongo *scriptedMongo) ([]int, error) {
	var attempts []int
	err := run(mongo, func(attempt int) ([]txn.Op, error) {
		attempts = append(attempts, attempt)
		return someOps, nil
	})
	return attempts, err
}

func (s *RunSuite) TestRunsOnce(c *gc.C) {
	mongo := &scriptedMongo{results: []error{nil}}
	attempts, err := runSomeOps(mongo)
	c.Check(err, jc.ErrorIsNil)
	c.Check(attempts, jc.DeepEquals, []int{0})
	c.Check(mongo.ran, jc.DeepEquals, [][]txn.Op{someOps})
}

func (s *RunSuite) TestRetriesWhenAborted(c *gc.C) {
	mongo := &scriptedMongo{results: []error{txn.ErrAborted, errors.Annotate(txn.ErrAborted, "wrapped"), nil}}
	attempts, err := runSomeOps(mongo)
	c.Check(err, jc.ErrorIsNil)
	c.Check(attempts, jc.DeepEquals, []int{0, 1, 2})
}

func (s *RunSuite) TestExcessiveContention(c *gc.C) {
	mongo := &scriptedMongo{results: []error{txn.ErrAborted, txn.ErrAborted, txn.ErrAborted}}
	attempts, err := runSomeOps(mongo)
	c.Check(err, gc.ErrorMatches, "state changing too quickly; try again soon")
	c.Check(errors.Is(err, ErrExcessiveContention), jc.IsTrue)
	c.Check(attempts, jc.DeepEquals, []int{0, 1, 2})
	c.Check(mongo.ran, gc.HasLen, 3)
}

func (s *RunSuite) TestNoOperations(c *gc.C) {
	mongo := &scriptedMongo{}
	err := run(mongo, func(attempt int) ([]txn.Op, error) {
		return nil, errNoOperations
	})
	c.Check(err, jc.ErrorIsNil)
	c.Check(mongo.ran, gc.HasLen, 0)
}

func (s *RunSuite) TestInvalidIsBare(c *gc.C) {
	mongo := &scriptedMongo{results: []error{txn.ErrAborted}}
	err := run(mongo, func(attempt int) ([]txn.Op, error) {
		if attempt == 0 {
			return someOps, nil
		}
		return nil, errors.Annotate(ErrInvalid, "decided after refresh")
	})
	c.Check(err == ErrInvalid, jc.IsTrue)
	c.Check(mongo.ran, gc.HasLen, 1)
}

func (s *RunSuite) TestBuildError(c *gc.C) {
	boom := errors.New("boom")
	mongo := &scriptedMongo{}
	err := run(mongo, func(attempt int) ([]txn.Op, error) {
		return nil, boom
	})
	c.Check(err, gc.ErrorMatches, "boom")
	c.Check(errors.Is(err, boom), jc.IsTrue)
	c.Check(mongo.ran, gc.HasLen, 0)
}

// checkRunFails runs someOps on a store whose transaction fails with a
// new error of text msg, and checks that run returns that error as want
// says, matching ErrUnavailable or not as unavailable says.
func checkRunFails(c *gc.C, msg, want string, unavailable bool) {
	boom := errors.New(msg)
	mongo := &scriptedMongo{results: []error{boom}}
	_, err := runSomeOps(mongo)
	c.Check(err, gc.ErrorMatches, want)
	c.Check(errors.Is(err, boom), jc.IsTrue)
	c.Check(errors.Is(err, ErrUnavailable), gc.Equals, unavailable)
	c.Check(mongo.ran, gc.HasLen, 1)
}

func (s *RunSuite) TestRunError(c *gc.C) {
	checkRunFails(c, "no reachable servers", "lease store unavailable: no reachable servers", true)
}

func (s *RunSuite) TestRunOtherError(c *gc.C) {
	checkRunFails(c, "boom", "boom", false)
}
