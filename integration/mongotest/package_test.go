package mongotest_test

import (
	"testing"
	"time"

	"go.uber.org/goleak"
	gc "gopkg.in/check.v1"
)

// longWait bounds how long a test waits for something that should happen;
// it is only ever a failure deadline. It is long because the concurrent
// txn test takes about 30 s under -race on two cores, and more when other
// packages' tests share them.
const longWait = 5 * time.Minute

// shortWait is the window of a "must not happen" assertion: how long a
// test waits to see that something does not happen.
const shortWait = 50 * time.Millisecond

// mgoGoroutines are mgo.v2's own goroutines, which outlive a closed session
// for up to its 15-second ping interval: the pinger, the sync loop, and a
// sync of one server that failed and sleeps before its retry. (The stack
// traces spell the package path with its dot escaped.)
var mgoGoroutines = []goleak.Option{
	goleak.IgnoreAnyFunction("gopkg.in/mgo%2ev2.(*mongoServer).pinger"),
	goleak.IgnoreAnyFunction("gopkg.in/mgo%2ev2.(*mongoCluster).syncServersLoop"),
	goleak.IgnoreAnyFunction("gopkg.in/mgo%2ev2.(*mongoCluster).syncServer"),
}

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, mgoGoroutines...)
}

func TestPackage(t *testing.T) {
	gc.TestingT(t)
}
