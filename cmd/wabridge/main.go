// Command wabridge serves the WhatsApp Business On-Premises API (spec/openapi.yaml, `/v1`) on
// top of the Cloud API, so that an On-Premises integration in any language moves to the Cloud
// API by changing its base URL. See package bridge for what each operation does.
//
// It listens with HTTPS like the Webapp: with -tls-cert and -tls-key, or with a self-signed CA
// and server certificate generated at the first start and kept in -tls-dir (default: next to
// the store), so that clients trust the same ca.pem across restarts. The same listener serves
// the Cloud webhook endpoint at the path of -public-url, which must be the https URL Meta
// reaches (register it in the App Dashboard with -verify-token, or pass -register-webhook to
// set the number's webhook override at start). Users, tokens, settings and the webhook outbox
// live in the SQLite file -store; a missing file is an error unless -init is given, and a
// corrupt one is never reset.
//
// Every flag can also be set with the WABRIDGE_* variable named in its help (flags win).
// Secrets (-graph-token, -app-secret, -verify-token, -api-key) are never logged. SIGINT and
// SIGTERM shut down gracefully: the listener stops, requests in progress finish, the relay
// releases undelivered callbacks to the outbox, then the store is closed. GET /_bridge/health
// answers 200 while the store answers (503 otherwise), for orchestrators.
//
// Usage:
//
//	wabridge [flags]
//
// With -demo it needs nothing: it runs the wabiz fake's Cloud dialect in-process as Graph
// (the fake plays the customer, replying to the first message of each conversation), a store
// in a temporary directory, and prints the WA_* variables that point examples/quickstart at the
// bridge (`make demo-bridge` does exactly that).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	var ue usageError
	switch {
	case err == nil:
	case errors.As(err, &ue):
		fmt.Fprintln(os.Stderr, "wabridge:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "wabridge:", err)
		os.Exit(1)
	}
}

// usageError is a configuration mistake: exit status 2, as flag parsing errors have.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// run parses the configuration, starts the bridge and blocks until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return usageError{err}
	}
	return serve(ctx, cfg, stdout, stderr)
}
