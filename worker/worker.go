// Package worker defines the lifecycle contract shared by long-running
// goroutines in this module, such as the leadership manager.
package worker

// Worker is a goroutine, or a group of goroutines, with a lifecycle that its
// owner controls through Kill and Wait.
//
// A Worker stops for one of two reasons: its owner called Kill, or it failed
// on its own. Either way, Wait reports the outcome once everything the worker
// started has finished.
type Worker interface {
	// Kill asks the worker to stop. It returns at once, without waiting for
	// the worker to finish, and may be called any number of times, from any
	// goroutine, before or after the worker has stopped.
	Kill()

	// Wait blocks until the worker has stopped and then returns the error
	// that stopped it: nil when it stopped because Kill was called, or the
	// error it failed with otherwise. Every call returns the same value.
	Wait() error
}

// Stop kills w and waits for it to finish, returning the error Wait reports.
func Stop(w Worker) error {
	w.Kill()
	return w.Wait()
}
