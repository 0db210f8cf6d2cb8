package api

import (
	"context"
	"io"

	"github.com/wabiz/wabiz/gen"
)

// ListGroups lists the groups the business belongs to (GET /v1/groups).
//
//wabiz:operation listGroups
func (c *Client) ListGroups(ctx context.Context) ([]gen.GroupSummary, error) {
	resp, err := c.Raw.ListGroupsWithResponse(ctx)
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil {
		return nil, unexpected("listGroups", resp.StatusCode())
	}
	return resp.JSON200.Groups, nil
}

// CreateGroup creates a group with the given subject and returns its id and creation time
// (POST /v1/groups). Participants join through the invite link (GetGroupInvite). Message the
// group with the ToGroup send option.
//
//wabiz:operation createGroup
func (c *Client) CreateGroup(ctx context.Context, subject string) (*gen.GroupSummary, error) {
	resp, err := c.Raw.CreateGroupWithResponse(ctx, gen.NewGroup{Subject: subject})
	if err != nil {
		return nil, err
	}
	env := resp.JSON201
	if env == nil {
		env = resp.JSON200
	}
	if env == nil || len(env.Groups) == 0 || env.Groups[0].ID == "" {
		return nil, unexpected("createGroup", resp.StatusCode())
	}
	return &env.Groups[0], nil
}

// GetGroup returns a group's subject, creator, admins and participants
// (GET /v1/groups/{group_id}).
//
//wabiz:operation getGroup
func (c *Client) GetGroup(ctx context.Context, groupID string) (*gen.GroupInfo, error) {
	if err := required("GetGroup", "group id", groupID); err != nil {
		return nil, err
	}
	resp, err := c.Raw.GetGroupWithResponse(ctx, groupID)
	if err != nil {
		return nil, err
	}
	if resp.JSON200 == nil || len(resp.JSON200.Groups) == 0 {
		return nil, unexpected("getGroup", resp.StatusCode())
	}
	return &resp.JSON200.Groups[0], nil
}

// UpdateGroupSubject changes a group's subject (PUT /v1/groups/{group_id}), the only property
// of a group that can change.
//
//wabiz:operation updateGroup
func (c *Client) UpdateGroupSubject(ctx context.Context, groupID, subject string) error {
	if err := required("UpdateGroupSubject", "group id", groupID); err != nil {
		return err
	}
	_, err := c.Raw.UpdateGroupWithResponse(ctx, groupID, gen.GroupSubjectUpdate{Subject: subject})
	return err
}

// PromoteGroupAdmins makes participants admins of a group
// (PATCH /v1/groups/{group_id}/admins).
//
//wabiz:operation promoteGroupAdmins
func (c *Client) PromoteGroupAdmins(ctx context.Context, groupID string, waIDs ...string) error {
	if err := required("PromoteGroupAdmins", "group id", groupID); err != nil {
		return err
	}
	_, err := c.Raw.PromoteGroupAdminsWithResponse(ctx, groupID, gen.GroupWaIDList{WaIDs: waIDs})
	return err
}

// DemoteGroupAdmins revokes the admin rights of participants of a group
// (DELETE /v1/groups/{group_id}/admins).
//
//wabiz:operation demoteGroupAdmins
func (c *Client) DemoteGroupAdmins(ctx context.Context, groupID string, waIDs ...string) error {
	if err := required("DemoteGroupAdmins", "group id", groupID); err != nil {
		return err
	}
	_, err := c.Raw.DemoteGroupAdminsWithResponse(ctx, groupID, gen.GroupWaIDList{WaIDs: waIDs})
	return err
}

// RemoveGroupParticipants removes participants from a group
// (DELETE /v1/groups/{group_id}/participants).
//
//wabiz:operation removeGroupParticipants
func (c *Client) RemoveGroupParticipants(ctx context.Context, groupID string, waIDs ...string) error {
	if err := required("RemoveGroupParticipants", "group id", groupID); err != nil {
		return err
	}
	_, err := c.Raw.RemoveGroupParticipantsWithResponse(ctx, groupID, gen.GroupWaIDList{WaIDs: waIDs})
	return err
}

// LeaveGroup makes the business leave a group (POST /v1/groups/{group_id}/leave).
//
//wabiz:operation leaveGroup
func (c *Client) LeaveGroup(ctx context.Context, groupID string) error {
	if err := required("LeaveGroup", "group id", groupID); err != nil {
		return err
	}
	_, err := c.Raw.LeaveGroupWithResponse(ctx, groupID)
	return err
}

