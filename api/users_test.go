package api

import (
	"context"
	"testing"

	"github.com/wabiz/wabiz/gen"
)

func TestUserWrappers(t *testing.T) {
	t.Parallel()
	runWrapperCases(t, []wrapperCase{
		{
			name: "CreateUser", method: "POST", path: "/v1/users", status: 201,
			body: `{"username":"support-bot","password":"Sup9ort!Bot"}`,
			resp: `{"users":[{"username":"support-bot"}],"meta":{"version":"v2.45.1"}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.CreateUser(ctx, "support-bot", "Sup9ort!Bot"))
			},
		},
		{
			name: "GetUser", method: "GET", path: "/v1/users/support-bot",
			resp: `{"users":[{"username":"support-bot","ROLES":"ROLE_USER"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetUser(ctx, "support-bot") },
			want: &gen.UserDetail{Username: "support-bot", ROLES: ptr(gen.UserRoleUser)},
		},
		{
			name: "GetUser_lower_case_roles", method: "GET", path: "/v1/users/admin",
			resp: `{"users":[{"username":"admin","roles":"ROLE_ADMIN"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetUser(ctx, "admin") },
			want: &gen.UserDetail{Username: "admin", ROLES: ptr(gen.UserRoleAdmin), Roles: ptr(gen.UserRoleAdmin)},
		},
		{
			name: "GetUser_escapes_the_name", method: "GET", path: "/v1/users/a%2Fb",
			resp: `{"users":[{"username":"a/b","ROLES":"ROLE_USER"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetUser(ctx, "a/b") },
			want: &gen.UserDetail{Username: "a/b", ROLES: ptr(gen.UserRoleUser)},
		},
		{
			name: "UpdateUserPassword", method: "PUT", path: "/v1/users/support-bot",
			body: `{"password":"An0ther#Secret"}`,
			resp: `{"users":[{"username":"support-bot"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.UpdateUserPassword(ctx, "support-bot", "An0ther#Secret"))
			},
		},
		{
			name: "DeleteUser", method: "DELETE", path: "/v1/users/support-bot",
			resp: `{"users":[{"username":"support-bot"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.DeleteUser(ctx, "support-bot"))
			},
		},
	})
}

func TestUserWrappersRejectEmptyUsername(t *testing.T) {
	t.Parallel()
	runRequiredArgCases(t, []requiredArgCase{
		{"GetUser", func(ctx context.Context, c *Client) error { _, err := c.GetUser(ctx, ""); return err }},
		{"UpdateUserPassword", func(ctx context.Context, c *Client) error { return c.UpdateUserPassword(ctx, "", "x") }},
		{"DeleteUser", func(ctx context.Context, c *Client) error { return c.DeleteUser(ctx, "") }},
	})
}
