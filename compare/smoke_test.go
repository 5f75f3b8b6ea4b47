package compare_test

import (
	"context"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
)

// TestEtcd runs the etcd side of the benchmarks once, so that make check
// keeps it working, and checks that the IsOwner guard refuses a write once
// the campaign has resigned.
func TestEtcd(t *testing.T) {
	env := newEtcdEnv(t)
	e := concurrency.NewElection(env.session, electionPrefix)
	env.claim(t, e)
	env.guardedWrite(t, e, "while-leader")
	guard := isOwner(e)
	env.release(t, e)
	resp, err := env.client.Txn(context.Background()).
		If(guard).
		Then(clientv3.OpPut("/settings/service", "after-resign")).
		Commit()
	if err != nil {
		t.Fatal(err)
	}
	if resp.Succeeded {
		t.Error("guarded write applied after Resign")
	}
	env.claim(t, e)
	env.release(t, e)
}

// TestOurs runs our side of the benchmarks once on each store, through a
// fresh start on mongotest, so that make check keeps it working.
func TestOurs(t *testing.T) {
	for _, mongo := range []bool{false, true} {
		env := newOursEnv(t, mongo)
		for i := 0; i < 2; i++ {
			env.claim(t)
			env.guardedWrite(t, i)
			env.release(t)
			if _, err := env.manager.CheckLeadership(service, unit); err == nil {
				t.Errorf("mongo=%v: still leader after release", mongo)
			}
			env.ops = freshEvery - 1
			env.tick(t)
		}
	}
}

// TestHandover runs our side of BenchmarkHandover a few times on each
// store, and checks that the waiter leads after each handover.
func TestHandover(t *testing.T) {
	for _, mongo := range []bool{false, true} {
		env := newOursEnvWith(t, &oursEnv{mongo: mongo, otherSleep: otherSleep})
		for i := 0; i < 3; i++ {
			env.handover(t, env.startHandover(t))
			if _, err := env.other.CheckLeadership(service, waiter); err != nil {
				t.Errorf("mongo=%v, handover %d: waiter does not lead: %v", mongo, i, err)
			}
		}
	}
}