// GetGroupInvite returns a group's invite link, https://chat.whatsapp.com/<code>
// (GET /v1/groups/{group_id}/invite). Anyone holding it can join until it is revoked.
//
//wabiz:operation getGroupInvite
func (c *Client) GetGroupInvite(ctx context.Context, groupID string) (string, error) {
	if err := required("GetGroupInvite", "group id", groupID); err != nil {
		return "", err
	}
	resp, err := c.Raw.GetGroupInviteWithResponse(ctx, groupID)
	if err != nil {
		return "", err
	}
	if resp.JSON200 == nil || len(resp.JSON200.Groups) == 0 || resp.JSON200.Groups[0].Link == "" {
		return "", unexpected("getGroupInvite", resp.StatusCode())
	}
	return resp.JSON200.Groups[0].Link, nil
}

// RevokeGroupInvite revokes a group's invite link (DELETE /v1/groups/{group_id}/invite); a new
// one is created on the next GetGroupInvite.
//
//wabiz:operation revokeGroupInvite
func (c *Client) RevokeGroupInvite(ctx context.Context, groupID string) error {
	if err := required("RevokeGroupInvite", "group id", groupID); err != nil {
		return err
	}
	_, err := c.Raw.RevokeGroupInviteWithResponse(ctx, groupID)
	return err
}

// SetGroupIcon streams a JPEG or PNG image to the server as the group's icon
// (POST /v1/groups/{group_id}/icon). Like UploadMedia it sends Content-Length when the size of
// r is known and can replay a seekable r; it does not close r. The server rejects 5 MiB or
// more.
//
//wabiz:operation setGroupIcon
func (c *Client) SetGroupIcon(ctx context.Context, groupID string, r io.Reader, contentType string) error {
	if err := required("SetGroupIcon", "group id", groupID); err != nil {
		return err
	}
	if r == nil {
		return &ArgumentError{Method: "SetGroupIcon", Argument: "reader", Problem: "nil"}
	}
	if err := checkContentType("SetGroupIcon", contentType); err != nil {
		return err
	}
	size, start, seeker := readerSize(r)
	body, edit := uploadBody(r, size, start, seeker)
	_, err := c.Raw.SetGroupIconWithBodyWithResponse(ctx, groupID, contentType, body, edit)
	return err
}

// GetGroupIcon streams a group's icon (GET /v1/groups/{group_id}/icon) and returns it unread
// with its media type; the caller must close it. A group without an icon answers 404.
//
//wabiz:operation getGroupIcon
func (c *Client) GetGroupIcon(ctx context.Context, groupID string) (io.ReadCloser, string, error) {
	if err := required("GetGroupIcon", "group id", groupID); err != nil {
		return nil, "", err
	}
	resp, err := c.Raw.GetGroupIcon(ctx, groupID, nil)
	if err != nil {
		return nil, "", err
	}
	return resp.Body, resp.Header.Get("Content-Type"), nil
}

// GetGroupIconLink returns a public URL of a group's icon
// (GET /v1/groups/{group_id}/icon?format=link). The shape of that answer is unverified (see
// the spec); a body without a link is reported as ErrUnexpectedResponse.
//
//wabiz:operation getGroupIcon
func (c *Client) GetGroupIconLink(ctx context.Context, groupID string) (string, error) {
	if err := required("GetGroupIconLink", "group id", groupID); err != nil {
		return "", err
	}
	link := gen.GetGroupIconParamsFormatLink
	resp, err := c.Raw.GetGroupIconWithResponse(ctx, groupID, &gen.GetGroupIconParams{Format: &link})
	if err != nil {
		return "", err
	}
	if env := resp.JSON200; env != nil && env.Groups != nil {
		for _, g := range *env.Groups {
			if g.Icon != nil && g.Icon.Link != nil && *g.Icon.Link != "" {
				return *g.Icon.Link, nil
			}
		}
	}
	return "", unexpected("getGroupIcon", resp.StatusCode())
}

// DeleteGroupIcon removes a group's icon (DELETE /v1/groups/{group_id}/icon).
//
//wabiz:operation deleteGroupIcon
func (c *Client) DeleteGroupIcon(ctx context.Context, groupID string) error {
	if err := required("DeleteGroupIcon", "group id", groupID); err != nil {
		return err
	}
	_, err := c.Raw.DeleteGroupIconWithResponse(ctx, groupID)
	return err
}
