package onpremhttp

import (
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wabiz/wabiz/gen"
)

// InvalidCredentials is the details text of a 401 for missing or refused credentials.
const InvalidCredentials = "Missing or invalid authentication credentials"

// BasicRealm is the WWW-Authenticate challenge of a refused HTTP Basic login.
const BasicRealm = `Basic realm="WhatsApp Business API"`

// RoleAPI is the role of a caller authenticated with the API key.
const RoleAPI gen.UserRole = "ROLE_API"

// Principal is who made a request.
type Principal struct {
	Username string
	Role     gen.UserRole
	// APIKey is set for a caller authenticated with the API key.
	APIKey bool
	// Token is the bearer token of the request, if it came with one.
	Token string
}

// Authenticator checks the credentials of one security scheme. Each method returns the
// caller, or an Error: a 401 refuses the credentials and lets another scheme of the
// operation try, any other status (a 429 of a login limiter) ends the request with that
// answer.
type Authenticator interface {
	// Basic checks HTTP Basic credentials. Credentials that cannot be decoded come as an
	// empty user and password, which no account has, so that they count as a failed login.
	Basic(r *http.Request, user, password string) (*Principal, *Error)
	// Bearer checks a bearer token (never empty).
	Bearer(r *http.Request, token string) (*Principal, *Error)
	// APIKey checks the API key of `Authorization: Apikey <key>` (never empty). It is also
	// asked when such a header reaches an operation that takes only bearer tokens, to answer
	// a valid key with 403 rather than 401.
	APIKey(r *http.Request, key string) (*Principal, *Error)
}

// Failure ranks: when no requirement of an operation is met, the failure with the highest
// rank is answered. An explicit refusal (wrong password, unknown token) outranks "this
// header is for another scheme"; an answer that is not a 401 (a login rate limit) outranks
// everything.
const (
	rankUnknownScheme = 0
	rankOtherScheme   = 1
	rankKeyNotHere    = 2
	rankRefused       = 3
	rankFinal         = 9
)

// authFailure is why one security scheme did not accept a request.
type authFailure struct {
	rank int
	err  *Error
}

func (f *authFailure) Error() string { return f.err.Error() }

func unauthorized(rank int) error {
	return &authFailure{rank: rank, err: Statusf(http.StatusUnauthorized, CodeAccessDenied, InvalidCredentials)}
}

// refused ranks an Error of the Authenticator.
func refused(e *Error) error {
	if e.Status != http.StatusUnauthorized {
		return &authFailure{rank: rankFinal, err: e}
	}
	return &authFailure{rank: rankRefused, err: e}
}

// authenticate checks the request against the operation's security requirements, as declared
// in the spec, with kin-openapi's ValidateSecurityRequirements. It works on a body-less copy
// of the request, so that a 100 MB upload is not read by the check.
func (rt *Router) authenticate(o *Operation, r *http.Request) (*Principal, *Error) {
	if len(o.Security) == 0 {
		return nil, nil
	}
	// The requirements are alternatives, each a set of schemes that must all accept the
	// request (OpenAPI's rule, which kin-openapi's ValidateSecurityRequirements applies the
	// same way: schemes by name, the first requirement met wins); the failure answered is
	// the most telling of all the schemes' refusals.
	var best *authFailure // nil: the plain 401, built only when a request is refused
	for _, req := range o.schemes {
		var p *Principal
		var err error
		for _, scheme := range req {
			if p, err = rt.checkScheme(scheme, r); err != nil {
				break
			}
		}
		if err == nil {
			return p, nil
		}
		var f *authFailure
		if errors.As(err, &f) && f.rank > best.rankOrZero() {
			best = f
		}
	}
	if best == nil {
		return nil, Statusf(http.StatusUnauthorized, CodeAccessDenied, InvalidCredentials)
	}
	return nil, best.err
}

// rankOrZero is f's rank, 0 for no failure yet.
func (f *authFailure) rankOrZero() int {
	if f == nil {
		return 0
	}
	return f.rank
}

// resolveSchemes returns the security schemes of each requirement of o, by name, as
// authenticate checks them.
func resolveSchemes(doc *openapi3.T, o *Operation) ([][]*openapi3.SecurityScheme, error) {
	out := make([][]*openapi3.SecurityScheme, 0, len(o.Security))
	for _, req := range o.Security {
		names := slices.Sorted(maps.Keys(req))
		schemes := make([]*openapi3.SecurityScheme, 0, len(names))
		for _, name := range names {
			ref := doc.Components.SecuritySchemes[name]
			if ref == nil || ref.Value == nil {
				return nil, fmt.Errorf("onpremhttp: operation %s names security scheme %q, which the spec does not declare", o.ID, name)
			}
			schemes = append(schemes, ref.Value)
		}
		out = append(out, schemes)
	}
	return out, nil
}

