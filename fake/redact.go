package fake

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// redacted replaces a secret in a URL shown in logs, the delivery log and the webhook stats.
const redacted = "xxxxx"

// secretParams are query parameters whose values are credentials in webhook URLs seen in the
// wild (receivers that take a shared secret in the URL instead of a header). A name matches
// when, lower-cased, it contains one of these words.
var secretParams = []string{"pass", "pwd", "secret", "token", "key", "auth", "sig", "credential", "session"}

// redactURL returns raw with the password of its userinfo and the values of secret-looking
// query parameters replaced by xxxxx, so that the fake never repeats a webhook credential. A
// URL that does not parse is shown only up to its scheme and host, if those can be found.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.Index(raw, "://"); i > 0 {
			rest := raw[i+3:]
			if j := strings.IndexAny(rest, "/?#"); j >= 0 {
				rest = rest[:j]
			}
			if at := strings.LastIndex(rest, "@"); at >= 0 {
				rest = redacted + "@" + rest[at+1:]
			}
			return raw[:i+3] + rest + "/" + redacted
		}
		return redacted
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), redacted)
		}
	}
	if u.RawQuery != "" {
		q := u.Query()
		changed := false
		for name, vals := range q {
			if isSecretParam(name) {
				for i := range vals {
					vals[i] = redacted
				}
				changed = true
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	return u.String()
}

func isSecretParam(name string) bool {
	n := strings.ToLower(name)
	for _, w := range secretParams {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// redactError describes a delivery error without the credentials of the URL: net/http wraps
// transport errors in a *url.Error that prints the URL (with the password as *** but the
// query in full).
func redactError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + " " + strconv.Quote(redactURL(ue.URL)) + ": " + ue.Err.Error()
	}
	return err.Error()
}
