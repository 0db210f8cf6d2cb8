package fake

import (
	"errors"
	"io"
	"sync/atomic"
)

// overlapBuffers is how many copy buffers overlapCopy circulates between its reader and its
// writer: with two, one fills from the socket while the other is written to the file.
const overlapBuffers = 2

// overlapCopy copies src to dst like io.CopyBuffer, but writes in a goroutine of its own
// while the caller's goroutine goes on reading, so that reading the upload from the socket
// and writing it to the media file proceed at the same time instead of in turn. Each read is
// handed on as it comes (never waiting to fill a buffer, which stalled the sender). At most
// overlapBuffers copy buffers are in use: memory stays flat whatever the size. It returns the
// bytes written and the first error of either side; a read error wins over a write error
// only when it came first.
func overlapCopy(dst io.Writer, src io.Reader) (int64, error) {
	type chunk struct {
		buf *[]byte
		n   int
	}
	free := make(chan *[]byte, overlapBuffers)
	full := make(chan chunk, overlapBuffers)
	done := make(chan error, 1)
	for range overlapBuffers {
		free <- copyBufs.Get().(*[]byte)
	}
	var written int64
	var failed atomic.Bool // the writer failed: reading on is pointless
	go func() {
		var werr error
		for c := range full {
			if werr == nil {
				var n int
				n, werr = dst.Write((*c.buf)[:c.n])
				written += int64(n)
				if werr == nil && n < c.n {
					werr = io.ErrShortWrite
				}
				if werr != nil {
					failed.Store(true)
				}
			}
			free <- c.buf
		}
		done <- werr
	}()
	var rerr error
	for {
		buf := <-free
		n, err := src.Read(*buf)
		if n > 0 {
			full <- chunk{buf, n}
		} else {
			free <- buf
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				rerr = err
			}
			break
		}
		if failed.Load() {
			break
		}
	}
	close(full)
	werr := <-done
	for range overlapBuffers {
		copyBufs.Put(<-free)
	}
	if rerr != nil {
		return written, rerr
	}
	return written, werr
}
