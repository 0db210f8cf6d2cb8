package onpremhttp

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"slices"
)

// The backup format of POST /v1/settings/backup, shared by the fake and the bridge: base64 of
// magic | iterations (uint32, big endian) | salt (16 bytes) | nonce (12 bytes) | AES-256-GCM
// ciphertext. The key comes from the password with PBKDF2-HMAC-SHA256; the header is
// authenticated as additional data. Each server has its own magic, so that one refuses the
// other's backup by name rather than as a wrong password.

// The magics of the two servers' backups.
const (
	// FakeBackupMagic starts every backup of the fake.
	FakeBackupMagic = "WBZBAK1"
	// BridgeBackupMagic starts every backup of wabridge.
	BridgeBackupMagic = "WBZBRG1"
)

// BackupSaltLen is the length of the PBKDF2 salt.
const BackupSaltLen = 16

// ErrBadBackup is the answer to backup data that fails authentication: corrupted, or the
// password is wrong.
var ErrBadBackup = errors.New("the backup data is corrupted or the password is wrong")

// SealBackup seals plaintext with a key derived from password in iter PBKDF2 rounds, under
// magic.
func SealBackup(magic, password string, plaintext []byte, iter uint32) (string, error) {
	salt := make([]byte, BackupSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	header := make([]byte, 0, len(magic)+4+BackupSaltLen)
	header = append(header, magic...)
	header = binary.BigEndian.AppendUint32(header, iter)
	header = append(header, salt...)
	gcm, err := backupCipher(password, salt, int(iter))
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := append(slices.Clone(header), nonce...)
	out = gcm.Seal(out, nonce, plaintext, header)
	return base64.StdEncoding.EncodeToString(out), nil
}

// BackupMagic returns the magic of data if it decodes as base64 and starts with one of the
// candidates, else "".
func BackupMagic(data string, candidates ...string) string {
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return ""
	}
	for _, m := range candidates {
		if bytes.HasPrefix(raw, []byte(m)) {
			return m
		}
	}
	return ""
}

// OpenBackup opens data sealed under magic at exactly want PBKDF2 rounds. The iteration count
// comes from the not yet authenticated header, so honouring any other value would let anyone
// make each wrong-password request cost seconds of CPU.
func OpenBackup(magic, password, data string, want uint32) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, ErrBadBackup
	}
	hlen := len(magic) + 4 + BackupSaltLen
	if len(raw) < hlen+12+16 || !bytes.HasPrefix(raw, []byte(magic)) {
		return nil, ErrBadBackup
	}
	iter := binary.BigEndian.Uint32(raw[len(magic):])
	if iter != want {
		return nil, ErrBadBackup
	}
	header, salt := raw[:hlen], raw[len(magic)+4:hlen]
	gcm, err := backupCipher(password, salt, int(iter))
	if err != nil {
		return nil, ErrBadBackup
	}
	nonce := raw[hlen : hlen+gcm.NonceSize()]
	plain, err := gcm.Open(nil, nonce, raw[hlen+gcm.NonceSize():], header)
	if err != nil {
		return nil, ErrBadBackup
	}
	return plain, nil
}

func backupCipher(password string, salt []byte, iter int) (cipher.AEAD, error) {
	key, err := pbkdf2.Key(sha256.New, password, salt, iter, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
