package bridge

import (
	"context"

	"github.com/wabiz/wabiz/gen"
)

// CreateUser is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) CreateUser(ctx context.Context, request gen.CreateUserRequestObject) (gen.CreateUserResponseObject, error) {
	return nil, notBuilt("createUser")
}

// Login is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) Login(ctx context.Context, request gen.LoginRequestObject) (gen.LoginResponseObject, error) {
	return nil, notBuilt("login")
}

// Logout is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) Logout(ctx context.Context, request gen.LogoutRequestObject) (gen.LogoutResponseObject, error) {
	return nil, notBuilt("logout")
}

// DeleteUser is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) DeleteUser(ctx context.Context, request gen.DeleteUserRequestObject) (gen.DeleteUserResponseObject, error) {
	return nil, notBuilt("deleteUser")
}

// GetUser is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) GetUser(ctx context.Context, request gen.GetUserRequestObject) (gen.GetUserResponseObject, error) {
	return nil, notBuilt("getUser")
}

// UpdateUser is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) UpdateUser(ctx context.Context, request gen.UpdateUserRequestObject) (gen.UpdateUserResponseObject, error) {
	return nil, notBuilt("updateUser")
}
