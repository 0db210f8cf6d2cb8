package onpremhttp

import (
	"time"
	"unicode"
)

// TokenLifetime is how long a bearer token lives: the `expires_after` of a login is 7 days
// (604800 seconds) after it.
const TokenLifetime = 7 * 24 * time.Hour

// DefaultAdminUser and DefaultAdminPassword are the account a new installation starts with;
// its first login must set a new password.
const (
	DefaultAdminUser     = "admin"
	DefaultAdminPassword = "secret"
)

// CheckPassword applies the API's password rules and returns what is wrong, or "".
func CheckPassword(p string) string {
	if len(p) < 8 || len(p) > 64 {
		return "Password doesn't meet length requirements (8 to 64 characters)"
	}
	var upper, lower, digit, special bool
	for _, c := range p {
		switch {
		case c < '!' || c > '~':
			return "Password contains characters that are not allowed (printable ASCII without spaces only)"
		case unicode.IsUpper(c):
			upper = true
		case unicode.IsLower(c):
			lower = true
		case unicode.IsDigit(c):
			digit = true
		default:
			special = true
		}
	}
	if !upper || !lower || !digit || !special {
		return "Password must contain at least one upper-case letter, one lower-case letter, one digit and one special character"
	}
	return ""
}

// CheckUsername applies the API's username rules and returns what is wrong, or "".
func CheckUsername(name string) string {
	if len(name) < 4 || len(name) > 32 {
		return "Username doesn't meet length requirements"
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return "Username contains prohibited characters"
		}
	}
	if name == "_apiuser" {
		return "Invalid Username"
	}
	return ""
}

// FormatExpiresAfter renders a token expiry the way the API does: `2021-09-14 15:29:26+00:00`.
func FormatExpiresAfter(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05") + "+00:00"
}
