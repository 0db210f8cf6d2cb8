package fake

import (
	"context"
	"net/http"

	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// Login checks the HTTP Basic credentials (already verified by the pipeline), changes the
// password when new_password is sent, refuses the default admin password with 401/1024 and
// issues a token valid for 7 days on the fake's clock.
func (s *Server) Login(ctx context.Context, req gen.LoginRequestObject) (gen.LoginResponseObject, error) {
	p := onpremhttp.PrincipalFrom(ctx)
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.users[p.Username]
	if u == nil {
		return nil, errf(codeNotFound, "User does not exist")
	}
	if req.Body != nil && req.Body.NewPassword != nil {
		if msg := onpremhttp.CheckPassword(*req.Body.NewPassword); msg != "" {
			return nil, errf(codeInvalidParameter, "%s", msg)
		}
		setPassword(u, *req.Body.NewPassword)
		u.mustChange = false
	} else if u.mustChange {
		return nil, errStatus(http.StatusUnauthorized, codePasswordChange, "Password must be changed")
	}
	tok, exp := s.issueToken(u.name, now)
	return gen.Login200JSONResponse{Body: gen.LoginEnvelope{
		Users: []gen.LoginToken{{Token: tok, ExpiresAfter: onpremhttp.FormatExpiresAfter(exp)}},
		Meta:  s.meta,
	}}, nil
}

// Logout revokes the token of the request only.
func (s *Server) Logout(ctx context.Context, _ gen.LogoutRequestObject) (gen.LogoutResponseObject, error) {
	p := onpremhttp.PrincipalFrom(ctx)
	s.mu.Lock()
	delete(s.st.sessions, p.Token)
	s.mu.Unlock()
	return gen.Logout200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// CreateUser creates an ordinary user; an existing name gets 500/1014 as on the real server.
func (s *Server) CreateUser(_ context.Context, req gen.CreateUserRequestObject) (gen.CreateUserResponseObject, error) {
	if req.Body == nil {
		return nil, errf(codeMissingParameter, "Parameter 'username' is required")
	}
	if msg := onpremhttp.CheckUsername(req.Body.Username); msg != "" {
		return nil, errf(codeInvalidParameter, "%s", msg)
	}
	if msg := onpremhttp.CheckPassword(req.Body.Password); msg != "" {
		return nil, errf(codeInvalidParameter, "%s", msg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.users[req.Body.Username] != nil {
		return nil, errf(codeInternal, "Unable to create user. Already exist?")
	}
	u := &user{name: req.Body.Username, role: gen.UserRoleUser}
	setPassword(u, req.Body.Password)
	s.st.users[u.name] = u
	return gen.CreateUser201JSONResponse{Body: gen.UserEnvelope{Users: []gen.User{{Username: u.name}}, Meta: s.meta}}, nil
}

// GetUser returns a user and its role (the admin may read anyone, users only themselves).
func (s *Server) GetUser(_ context.Context, req gen.GetUserRequestObject) (gen.GetUserResponseObject, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.st.users[req.Username]
	if u == nil {
		return nil, errf(codeNotFound, "User does not exist")
	}
	role := u.role
	return gen.GetUser200JSONResponse{Body: gen.UserDetailEnvelope{
		Users: []gen.UserDetail{{Username: u.name, ROLES: &role}},
		Meta:  s.meta,
	}}, nil
}

// UpdateUser changes a password; existing tokens stay valid.
func (s *Server) UpdateUser(_ context.Context, req gen.UpdateUserRequestObject) (gen.UpdateUserResponseObject, error) {
	if req.Body == nil {
		return nil, errf(codeMissingParameter, "Parameter 'password' is required")
	}
	if msg := onpremhttp.CheckPassword(req.Body.Password); msg != "" {
		return nil, errf(codeInvalidParameter, "%s", msg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.users[req.Username]
	if u == nil {
		return nil, errf(codeNotFound, "User does not exist")
	}
	setPassword(u, req.Body.Password)
	u.mustChange = false
	return gen.UpdateUser200JSONResponse{Body: gen.UserEnvelope{Users: []gen.User{{Username: u.name}}, Meta: s.meta}}, nil
}

// DeleteUser deletes a user and all its tokens; the admin cannot be deleted.
func (s *Server) DeleteUser(_ context.Context, req gen.DeleteUserRequestObject) (gen.DeleteUserResponseObject, error) {
	if req.Username == "admin" {
		return nil, errf(codeInvalidParameter, "Admin user cannot be deleted")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.users[req.Username] == nil {
		return nil, errf(codeNotFound, "User does not exist")
	}
	delete(s.st.users, req.Username)
	for tok, sess := range s.st.sessions {
		if sess.user == req.Username {
			delete(s.st.sessions, tok)
		}
	}
	return gen.DeleteUser200JSONResponse{Body: gen.UserEnvelope{Users: []gen.User{{Username: req.Username}}, Meta: s.meta}}, nil
}
