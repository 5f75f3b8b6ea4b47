package worker_test

import (
	"errors"
	"testing"

	"github.com/seed07a61904/leadership/worker"
)

type fakeWorker struct {
	killed bool
	err    error
	order  []string
}

func (w *fakeWorker) Kill() {
	w.killed = true
	w.order = append(w.order, "kill")
}

func (w *fakeWorker) Wait() error {
	w.order = append(w.order, "wait")
	return w.err
}

func TestStopKillsThenWaits(t *testing.T) {
	w := &fakeWorker{}
	if err := worker.Stop(w); err != nil {
		t.Fatalf("Stop returned %v, want nil", err)
	}
	if got := len(w.order); got != 2 || w.order[0] != "kill" || w.order[1] != "wait" {
		t.Fatalf("calls = %v, want [kill wait]", w.order)
	}
}

func TestStopReturnsWaitError(t *testing.T) {
	boom := errors.New("boom")
	w := &fakeWorker{err: boom}
	if err := worker.Stop(w); err != boom {
		t.Fatalf("Stop returned %v, want %v", err, boom)
	}
	if !w.killed {
		t.Fatal("Stop did not kill the worker")
	}
}
