// Package envflag reads the environment variables that give the commands' flags their
// defaults (WAFAKE_*, WABRIDGE_*): a flag given on the command line wins, a variable that is
// set gives the default, and a variable whose value does not parse is reported by Err rather
// than silently replaced by the built-in default.
package envflag

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Env reads variables through getenv (os.Getenv in the commands, a map in their tests).
type Env struct {
	getenv func(string) string
	errs   []string
}

// New returns an Env over getenv.
func New(getenv func(string) string) *Env { return &Env{getenv: getenv} }

// String returns the variable, or def when it is unset or empty.
func (e *Env) String(name, def string) string {
	if v := e.getenv(name); v != "" {
		return v
	}
	return def
}

// Bool returns the variable as a boolean (true, false, 1, 0, …), false when unset.
func (e *Env) Bool(name string) bool {
	v := e.getenv(name)
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		e.errs = append(e.errs, fmt.Sprintf("%s=%q: want true or false (or 1 or 0)", name, v))
	}
	return b
}

// Duration returns the variable as a duration, def when unset.
func (e *Env) Duration(name string, def time.Duration) time.Duration {
	v := e.getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		e.errs = append(e.errs, fmt.Sprintf("%s=%q: want a duration such as 10s, 1m30s or 250ms", name, v))
		return def
	}
	return d
}

// Int returns the variable as an integer, def when unset.
func (e *Env) Int(name string, def int) int {
	v := e.getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		e.errs = append(e.errs, fmt.Sprintf("%s=%q: want an integer", name, v))
		return def
	}
	return n
}

// Err reports every variable that did not parse, or nil.
func (e *Env) Err() error {
	if len(e.errs) == 0 {
		return nil
	}
	return fmt.Errorf("invalid environment: %s", strings.Join(e.errs, "; "))
}
