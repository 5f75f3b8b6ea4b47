package mgowire

import "time"

// longWait bounds anything a test waits for; it is a failure deadline,
// never a pause.
const longWait = 10 * time.Second

// timeout returns a channel that receives once longWait has passed.
func timeout() <-chan time.Time {
	return time.After(longWait)
}