// refuseAll is the Authenticator of a Router configured without one.
type refuseAll struct{}

func (refuseAll) Basic(*http.Request, string, string) (*Principal, *Error) {
	return nil, Statusf(http.StatusUnauthorized, CodeAccessDenied, InvalidCredentials)
}

func (refuseAll) Bearer(*http.Request, string) (*Principal, *Error) {
	return nil, Statusf(http.StatusUnauthorized, CodeAccessDenied, InvalidCredentials)
}

func (refuseAll) APIKey(*http.Request, string) (*Principal, *Error) {
	return nil, Statusf(http.StatusUnauthorized, CodeAccessDenied, InvalidCredentials)
}

// checkScheme checks the Authorization header against one security scheme of the spec.
func (rt *Router) checkScheme(scheme *openapi3.SecurityScheme, r *http.Request) (*Principal, error) {
	auth := rt.cfg.Auth
	if auth == nil {
		auth = refuseAll{}
	}
	authz := r.Header.Get("Authorization")
	word, cred, _ := strings.Cut(strings.TrimSpace(authz), " ")
	cred = strings.TrimSpace(cred)
	switch {
	case scheme.Type == "http" && strings.EqualFold(scheme.Scheme, "basic"):
		if !strings.EqualFold(word, "Basic") {
			return nil, &authFailure{rank: rankOtherScheme, err: Statusf(http.StatusUnauthorized, CodeAccessDenied, InvalidCredentials).WithHeader("WWW-Authenticate", BasicRealm)}
		}
		var name, password string
		if raw, err := base64.StdEncoding.DecodeString(cred); err == nil {
			if n, pw, ok := strings.Cut(string(raw), ":"); ok {
				name, password = n, pw
			}
		}
		p, e := auth.Basic(r, name, password)
		if e != nil {
			if e.Status == http.StatusUnauthorized && e.Header.Get("WWW-Authenticate") == "" {
				c := *e
				c.Header = e.Header.Clone()
				e = c.WithHeader("WWW-Authenticate", BasicRealm)
			}
			return nil, refused(e)
		}
		return p, nil

	case scheme.Type == "http" && strings.EqualFold(scheme.Scheme, "bearer"):
		if strings.EqualFold(word, "Apikey") && cred != "" {
			if p, _ := auth.APIKey(r, cred); p != nil {
				e := Statusf(http.StatusForbidden, CodeAccessDenied, "the API key is not accepted by this operation; log in and use a bearer token")
				return nil, &authFailure{rank: rankKeyNotHere, err: e}
			}
		}
		if !strings.EqualFold(word, "Bearer") || cred == "" {
			return nil, unauthorized(rankOtherScheme)
		}
		p, e := auth.Bearer(r, cred)
		if e != nil {
			return nil, refused(e)
		}
		return p, nil

	case scheme.Type == "apiKey" && strings.EqualFold(scheme.In, "header") && strings.EqualFold(scheme.Name, "Authorization"):
		if !strings.EqualFold(word, "Apikey") {
			return nil, unauthorized(rankOtherScheme)
		}
		if cred == "" {
			return nil, unauthorized(rankRefused)
		}
		p, e := auth.APIKey(r, cred)
		if e != nil {
			return nil, refused(e)
		}
		return p, nil
	}
	return nil, unauthorized(rankUnknownScheme)
}

// authorize applies the operation's x-wabiz-access: `admin` needs the admin role, `self` the
// admin or the user named by the path, `user` any authenticated caller the security schemes
// admitted (the API key only where the spec lists it), `login` HTTP Basic.
func authorize(o *Operation, p *Principal, r *http.Request) *Error {
	if p == nil {
		return nil
	}
	switch o.Access {
	case "admin":
		if p.Role != gen.UserRoleAdmin {
			return Statusf(http.StatusForbidden, CodeAccessDenied, "only the admin user may call %s", o.ID)
		}
	case "self":
		if p.Role != gen.UserRoleAdmin && r.PathValue("username") != p.Username {
			if o.Method == http.MethodGet {
				return Statusf(http.StatusForbidden, CodeAccessDenied, "Regular user cannot read other user information")
			}
			return Statusf(http.StatusForbidden, CodeAccessDenied, "Regular user cannot modify other user")
		}
	}
	return nil
}
