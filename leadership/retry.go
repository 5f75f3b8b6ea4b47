package leadership

import "time"

// The back-off between wakes that cannot finish: it starts at
// minRetryDelay and doubles up to maxRetryDelay, or MaxSleep if that is
// shorter. It is measured on the manager's clock, so a clock that stands
// still never wakes the manager twice.
const (
	minRetryDelay = 50 * time.Millisecond
	maxRetryDelay = 5 * time.Second
)

// retry is the manager's back-off after wakes that could not finish.
type retry struct {
	// at is the earliest time of the next wake; zero when nothing failed.
	at time.Time
	// delay is how long the last back-off was; zero when nothing failed.
	delay time.Duration
	// after is the name of the lease whose expiry failed last: the next
	// wake tries the others first.
	after string
	// err is why the last wake could not finish; nil when nothing failed.
	err error
}

// failed backs off after a wake at now that could not finish, because of
// err; name is the lease whose expiry failed, if any.
func (r *retry) failed(name string, now time.Time, maxSleep time.Duration, err error) {
	ceiling := maxRetryDelay
	if maxSleep < ceiling {
		ceiling = maxSleep
	}
	switch {
	case r.delay == 0:
		r.delay = minRetryDelay
	default:
		r.delay *= 2
	}
	if r.delay > ceiling {
		r.delay = ceiling
	}
	r.at = now.Add(r.delay)
	r.after = name
	r.err = err
}

// succeeded ends the back-off.
func (r *retry) succeeded() {
	*r = retry{}
}
