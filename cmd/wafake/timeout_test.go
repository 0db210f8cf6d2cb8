package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dialBase opens a raw TCP connection to the wafake at base (http://host:port).
func dialBase(t *testing.T, base string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn
}

// requireClosedByServer reads until the server closes conn; a client-side deadline firing
// first means the server kept the connection open.
func requireClosedByServer(t *testing.T, conn net.Conn, r io.Reader) {
	t.Helper()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	_, err := io.Copy(io.Discard, r)
	require.NoError(t, err, "the server must close the connection (io.Copy ends at EOF)")
}

func TestServerClosesIdleKeepAliveConnections(t *testing.T) {
	t.Parallel()
	base, _ := start(t, []string{"-http", "-addr", "127.0.0.1:0", "-idle-timeout", "300ms"}, nil)
	conn := dialBase(t, base)
	_, err := io.WriteString(conn, "GET /_fake/clock HTTP/1.1\r\nHost: wafake\r\n\r\n")
	require.NoError(t, err)
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.False(t, res.Close, "the connection is kept alive after the request")
	requireClosedByServer(t, conn, br)
}

func TestServerClosesAConnectionWhoseRequestNeverEnds(t *testing.T) {
	t.Parallel()
	base, _ := start(t, []string{"-http", "-addr", "127.0.0.1:0", "-read-timeout", "300ms"}, nil)
	conn := dialBase(t, base)
	// The headers promise 100 bytes of body; only 10 ever come.
	_, err := io.WriteString(conn, "POST /_fake/inbound HTTP/1.1\r\nHost: wafake\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"from\":\"1")
	require.NoError(t, err)
	requireClosedByServer(t, conn, conn)
}

func TestServerTimeoutsDefaults(t *testing.T) {
	t.Parallel()
	s, err := parseFlags(nil, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	hs := s.newHTTPServer(slogDiscard())
	assert.Equal(t, defaultIdleTimeout, hs.IdleTimeout)
	assert.Equal(t, defaultReadTimeout, hs.ReadTimeout)
	assert.Equal(t, defaultReadHeaderTimeout, hs.ReadHeaderTimeout)
	assert.Zero(t, hs.WriteTimeout, "downloads may take as long as they need")
	s, err = parseFlags(nil, envMap{"WAFAKE_IDLE_TIMEOUT": "3s"}.get, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 3*time.Second, s.newHTTPServer(slogDiscard()).IdleTimeout)
	_, err = parseFlags([]string{"-read-timeout", "0s"}, func(string) string { return "" }, io.Discard)
	assert.Error(t, err)
}

type envMap map[string]string

func (m envMap) get(k string) string { return m[k] }
