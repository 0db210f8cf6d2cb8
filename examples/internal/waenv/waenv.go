// Package waenv builds the api.Client of the examples from the WA_* environment variables they
// share, so that each example keeps to its own subject.
package waenv

import (
	"errors"
	"fmt"
	"os"

	"github.com/wabiz/wabiz/api"
)

// ErrMissing is returned when WA_BASE_URL or WA_PASSWORD is not set.
var ErrMissing = errors.New("WA_BASE_URL and WA_PASSWORD are required")

// NewClient connects to WA_BASE_URL as WA_USERNAME (default admin) with WA_PASSWORD, trusting
// the CA in WA_CA_FILE when set. WA_NEW_PASSWORD is set if the server demands a new password
// on first login. getenv is os.Getenv in the programs and a map in their tests.
func NewClient(getenv func(string) string) (*api.Client, error) {
	baseURL, password := getenv("WA_BASE_URL"), getenv("WA_PASSWORD")
	if baseURL == "" || password == "" {
		return nil, ErrMissing
	}
	username := getenv("WA_USERNAME")
	if username == "" {
		username = "admin"
	}
	opts := []api.Option{api.WithCredentials(username, password)}
	if p := getenv("WA_NEW_PASSWORD"); p != "" {
		opts = append(opts, api.WithNewPassword(p))
	}
	if file := getenv("WA_CA_FILE"); file != "" {
		pem, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("WA_CA_FILE: %w", err)
		}
		opts = append(opts, api.WithCACertPEM(pem))
	}
	return api.NewClient(baseURL, opts...)
}
