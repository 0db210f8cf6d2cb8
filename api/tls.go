package api

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// FetchCACertificate is an explicit trust-on-first-use helper for deployments that run with
// the client's self-signed certificate. It connects to baseURL (which must be https) WITHOUT
// verifying the server's certificate, logs in with the given credentials, downloads the CA
// certificate (GET /v1/certificates/external/ca), logs out, and checks that every
// certificate chain the server presented during those connections verifies against the
// downloaded CA. opts may add options such as WithTimeout; the HTTP client is its own.
//
// The risk: during this one call an attacker on the network path could impersonate the
// server, read the credentials and hand back their own CA together with a matching chain.
// Run it once, from a network you trust, save the returned PEM, compare its fingerprint with
// the one on the server if you can, and afterwards always connect with WithCACertPEM. Never
// call it on every start.
//
//wabiz:operation downloadExternalCACertificate
func FetchCACertificate(ctx context.Context, baseURL, username, password string, opts ...Option) ([]byte, error) {
	if u, err := url.Parse(strings.TrimSpace(baseURL)); err != nil || u.Scheme != "https" {
		// Refuse before the credentials travel in clear text.
		return nil, errors.New("wabiz: FetchCACertificate: the base URL must be https://")
	}
	var (
		mu     sync.Mutex
		chains [][]*x509.Certificate
	)
	capture := &http.Transport{
		TLSClientConfig: &tls.Config{
			MinVersion:         tls.VersionTLS12,
			InsecureSkipVerify: true, //nolint:gosec // trust on first use; the chains are checked below
			VerifyConnection: func(cs tls.ConnectionState) error {
				mu.Lock()
				chains = append(chains, cs.PeerCertificates)
				mu.Unlock()
				return nil
			},
		},
	}
	defer capture.CloseIdleConnections()
	opts = append([]Option{WithCredentials(username, password)}, opts...)
	opts = append(opts, WithHTTPClient(&http.Client{Transport: capture}))
	c, err := NewClient(baseURL, opts...)
	if err != nil {
		return nil, err
	}
	caPEM, err := c.DownloadExternalCACertificate(ctx)
	_ = c.Logout(ctx) // best effort: do not leave the token behind, even after a failure
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("wabiz: FetchCACertificate: the server's CA file holds no PEM certificate")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(chains) == 0 {
		return nil, errors.New("wabiz: FetchCACertificate: the server presented no certificate")
	}
	for _, presented := range chains {
		if len(presented) == 0 {
			return nil, errors.New("wabiz: FetchCACertificate: the server presented an empty certificate chain")
		}
		inter := x509.NewCertPool()
		for _, cert := range presented[1:] {
			inter.AddCert(cert)
		}
		if _, err := presented[0].Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter}); err != nil {
			return nil, fmt.Errorf("wabiz: FetchCACertificate: the server's certificate does not chain to the CA it serves: %w", err)
		}
	}
	return caPEM, nil
}
