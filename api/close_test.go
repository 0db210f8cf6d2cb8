package api

import (
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// connCounter counts the connections a test server accepted and saw closed.
type connCounter struct {
	mu             sync.Mutex
	opened, closed int
}

func (cc *connCounter) track(_ net.Conn, st http.ConnState) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	switch st {
	case http.StateNew:
		cc.opened++
	case http.StateClosed, http.StateHijacked:
		cc.closed++
	}
}

func (cc *connCounter) open() int {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.opened - cc.closed
}

// healthServer starts a server that answers the health check, counting its connections.
func healthServer(t *testing.T, tlsOn bool) (*httptest.Server, *connCounter) {
	t.Helper()
	var cc connCounter
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, `{"health":{"gateway_status":"connected"}}`)
	}))
	srv.Config.ConnState = cc.track
	if tlsOn {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv, &cc
}

// TestCloseReleasesTheConnectionsOfTheTransportTheClientOwns makes 50 short-lived clients
// with their own TLS trust, each closed after one request: their keep-alive connections (and
// the transport's two goroutines per connection) must go at once, not after the 90 s idle
// timeout. Before Close existed they all stayed open.
func TestCloseReleasesTheConnectionsOfTheTransportTheClientOwns(t *testing.T) {
	t.Parallel()
	srv, cc := healthServer(t, true)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	for range 50 {
		c, err := NewClient(srv.URL, WithToken(testToken), WithRootCAs(pool))
		require.NoError(t, err)
		_, err = c.CheckHealth(t.Context())
		require.NoError(t, err)
		require.NoError(t, c.Close())
		require.NoError(t, c.Close(), "Close is idempotent")
	}
	assert.Eventually(t, func() bool { return cc.open() == 0 }, 5*time.Second, 10*time.Millisecond,
		"connections still open after Close: %d", cc.open())
}

// TestCloseLeavesTheCallersTransportAlone checks that Close never closes the connections of
// a transport passed with WithHTTPClient: other users of it keep their keep-alive pool.
func TestCloseLeavesTheCallersTransportAlone(t *testing.T) {
	t.Parallel()
	srv, cc := healthServer(t, false)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := NewClient(srv.URL, WithToken(testToken), WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	_, err = c.CheckHealth(t.Context())
	require.NoError(t, err)
	require.NoError(t, c.Close())
	time.Sleep(50 * time.Millisecond) // give a wrongly closed connection time to be seen
	assert.Equal(t, 1, cc.open(), "the caller's idle connection must stay open")
}
