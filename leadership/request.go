package leadership

// reply carries the loop's answer to one request back to the caller that
// sent it. Each request that expects an answer embeds one (claim, check
// and revoke through unitRequest; leaders); abort is the manager's tomb.Dying(), so that
// neither side waits for ever on the other once the manager stops.
type reply[T any] struct {
	response chan T
	abort    <-chan struct{}
}

// newReply returns a reply that gives up once abort is closed.
func newReply[T any](abort <-chan struct{}) reply[T] {
	return reply[T]{response: make(chan T), abort: abort}
}

// respond sends the answer back to the caller, unless the manager is
// stopping: the loop never blocks on a caller that has left.
func (r reply[T]) respond(answer T) {
	select {
	case <-r.abort:
	case r.response <- answer:
	}
}

// unitRequest is a request about one unit of one service, answered with
// a T: check, claim and revoke embed one.
type unitRequest[T any] struct {
	service string
	unit    string
	reply[T]
}

// newUnitRequest returns a request about unit of service whose reply
// gives up once abort is closed.
func newUnitRequest[T any](service, unit string, abort <-chan struct{}) unitRequest[T] {
	return unitRequest[T]{service: service, unit: unit, reply: newReply[T](abort)}
}

// sendErr is send for a request whose answer is an error (nil for
// success): it returns the answer, or ErrStopped if the manager stops
// first.
func sendErr[R any](ch chan<- R, req R, r reply[error]) error {
	answer, err := send(ch, req, r)
	if err != nil {
		return err
	}
	return answer
}

// send sends req on ch and waits for the loop's answer on r. It returns
// the answer, or ErrStopped if the manager stops first (before or after
// the loop took req).
func send[R, T any](ch chan<- R, req R, r reply[T]) (T, error) {
	for {
		select {
		case <-r.abort:
			var none T
			return none, ErrStopped
		case ch <- req:
			ch = nil
		case answer := <-r.response:
			return answer, nil
		}
	}
}
