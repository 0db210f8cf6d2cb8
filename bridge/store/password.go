package store

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// PBKDF2Iterations is the work factor of new password hashes: OWASP's 2023 recommendation for
// PBKDF2-HMAC-SHA256. It is stored in each hash, so raising it later keeps old hashes valid.
const PBKDF2Iterations = 600_000

const (
	pbkdf2Prefix  = "pbkdf2-sha256"
	pbkdf2SaltLen = 16
	pbkdf2KeyLen  = 32
	// maxIterations bounds the work an attacker-supplied hash string can cause in Verify.
	maxIterations = 10_000_000
)

// ErrBadHash reports an encoded password hash that VerifyPassword cannot read.
var ErrBadHash = errors.New("store: malformed password hash")

// HashPassword returns an encoded PBKDF2-HMAC-SHA256 hash of password with a random salt, in
// the form "pbkdf2-sha256$<iterations>$<salt>$<key>" (base64url, no padding). The standard
// library has no bcrypt or argon2, and the project adds no dependency for this.
func HashPassword(password string) (string, error) {
	return hashPassword(password, PBKDF2Iterations)
}

// MinPBKDF2Iterations is the smallest work factor HashPasswordIterations accepts.
const MinPBKDF2Iterations = 1000

// HashPasswordIterations is HashPassword with another work factor, at least
// MinPBKDF2Iterations: tests that create many users (600,000 iterations take seconds under the
// race detector), or hardware where the default takes too long. VerifyPassword reads the
// factor from the hash, so hashes of both kinds verify.
func HashPasswordIterations(password string, iterations int) (string, error) {
	if iterations < MinPBKDF2Iterations || iterations > maxIterations {
		return "", invalid("PBKDF2 iterations %d, want %d to %d", iterations, MinPBKDF2Iterations, maxIterations)
	}
	return hashPassword(password, iterations)
}

func hashPassword(password string, iterations int) (string, error) {
	if password == "" {
		return "", invalid("empty password")
	}
	salt := make([]byte, pbkdf2SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("store: password salt: %w", err)
	}
	key, err := pbkdf2.Key(sha256.New, password, salt, iterations, pbkdf2KeyLen)
	if err != nil {
		return "", fmt.Errorf("store: password hash: %w", err)
	}
	enc := base64.RawURLEncoding
	return fmt.Sprintf("%s$%d$%s$%s", pbkdf2Prefix, iterations, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches an encoded hash from [HashPassword]. The
// comparison takes constant time; a malformed hash is ErrBadHash, never a match.
func VerifyPassword(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 4 || parts[0] != pbkdf2Prefix {
		return false, ErrBadHash
	}
	iterations, err := strconv.Atoi(parts[1])
	if err != nil || iterations < 1 || iterations > maxIterations {
		return false, ErrBadHash
	}
	enc := base64.RawURLEncoding
	salt, err := enc.DecodeString(parts[2])
	if err != nil || len(salt) == 0 {
		return false, ErrBadHash
	}
	want, err := enc.DecodeString(parts[3])
	if err != nil || len(want) == 0 {
		return false, ErrBadHash
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iterations, len(want))
	if err != nil {
		return false, fmt.Errorf("store: password hash: %w", err)
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// HashToken returns the SHA-256 of a bearer token, the only form in which the store keeps it.
// Tokens are long random strings, so a fast hash suffices: there is nothing to brute-force.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}
