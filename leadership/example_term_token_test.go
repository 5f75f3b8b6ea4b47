package leadership_test

import (
	"fmt"
	"time"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/worker"
)

// Checking leadership in a term: a term token's AssertOps assert the
// lease's holder and term, so a transaction with a token from an earlier
// term aborts even once the unit leads again; its Term, which only rises,
// can be written beside the data as a fencing token.
func Example_termToken() {
	manager, _ := newExampleManager()
	defer worker.Stop(manager)
	checker := manager.(leadership.TermChecker)

	if err := manager.ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
		panic(err)
	}
	first, err := checker.CheckLeadershipTerm("redis", "redis/0")
	if err != nil {
		panic(err)
	}
	for _, op := range first.AssertOps() {
		fmt.Printf("term %d: collection %s, id %v, assert %v\n", first.Term(), op.C, op.Id, op.Assert)
	}

	// redis/0 gives up leadership and takes it again: a new term.
	if err := manager.(leadership.Revoker).RevokeLeadership("redis", "redis/0"); err != nil {
		panic(err)
	}
	if err := manager.ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
		panic(err)
	}
	second, err := checker.CheckLeadershipTerm("redis", "redis/0")
	if err != nil {
		panic(err)
	}
	fmt.Println("new term:", second.Term(), "above", first.Term(), second.Term() > first.Term())
	// Output:
	// term 1: collection leases, id redis, assert [{holder redis/0} {term 1}]
	// new term: 2 above 1 true
}
