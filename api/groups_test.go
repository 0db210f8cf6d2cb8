package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

const testGroupID = "16315558032-1530825318"

func TestGroupWrappers(t *testing.T) {
	t.Parallel()
	gp := "/v1/groups/" + testGroupID
	runWrapperCases(t, []wrapperCase{
		{
			name: "ListGroups", method: "GET", path: "/v1/groups",
			resp: `{"groups":[{"id":"16315558032-1530825318","creation_time":1530825318}]}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.ListGroups(ctx) },
			want: []gen.GroupSummary{{ID: testGroupID, CreationTime: 1530825318}},
		},
		{
			name: "ListGroups_none", method: "GET", path: "/v1/groups", resp: `{"groups":[]}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.ListGroups(ctx) },
			want: []gen.GroupSummary{},
		},
		{
			name: "CreateGroup", method: "POST", path: "/v1/groups", status: 201, body: `{"subject":"Order support"}`,
			resp: `{"groups":[{"id":"16315558032-1530825318","creation_time":1530825318}]}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.CreateGroup(ctx, "Order support") },
			want: &gen.GroupSummary{ID: testGroupID, CreationTime: 1530825318},
		},
		{
			name: "CreateGroup_200", method: "POST", path: "/v1/groups", body: `{"subject":"Order support"}`,
			resp: `{"groups":[{"id":"16315558032-1530825318","creation_time":1530825318}]}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.CreateGroup(ctx, "Order support") },
			want: &gen.GroupSummary{ID: testGroupID, CreationTime: 1530825318},
		},
		{
			name: "GetGroup", method: "GET", path: gp,
			resp: `{"groups":[{"admins":["16315558032"],"creation_time":1530825318,"creator":"16315558032",
				"participants":["16315558032","16315551234"],"subject":"Order support"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetGroup(ctx, testGroupID) },
			want: &gen.GroupInfo{Admins: []string{"16315558032"}, CreationTime: 1530825318, Creator: "16315558032",
				Participants: []string{"16315558032", "16315551234"}, Subject: "Order support"},
		},
		{
			name: "UpdateGroupSubject", method: "PUT", path: gp, body: `{"subject":"Returns"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.UpdateGroupSubject(ctx, testGroupID, "Returns"))
			},
		},
		{
			name: "PromoteGroupAdmins", method: "PATCH", path: gp + "/admins", body: `{"wa_ids":["16315551234","16315551235"]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.PromoteGroupAdmins(ctx, testGroupID, "16315551234", "16315551235"))
			},
		},
		{
			name: "DemoteGroupAdmins", method: "DELETE", path: gp + "/admins", body: `{"wa_ids":["16315551234"]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.DemoteGroupAdmins(ctx, testGroupID, "16315551234"))
			},
		},
		{
			name: "RemoveGroupParticipants", method: "DELETE", path: gp + "/participants", body: `{"wa_ids":["16315551234"]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.RemoveGroupParticipants(ctx, testGroupID, "16315551234"))
			},
		},
		{
			name: "LeaveGroup", method: "POST", path: gp + "/leave",
			call: func(ctx context.Context, c *Client) (any, error) { return noResult(c.LeaveGroup(ctx, testGroupID)) },
		},
		{
			name: "GetGroupInvite", method: "GET", path: gp + "/invite",
			resp: `{"groups":[{"link":"https://chat.whatsapp.com/G7rcAzVtCnB2QUGeGbZdJq"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetGroupInvite(ctx, testGroupID) },
			want: "https://chat.whatsapp.com/G7rcAzVtCnB2QUGeGbZdJq",
		},
		{
			name: "RevokeGroupInvite", method: "DELETE", path: gp + "/invite",
			call: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.RevokeGroupInvite(ctx, testGroupID))
			},
		},
		{
			name: "GetGroupIconLink", method: "GET", path: gp + "/icon", query: "format=link",
			resp: `{"groups":[{"icon":{"link":"https://pps.whatsapp.net/g.jpg"}}]}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetGroupIconLink(ctx, testGroupID) },
			want: "https://pps.whatsapp.net/g.jpg",
		},
		{
			name: "DeleteGroupIcon", method: "DELETE", path: gp + "/icon",
			call: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.DeleteGroupIcon(ctx, testGroupID))
			},
		},
	})
}

func TestGroupWrappersRejectEmptyGroupID(t *testing.T) {
	t.Parallel()
	runRequiredArgCases(t, []requiredArgCase{
		{"GetGroup", func(ctx context.Context, c *Client) error { _, err := c.GetGroup(ctx, ""); return err }},
		{"UpdateGroupSubject", func(ctx context.Context, c *Client) error { return c.UpdateGroupSubject(ctx, "", "s") }},
		{"PromoteGroupAdmins", func(ctx context.Context, c *Client) error { return c.PromoteGroupAdmins(ctx, "", "1") }},
		{"DemoteGroupAdmins", func(ctx context.Context, c *Client) error { return c.DemoteGroupAdmins(ctx, "", "1") }},
		{"RemoveGroupParticipants", func(ctx context.Context, c *Client) error { return c.RemoveGroupParticipants(ctx, "", "1") }},
		{"LeaveGroup", func(ctx context.Context, c *Client) error { return c.LeaveGroup(ctx, "") }},
		{"GetGroupInvite", func(ctx context.Context, c *Client) error { _, err := c.GetGroupInvite(ctx, ""); return err }},
		{"RevokeGroupInvite", func(ctx context.Context, c *Client) error { return c.RevokeGroupInvite(ctx, "") }},
		{"SetGroupIcon", func(ctx context.Context, c *Client) error {
			return c.SetGroupIcon(ctx, "", strings.NewReader("x"), "image/jpeg")
		}},
		{"GetGroupIcon", func(ctx context.Context, c *Client) error { _, _, err := c.GetGroupIcon(ctx, ""); return err }},
		{"GetGroupIconLink", func(ctx context.Context, c *Client) error { _, err := c.GetGroupIconLink(ctx, ""); return err }},
		{"DeleteGroupIcon", func(ctx context.Context, c *Client) error { return c.DeleteGroupIcon(ctx, "") }},
	})
}

// TestGroupIconStreams sends and receives the icon's bytes unchanged, in both directions.
func TestGroupIconStreams(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	icon := bytes.Repeat([]byte("JPEGDATA"), 4096)
	var stored []byte
	mux.HandleFunc("POST /v1/groups/"+testGroupID+"/icon", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "image/jpeg", r.Header.Get("Content-Type"))
		stored, _ = io.ReadAll(r.Body)
		writeJSON(w, http.StatusCreated, metaOnly)
	})
	mux.HandleFunc("GET /v1/groups/"+testGroupID+"/icon", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(stored)
	})
	require.NoError(t, c.SetGroupIcon(t.Context(), testGroupID, bytes.NewReader(icon), "image/jpeg"))
	body, ct, err := c.GetGroupIcon(t.Context(), testGroupID)
	require.NoError(t, err)
	defer body.Close()
	got, err := io.ReadAll(body)
	require.NoError(t, err)
	assert.Equal(t, "image/jpeg", ct)
	assert.Equal(t, icon, got)
}

func TestGetGroupIconLinkWithoutLink(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("GET /v1/groups/"+testGroupID+"/icon", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"groups":[{}]}`)
	})
	_, err := c.GetGroupIconLink(t.Context(), testGroupID)
	assert.ErrorIs(t, err, ErrUnexpectedResponse)
}
