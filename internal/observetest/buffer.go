package observetest

import (
	"bytes"
	"sync"
)

// Buffer is a bytes.Buffer that one goroutine (a log handler, a running
// command) may write while the test reads it. The zero Buffer is empty
// and ready to use.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p to the buffer; it is part of the io.Writer interface.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what has been written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
