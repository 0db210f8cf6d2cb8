package cloud

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Token is an access token and when it stops working.
type Token struct {
	// AccessToken is the system-user (or Business Integration System User) access token.
	AccessToken string
	// Expiry is when the token expires; the zero time means it does not (a non-expiring
	// system-user token).
	Expiry time.Time
}

// A TokenSource hands out access tokens. System-user tokens are either non-expiring or
// expire after 60 days: a source for the second kind fetches the current token from where
// the application keeps it (a secret manager, a file a rotation job writes...). The client
// caches what it returns until shortly before Expiry, calls it again then, and also when the
// API rejects the token (code 190), once per rejected token, so Token may be slow.
type TokenSource interface {
	// Token returns the current token.
	Token(ctx context.Context) (Token, error)
}

// TokenSourceFunc adapts a function to TokenSource.
type TokenSourceFunc func(ctx context.Context) (Token, error)

// Token calls f.
func (f TokenSourceFunc) Token(ctx context.Context) (Token, error) { return f(ctx) }

// tokenRefreshSkew renews a token this long before it expires, so that no request leaves
// with a token that expires in flight.
const tokenRefreshSkew = 5 * time.Minute

// tokenCache caches the token of a TokenSource. Concurrent callers share one fetch.
type tokenCache struct {
	src TokenSource
	now func() time.Time

	mu       sync.Mutex
	tok      string
	header   []string // "Bearer " + tok, built once per token
	renewAt  time.Time
	inflight *tokenFetch
}

type tokenFetch struct {
	done   chan struct{}
	tok    string
	header []string
	err    error
}

// static returns a cache that always holds tok and never fetches.
func staticTokens(tok string) *tokenCache {
	return &tokenCache{tok: tok, header: []string{"Bearer " + tok}}
}

// get returns the current token and its Authorization header (shared, read-only).
func (c *tokenCache) get(ctx context.Context) (string, []string, error) {
	c.mu.Lock()
	if c.tok != "" && (c.src == nil || c.renewAt.IsZero() || c.now().Before(c.renewAt)) {
		tok, header := c.tok, c.header
		c.mu.Unlock()
		return tok, header, nil
	}
	f := c.inflight
	if f == nil {
		f = &tokenFetch{done: make(chan struct{})}
		c.inflight = f
		go c.fetch(f)
	}
	c.mu.Unlock()
	select {
	case <-f.done:
		return f.tok, f.header, f.err
	case <-ctx.Done():
		return "", nil, fmt.Errorf("wabiz: cloud: waiting for an access token: %w", ctx.Err())
	}
}

// fetchTimeout bounds a fetch that callers share: it runs detached from the context of the
// caller that started it, so that one caller giving up does not fail the others.
const fetchTimeout = time.Minute

func (c *tokenCache) fetch(f *tokenFetch) {
	ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
	defer cancel()
	t, err := c.src.Token(ctx)
	if err == nil && strings.TrimSpace(t.AccessToken) == "" {
		err = errors.New("empty access token")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inflight = nil
	if err != nil {
		// The source's error is the caller's own code's: keep it matchable, but it must not
		// carry a token, which the client cannot check; document that instead.
		f.err = fmt.Errorf("wabiz: cloud: token source: %w", err)
		close(f.done)
		return
	}
	c.tok, c.header = t.AccessToken, []string{"Bearer " + t.AccessToken}
	c.renewAt = time.Time{}
	if !t.Expiry.IsZero() {
		skew := tokenRefreshSkew
		if life := t.Expiry.Sub(c.now()); life < 2*skew {
			skew = life / 2
		}
		c.renewAt = t.Expiry.Add(-skew)
	}
	f.tok, f.header = c.tok, c.header
	close(f.done)
}

// invalidate forgets tok after the API rejected it, so that the next get fetches a new one;
// it reports whether a fetch can bring a different token (there is a source).
func (c *tokenCache) invalidate(tok string) bool {
	if c.src == nil {
		return false
	}
	c.mu.Lock()
	if c.tok == tok {
		c.tok, c.header = "", nil
	}
	c.mu.Unlock()
	return true
}
