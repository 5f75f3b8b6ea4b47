package leadership

import (
	"github.com/juju/errors"
)

// managerStopped ends the tracker once its manager has begun to stop
// (see [Stopping]), without waiting for its next call to say so: it
// answers every pending ticket false, ends every leader context with the
// error it returns (without waiting for the work: a stopped manager
// cannot revoke, so there is nothing to wait for), gives up a wait for a
// release, and waits for a call in flight, which returns ErrStopped at
// once. It does not revoke. It returns the error, matching ErrStopped,
// that the tracker stops with.
func (t *tracker) managerStopped() error {
	err := errors.Annotatef(ErrStopped, "tracking leadership of %q for %q", t.config.ServiceName, t.config.UnitName)
	t.answerAll(false)
	t.closeService(t.now(), err)
	if t.cancelBlock != nil {
		t.cancelBlock()
	}
	if t.calling != noCall {
		<-t.results
		t.calling = noCall
	}
	return err
}
