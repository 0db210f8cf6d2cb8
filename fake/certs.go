package fake

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"

	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// UploadExternalCertificate stores the PEM bundle (private key, certificate, at least one
// intermediate CA); its CA certificates become the answer of GET /v1/certificates/external/ca.
// The fake keeps serving its own certificate (the real Webapp needs a restart anyway).
func (s *Server) UploadExternalCertificate(_ context.Context, req gen.UploadExternalCertificateRequestObject) (gen.UploadExternalCertificateResponseObject, error) {
	if req.Body == nil || strings.TrimSpace(*req.Body) == "" {
		return nil, errf(codeInvalidParameter, "The certificate file is empty")
	}
	data := []byte(*req.Body)
	var blocks []*pem.Block
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		blocks = append(blocks, b)
	}
	if len(blocks) < 3 {
		return nil, errf(codeInvalidParameter, "The certificate file must hold the private key, the certificate and at least one intermediate CA certificate, in this order")
	}
	if !strings.Contains(blocks[0].Type, "PRIVATE KEY") {
		return nil, errf(codeInvalidParameter, "The first PEM section must be the private key")
	}
	var ca bytes.Buffer
	for i, b := range blocks[1:] {
		if b.Type != "CERTIFICATE" {
			return nil, errf(codeInvalidParameter, "PEM section %d must be a CERTIFICATE, not %s", i+2, b.Type)
		}
		if i > 0 {
			_ = pem.Encode(&ca, b)
		}
	}
	s.mu.Lock()
	s.st.externalCert = data
	s.st.externalCA = ca.Bytes()
	s.mu.Unlock()
	return gen.UploadExternalCertificate201JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// DownloadExternalCACertificate returns the CA certificate (404 when there is none).
func (s *Server) DownloadExternalCACertificate(context.Context, gen.DownloadExternalCACertificateRequestObject) (gen.DownloadExternalCACertificateResponseObject, error) {
	s.mu.RLock()
	ca := s.st.externalCA
	s.mu.RUnlock()
	if len(ca) == 0 {
		return nil, errf(codeNotFound, "External CA cert file not found")
	}
	return gen.DownloadExternalCACertificate200TextResponse{
		Body:    string(ca),
		Headers: gen.DownloadExternalCACertificate200ResponseHeaders{ContentDisposition: ptr("attachment; filename=ca.pem")},
	}, nil
}

// UploadWebhookCACertificate stores the CA bundle that the fake's webhook client then trusts;
// the Content-Type must be exactly text/plain.
func (s *Server) UploadWebhookCACertificate(ctx context.Context, req gen.UploadWebhookCACertificateRequestObject) (gen.UploadWebhookCACertificateResponseObject, error) {
	if r := onpremhttp.RequestFrom(ctx); r != nil && !strings.EqualFold(strings.TrimSpace(r.Header.Get("Content-Type")), "text/plain") {
		return nil, errf(codeInvalidParameter, "Content-Type must be text/plain")
	}
	if req.Body == nil || strings.TrimSpace(*req.Body) == "" {
		return nil, errf(codeMissingParameter, "No cert data found")
	}
	data := []byte(*req.Body)
	s.mu.Lock()
	s.st.webhookCA = data
	s.mu.Unlock()
	s.hooks.setCA(data)
	return gen.UploadWebhookCACertificate200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// DownloadWebhookCACertificate returns the webhook CA bundle (404 when there is none).
func (s *Server) DownloadWebhookCACertificate(context.Context, gen.DownloadWebhookCACertificateRequestObject) (gen.DownloadWebhookCACertificateResponseObject, error) {
	s.mu.RLock()
	ca := s.st.webhookCA
	s.mu.RUnlock()
	if len(ca) == 0 {
		return nil, errf(codeNotFound, "No webhook CA certificate is stored")
	}
	return gen.DownloadWebhookCACertificate200TextResponse{
		Body:    string(ca),
		Headers: gen.DownloadWebhookCACertificate200ResponseHeaders{ContentDisposition: ptr("attachment; filename=webhookCaCerts.pem")},
	}, nil
}

// DeleteWebhookCACertificate removes the webhook CA bundle.
func (s *Server) DeleteWebhookCACertificate(context.Context, gen.DeleteWebhookCACertificateRequestObject) (gen.DeleteWebhookCACertificateResponseObject, error) {
	s.mu.Lock()
	s.st.webhookCA = nil
	s.mu.Unlock()
	s.hooks.setCA(nil)
	return gen.DeleteWebhookCACertificate200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// GenerateTLS creates a CA and a server certificate it signs for the given host names and IP
// addresses (localhost, 127.0.0.1 and ::1 are always included), valid for a year. It returns
// a server TLS configuration and the CA certificate in PEM, which clients must trust (and which
// the fake serves as GET /v1/certificates/external/ca through WithExternalCA).
func GenerateTLS(hosts ...string) (*tls.Config, []byte, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("fake: CA key: %w", err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(now.UnixNano()),
		Subject:               pkix.Name{CommonName: "wabiz fake CA", Organization: []string{"wabiz"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, nil, fmt.Errorf("fake: CA certificate: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, nil, fmt.Errorf("fake: CA certificate: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("fake: server key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano() + 1),
		Subject:      pkix.Name{CommonName: "wabiz fake server"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range append([]string{"localhost", "127.0.0.1", "::1"}, hosts...) {
		if host, _, err := net.SplitHostPort(h); err == nil {
			h = host
		}
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if h != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return nil, nil, fmt.Errorf("fake: server certificate: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("fake: server key: %w", err)
	}
	cert, err := tls.X509KeyPair(
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
	)
	if err != nil {
		return nil, nil, fmt.Errorf("fake: key pair: %w", err)
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, caPEM, nil
}

// sha256Hex returns the hex SHA-256 of data.
func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
