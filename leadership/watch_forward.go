package leadership

import "context"

// forward is the goroutine behind a watch: it takes each value the loop
// sends on w.in as soon as it comes (it is always ready to, so the loop
// never waits on the reader), numbers it, keeps it in a queue of at most
// WatchBacklog values (dropping the oldest to make room), and offers the
// oldest to the reader on out.
//
// Once ctx is done, it closes done (so that the loop no longer sends to
// it) and out, at once, dropping what it holds, then has the loop forget
// w through requests, unless the manager is stopping. Once the loop has
// closed w.in (see closeWatches), it delivers what it holds, then closes
// out.
func (w *watch) forward(ctx context.Context, out chan<- Leader, requests chan<- request, dying <-chan struct{}) {
	var (
		queue []Leader
		seq   uint64
		in    = w.in
	)
	for in != nil || len(queue) > 0 {
		var (
			send chan<- Leader
			next Leader
		)
		if len(queue) > 0 {
			send, next = out, queue[0]
		}
		select {
		case <-ctx.Done():
			close(w.done)
			close(out)
			if in != nil {
				select {
				case requests <- (*unwatch)(w):
				case <-dying:
				}
			}
			return
		case v, ok := <-in:
			if !ok {
				in = nil
				continue
			}
			seq++
			v.Seq = seq
			queue = enqueue(queue, v, WatchBacklog)
		case send <- next:
			queue[0] = Leader{}
			queue = queue[1:]
		}
	}
	close(out)
}

// enqueue appends v to queue, first dropping its oldest value if it
// already holds limit.
func enqueue(queue []Leader, v Leader, limit int) []Leader {
	if len(queue) >= limit {
		queue = queue[len(queue)-limit+1:]
	}
	return append(queue, v)
}
