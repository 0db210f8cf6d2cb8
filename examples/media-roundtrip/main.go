// Command media-roundtrip uploads a file, sends it as a document, downloads it back and checks
// that the copy is identical, by SHA-256. Without a file it generates a small PDF.
//
// The connection comes from the environment: WA_BASE_URL, WA_USERNAME (default admin),
// WA_PASSWORD, WA_NEW_PASSWORD (set if the server demands a new password on first login) and
// WA_CA_FILE (the CA of the server's certificate):
//
//	WA_BASE_URL=https://wa.example.com:9090 WA_CA_FILE=ca.pem WA_PASSWORD='…' \
//	go run ./examples/media-roundtrip -to 16315551234 [-caption text] [-out copy.pdf] [FILE]
//
// Against the fake, started ready to send (registered, admin password Adm1n-Pass!, webhooks
// to a sink):
//
//	go run ./cmd/wafake -preset ready -ca-out /tmp/wafake-ca.pem &
//	WA_BASE_URL=https://127.0.0.1:9090 WA_CA_FILE=/tmp/wafake-ca.pem WA_PASSWORD='Adm1n-Pass!' \
//	go run ./examples/media-roundtrip -to 16315551234
//
// Both directions stream: the file is never held in memory, so a document of up to 100 MB
// moves in constant memory. The media type is sniffed from the file's first bytes (-type
// overrides it) and the upload is checked against the size limit of that type's kind before
// any byte is sent (5 MB for an image, even one sent as a document).
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/wabiz/wabiz/api"
	"github.com/wabiz/wabiz/examples/internal/waenv"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // -h: the usage is printed, which is a success
		}
		fmt.Fprintln(os.Stderr, "media-roundtrip:", err)
		os.Exit(1)
	}
}

// options are the parsed command line.
type options struct {
	to, caption, contentType, out string
	file                          string // empty: a generated PDF
}

