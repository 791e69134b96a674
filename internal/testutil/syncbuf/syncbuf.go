// Package syncbuf is a bytes.Buffer safe for concurrent use: the stdout/stderr sink of the peer
// processes tests start (collector, versitygw), written by exec's copier and read by the test.
package syncbuf

import (
	"bytes"
	"sync"
)

// Buffer collects a process's output.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
