package leadership

import (
	"github.com/juju/errors"
)

// managerStopped ends the tracker once its manager has begun to stop
// (see [Stopping]), without waiting for its next call to say so: it
// answers every pending ticket false, gives up a wait for a release, and
// waits for a claim in flight, which returns ErrStopped at once. It does
// not revoke: a stopped manager cannot. It returns the error, matching
// ErrStopped, that the tracker stops with.
func (t *tracker) managerStopped() error {
	t.answerAll(false)
	if t.cancelBlock != nil {
		t.cancelBlock()
	}
	if t.calling != noCall {
		<-t.results
		t.calling = noCall
	}
	return errors.Annotatef(ErrStopped, "tracking leadership of %q for %q", t.config.ServiceName, t.config.UnitName)
}
