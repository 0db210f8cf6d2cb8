package fake

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// failAfterWriter accepts limit bytes, then fails.
type failAfterWriter struct {
	limit, got int
	err        error
}

func (w *failAfterWriter) Write(p []byte) (int, error) {
	if w.got+len(p) > w.limit {
		return 0, w.err
	}
	w.got += len(p)
	return len(p), nil
}

// countingReader yields size bytes of a pattern and counts the reads made of it.
type countingReader struct {
	left, reads int
}

func (r *countingReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	r.reads++
	n := min(len(p), r.left)
	for i := range n {
		p[i] = byte(r.left - i)
	}
	r.left -= n
	return n, nil
}

// TestOverlapCopyCopiesEveryByteInOrder checks overlapCopy against io.Copy for sizes around
// its buffer size and for readers that return little at a time or data with io.EOF.
func TestOverlapCopyCopiesEveryByteInOrder(t *testing.T) {
	t.Parallel()
	data := make([]byte, 3*copyBufSize+12345)
	for i := range data {
		data[i] = byte(i * 7)
	}
	tests := []struct {
		name string
		src  func() io.Reader
		want []byte
	}{
		{"empty", func() io.Reader { return bytes.NewReader(nil) }, nil},
		{"one byte", func() io.Reader { return bytes.NewReader(data[:1]) }, data[:1]},
		{"one buffer", func() io.Reader { return bytes.NewReader(data[:copyBufSize]) }, data[:copyBufSize]},
		{"several buffers", func() io.Reader { return bytes.NewReader(data) }, data},
		{"half reads", func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) }, data},
		{"data with EOF", func() io.Reader { return iotest.DataErrReader(bytes.NewReader(data)) }, data},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var dst bytes.Buffer
			n, err := overlapCopy(&dst, tc.src())
			require.NoError(t, err)
			assert.Equal(t, int64(len(tc.want)), n)
			assert.True(t, bytes.Equal(tc.want, dst.Bytes()), "copied bytes differ")
		})
	}
}

// TestOverlapCopyReportsTheFirstError checks that a read error and a write error both come
// back, with the bytes written before them, and that a failed write stops the reading
// instead of consuming the rest of the upload.
func TestOverlapCopyReportsTheFirstError(t *testing.T) {
	t.Parallel()
	readErr, writeErr := errors.New("connection reset"), errors.New("disk full")
	t.Run("read", func(t *testing.T) {
		t.Parallel()
		var dst bytes.Buffer
		src := io.MultiReader(bytes.NewReader(make([]byte, 1000)), iotest.ErrReader(readErr))
		n, err := overlapCopy(&dst, src)
		require.ErrorIs(t, err, readErr)
		assert.Equal(t, int64(1000), n)
		assert.Equal(t, 1000, dst.Len())
	})
	t.Run("write", func(t *testing.T) {
		t.Parallel()
		src := &countingReader{left: 64 * copyBufSize}
		dst := &failAfterWriter{limit: copyBufSize, err: writeErr}
		n, err := overlapCopy(dst, src)
		require.ErrorIs(t, err, writeErr)
		assert.Equal(t, int64(copyBufSize), n)
		assert.Less(t, src.reads, 2+2*overlapBuffers, "reading went on after the write failed")
	})
}