func parseFlags(args []string, getenv func(string) string) (options, error) {
	var o options
	fs := flag.NewFlagSet("media-roundtrip", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: media-roundtrip -to NUMBER [flags] [FILE]
  uploads FILE (default: a generated PDF), sends it as a document, downloads it back and
  compares SHA-256; the connection comes from WA_BASE_URL, WA_PASSWORD, WA_CA_FILE, ...

`)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.to, "to", getenv("WA_TO"), "recipient's WhatsApp id, digits with country code (WA_TO)")
	fs.StringVar(&o.caption, "caption", "Sent by the wabiz media round trip", "caption of the document (accepted, but On-Premises does not deliver document captions)")
	fs.StringVar(&o.contentType, "type", "", "media type of the file (default: sniffed from its content)")
	fs.StringVar(&o.out, "out", "", "also write the downloaded copy to this file")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch fs.NArg() {
	case 0:
	case 1:
		o.file = fs.Arg(0)
	default:
		return o, fmt.Errorf("one file at most, got %q", fs.Args())
	}
	if o.to == "" {
		return o, errors.New("-to (or WA_TO) is required")
	}
	return o, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	o, err := parseFlags(args, getenv)
	if err != nil {
		return err
	}
	client, err := newClient(getenv)
	if err != nil {
		return err
	}
	src, err := openSource(o.file, o.contentType)
	if err != nil {
		return err
	}
	defer src.Close()
	return roundTrip(ctx, client, src, o, out)
}

// source is the document to send: a file, or the generated PDF.
type source struct {
	name, contentType string
	size              int64
	sum               []byte
	// r is an *os.File or a *bytes.Reader: the upload knows their size, sends it as
	// Content-Length and checks the limit before sending anything.
	r     io.ReadSeeker
	close func() error
}

func (s source) Close() error { return s.close() }

// openSource opens path (a generated PDF when it is empty), hashes it and sniffs its media
// type unless contentType is given.
func openSource(path, contentType string) (source, error) {
	if path == "" {
		pdf := generatePDF("Hello from the wabiz media round trip")
		return hashed(source{name: "wabiz-roundtrip.pdf", contentType: contentType, r: bytes.NewReader(pdf),
			close: func() error { return nil }})
	}
	f, err := os.Open(path)
	if err != nil {
		return source{}, err
	}
	src, err := hashed(source{name: filepath.Base(path), contentType: contentType, r: f, close: f.Close})
	if err != nil {
		_ = f.Close()
	}
	return src, err
}

// hashed reads s once to learn its size, SHA-256 and, unless set, media type, then rewinds it.
func hashed(s source) (source, error) {
	h := sha256.New()
	head := &prefix{max: 512}
	n, err := io.Copy(io.MultiWriter(h, head), s.r)
	if err != nil {
		return s, err
	}
	if _, err := s.r.Seek(0, io.SeekStart); err != nil {
		return s, err
	}
	s.size, s.sum = n, h.Sum(nil)
	if s.contentType == "" {
		if s.contentType, _, err = api.DetectContentType(bytes.NewReader(head.buf)); err != nil {
			return s, err
		}
	}
	return s, nil
}

// prefix keeps the first max bytes written to it.
type prefix struct {
	buf []byte
	max int
}

func (p *prefix) Write(b []byte) (int, error) {
	if room := p.max - len(p.buf); room > 0 {
		p.buf = append(p.buf, b[:min(room, len(b))]...)
	}
	return len(b), nil
}

// roundTrip uploads src, sends it to o.to as a document, downloads it back and compares.
func roundTrip(ctx context.Context, client *api.Client, src source, o options, out io.Writer) error {
	fmt.Fprintf(out, "file      %s, %d bytes, %s, sha256 %s\n", src.name, src.size, src.contentType, short(src.sum))

	start := time.Now()
	mediaID, err := client.UploadMedia(ctx, src.r, src.contentType)
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	fmt.Fprintf(out, "upload    media id %s (%s)\n", mediaID, since(start))

	start = time.Now()
	msgID, err := client.SendDocument(ctx, o.to, api.Media{ID: mediaID, Filename: src.name, Caption: o.caption})
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	fmt.Fprintf(out, "send      document to %s, message id %s (%s)\n", o.to, msgID, since(start))

	start = time.Now()
	body, contentType, err := client.DownloadMedia(ctx, mediaID)
	if err != nil {
		return fmt.Errorf("download: %w", err)
	}
	defer body.Close()
	h := sha256.New()
	sink := io.Writer(h)
	var copyFile *os.File
	if o.out != "" {
		if copyFile, err = os.Create(o.out); err != nil {
			return err
		}
		defer copyFile.Close()
		sink = io.MultiWriter(h, copyFile)
	}
	n, err := io.Copy(sink, body)
	if err != nil {
		return fmt.Errorf("download: %w", err)
	}
	if copyFile != nil {
		if err := copyFile.Close(); err != nil {
			return err
		}
	}
	sum := h.Sum(nil)
	fmt.Fprintf(out, "download  %d bytes, %s, sha256 %s (%s)\n", n, contentType, short(sum), since(start))

	if !bytes.Equal(sum, src.sum) {
		return fmt.Errorf("the downloaded copy differs: %d bytes with sha256 %x, uploaded %d bytes with sha256 %x",
			n, sum, src.size, src.sum)
	}
	_, err = fmt.Fprintf(out, "identical: sha256 %x\n", sum)
	return err
}

func short(sum []byte) string { return hex.EncodeToString(sum[:6]) + "…" }

func since(t time.Time) string { return time.Since(t).Round(100 * time.Microsecond).String() }

// generatePDF writes a one-page PDF showing text: five objects and a cross-reference table
// with their byte offsets. text must not contain parentheses or backslashes.
func generatePDF(text string) []byte {
	var b bytes.Buffer
	var offsets []int
	object := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	content := "BT /F1 18 Tf 72 720 Td (" + strings.NewReplacer("(", "", ")", "", `\`, "").Replace(text) + ") Tj ET"
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n") // the binary comment marks the file as binary
	object("<< /Type /Catalog /Pages 2 0 R >>")
	object("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>")
	object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	object(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// newClient builds the client from the WA_* environment (see package waenv).
func newClient(getenv func(string) string) (*api.Client, error) { return waenv.NewClient(getenv) }
