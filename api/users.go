package api

import (
	"context"

	"github.com/wabiz/wabiz/gen"
)

// CreateUser creates an ordinary user (role ROLE_USER) with the given name and password
// (POST /v1/users). The server checks the name (4 to 32 URL-safe characters) and the password
// rules; admin only.
//
//wabiz:operation createUser
func (c *Client) CreateUser(ctx context.Context, username, password string) error {
	_, err := c.Raw.CreateUserWithResponse(ctx, gen.UserCredentials{Username: username, Password: password})
	return err
}

// GetUser returns a user's name and role (GET /v1/users/{username}). The server sends the role
// under "ROLES" or, on some database back ends, "roles"; GetUser copies the latter into ROLES
// so that callers read one field. An ordinary user may read only itself.
//
//wabiz:operation getUser
func (c *Client) GetUser(ctx context.Context, username string) (*gen.UserDetail, error) {
	if err := required("GetUser", "username", username); err != nil {
		return nil, err
	}
	resp, err := c.Raw.GetUserWithResponse(ctx, username)
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil || len(resp.JSON200.Users) == 0 {
		return nil, unexpected("getUser", resp.StatusCode())
	}
	u := resp.JSON200.Users[0]
	if u.ROLES == nil {
		u.ROLES = u.Roles
	}
	return &u, nil
}

// UpdateUserPassword sets a new password for a user (PUT /v1/users/{username}), the only thing
// about a user that can change. Tokens issued before stay valid. When username is the user of
// this client's credentials, the client logs in with the new password from then on.
//
//wabiz:operation updateUser
func (c *Client) UpdateUserPassword(ctx context.Context, username, password string) error {
	if err := required("UpdateUserPassword", "username", username); err != nil {
		return err
	}
	if _, err := c.Raw.UpdateUserWithResponse(ctx, username, gen.UserPassword{Password: password}); err != nil {
		return err
	}
	if c.session != nil {
		c.session.setPassword(username, password)
	}
	return nil
}

// DeleteUser deletes a user and revokes all its tokens (DELETE /v1/users/{username}). The
// built-in admin cannot be deleted; admin only.
//
//wabiz:operation deleteUser
func (c *Client) DeleteUser(ctx context.Context, username string) error {
	if err := required("DeleteUser", "username", username); err != nil {
		return err
	}
	_, err := c.Raw.DeleteUserWithResponse(ctx, username)
	return err
}
