package leadership

// Ticket is the answer to a question asked of a [Tracker]. The answer
// comes once; a ticket's methods are safe for concurrent use.
type Ticket interface {
	// Wait blocks until the ticket's question is answered, and returns
	// the answer.
	Wait() bool

	// Ready returns a channel that is closed once Wait would not block.
	Ready() <-chan struct{}
}

// ticket is the [Ticket] a tracker hands out. Its tracker's loop answers
// it exactly once, through answer.
type ticket struct {
	ready  chan struct{}
	result bool // written before ready is closed, read after
}

func newTicket() *ticket {
	return &ticket{ready: make(chan struct{})}
}

// answer records v and makes the ticket ready. It must be called once.
func (t *ticket) answer(v bool) {
	t.result = v
	close(t.ready)
}

// Wait is part of the [Ticket] interface.
func (t *ticket) Wait() bool {
	<-t.ready
	return t.result
}

// Ready is part of the [Ticket] interface.
func (t *ticket) Ready() <-chan struct{} {
	return t.ready
}

// question is what a ticket asks of a tracker.
type question int

const (
	// claimLeader: is the unit leader for at least ClaimDuration?
	claimLeader question = iota
	// waitLeader: answer true once the unit is leader.
	waitLeader
	// waitMinion: answer true once the unit is not leader.
	waitMinion
)

// ticketRequest is a request to a tracker's loop to answer a ticket.
type ticketRequest struct {
	question question
	ticket   *ticket
}
