package api

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/fake"
)

// uploadFixture returns a client logged in to a fresh fake on a manual clock, and the fake.
func uploadFixture(t *testing.T) (*Client, *fake.TestServer, *fake.ManualClock) {
	t.Helper()
	clock := fake.NewManualClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	ts := fake.NewTestServer(t, fake.WithClock(clock), fake.WithAdminPassword(fake.TestAdminNewPassword))
	var s sleeps
	c, err := NewClient(ts.URL, WithCredentials(ts.AdminUsername, ts.AdminPassword), withSleep(s.sleep))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c, ts, clock
}

// TestUploadReplayAfterTokenExpiryGivesEachAttemptItsOwnReader uploads 4 MiB twenty times,
// each after the fake's token expired: the first attempt is answered 401 while the transport
// may still be reading the body, and the replay after the re-login must not share (seek) the
// reader the previous attempt's transport still holds. Before the fix 20-60 % of these
// uploads failed with "http: ContentLength=N with Body length M" and -race reported
// bytes.(*Reader).Seek racing with the transport's writeLoop.
func TestUploadReplayAfterTokenExpiryGivesEachAttemptItsOwnReader(t *testing.T) {
	t.Parallel()
	c, _, clock := uploadFixture(t)
	data := bytes.Repeat([]byte("wabiz-upload-"), 4*mib/13+1)[:4*mib]
	failures := 0
	for i := range 20 {
		clock.Advance(fake.TokenLifetime + time.Second)
		id, err := c.UploadMedia(t.Context(), bytes.NewReader(data), "application/pdf")
		if err != nil || id == "" {
			failures++
			t.Errorf("upload %d: id %q, %v", i, id, err)
		}
	}
	assert.Zero(t, failures, "failed uploads out of 20")
}

// seekOnly is an io.ReadSeeker without ReadAt, replayed by rewinding.
type seekOnly struct{ r *bytes.Reader }

func (s *seekOnly) Read(p []byte) (int, error)                { return s.r.Read(p) }
func (s *seekOnly) Seek(off int64, whence int) (int64, error) { return s.r.Seek(off, whence) }

// TestUploadRetryAfterEarly429GivesEachAttemptItsOwnReader retries uploads that the server
// rejects with 429 before reading their body, from a *bytes.Reader, an *os.File and a reader
// that can only seek: every retry must send the whole body again from the caller's starting
// offset, and never while the previous attempt still reads it.
func TestUploadRetryAfterEarly429GivesEachAttemptItsOwnReader(t *testing.T) {
	t.Parallel()
	data := bytes.Repeat([]byte("0123456789abcdef"), 2*mib/16)
	path := filepath.Join(t.TempDir(), "doc.pdf")
	require.NoError(t, os.WriteFile(path, append([]byte("skipped!"), data...), 0o600))
	for _, tc := range []struct {
		name string
		open func(t *testing.T) io.Reader
	}{
		{name: "bytes.Reader", open: func(*testing.T) io.Reader { return bytes.NewReader(data) }},
		{name: "os.File", open: func(t *testing.T) io.Reader {
			f, err := os.Open(path)
			require.NoError(t, err)
			t.Cleanup(func() { _ = f.Close() })
			_, err = f.Seek(8, io.SeekStart) // the upload starts at the caller's offset
			require.NoError(t, err)
			return f
		}},
		{name: "ReadSeeker", open: func(*testing.T) io.Reader { return &seekOnly{bytes.NewReader(data)} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, ts, _ := uploadFixture(t)
			for i := range 10 {
				_, err := ts.InjectFault(fake.Fault{OperationID: "uploadMedia", Status: 429, Times: 2})
				require.NoError(t, err)
				id, err := c.UploadMedia(t.Context(), tc.open(t), "application/pdf")
				require.NoError(t, err, "upload %d", i)
				body, _, err := c.DownloadMedia(t.Context(), id)
				require.NoError(t, err)
				var got bytes.Buffer
				_, err = got.ReadFrom(body)
				_ = body.Close()
				require.NoError(t, err)
				assert.True(t, bytes.Equal(data, got.Bytes()), "upload %d stored %d bytes, want the %d sent", i, got.Len(), len(data))
			}
		})
	}
}
