package fake

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/gen"
)

func createGroup(t *testing.T, h *harness, subject string) string {
	t.Helper()
	r := h.send("POST", "/v1/groups", gen.NewGroup{Subject: subject})
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var env gen.CreatedGroupEnvelope
	r.decode(t, &env)
	return env.Groups[0].ID
}

func groupInfo(t *testing.T, h *harness, id string) gen.GroupInfo {
	t.Helper()
	r := h.get("/v1/groups/" + id)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var env gen.GroupInfoEnvelope
	r.decode(t, &env)
	return env.Groups[0]
}

func inviteLink(t *testing.T, h *harness, id string) string {
	t.Helper()
	r := h.get("/v1/groups/" + id + "/invite")
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var env gen.GroupInviteEnvelope
	r.decode(t, &env)
	return env.Groups[0].Link
}

func TestGroupLifecycle(t *testing.T) {
	t.Parallel()
	rec := NewWebhookRecorder(t)
	h := newHarness(t)
	h.setWebhook(rec.URL, false, false, false)
	id := createGroup(t, h, "Order support")
	id2 := createGroup(t, h, "Returns")
	assert.Equal(t, "16315551019-1767225600", id, "<business wa_id>-<creation time>")
	assert.Equal(t, "16315551019-1767225601", id2, "ids stay unique within a second")

	var list gen.GroupListEnvelope
	h.get("/v1/groups").decode(t, &list)
	require.Len(t, list.Groups, 2)

	info := groupInfo(t, h, id)
	assert.Equal(t, []string{"16315551019"}, info.Admins)
	assert.Equal(t, []string{"16315551019"}, info.Participants)
	assert.Equal(t, "16315551019", info.Creator)

	link := inviteLink(t, h, id)
	assert.True(t, strings.HasPrefix(link, "https://chat.whatsapp.com/"))
	assert.Equal(t, link, inviteLink(t, h, id), "same link until revoked")
	_, err := h.srv.JoinGroup(link, "16315551234")
	require.NoError(t, err)
	_, err = h.srv.JoinGroup(link, "16315559876")
	require.NoError(t, err)
	h.advance(time.Second)
	joins := rec.Messages()
	require.Len(t, joins, 2)
	assert.Equal(t, "group_user_joined", *joins[0].System.Type)
	assert.Equal(t, id, *joins[0].GroupID)
	requireValidNotifications(t, rec.Bodies())

	require.Equal(t, 200, h.send("DELETE", "/v1/groups/"+id+"/invite", nil).status)
	_, err = h.srv.JoinGroup(link, "16315550001")
	require.Error(t, err, "a revoked link no longer works")
	assert.NotEqual(t, link, inviteLink(t, h, id))

	require.Equal(t, 200, h.send("PUT", "/v1/groups/"+id, gen.GroupSubjectUpdate{Subject: "Support"}).status)
	require.Equal(t, 200, h.send("PATCH", "/v1/groups/"+id+"/admins", `{"wa_ids":["16315551234"]}`).status)
	info = groupInfo(t, h, id)
	assert.Equal(t, "Support", info.Subject)
	assert.ElementsMatch(t, []string{"16315551019", "16315551234"}, info.Admins)
	assert.ElementsMatch(t, []string{"16315551019", "16315551234", "16315559876"}, info.Participants)

	require.Equal(t, 200, h.send("DELETE", "/v1/groups/"+id+"/admins", `{"wa_ids":["16315551234"]}`).status)
	require.Equal(t, 200, h.send("DELETE", "/v1/groups/"+id+"/participants", `{"wa_ids":["16315559876"]}`).status)
	info = groupInfo(t, h, id)
	assert.Equal(t, []string{"16315551019"}, info.Admins)
	assert.ElementsMatch(t, []string{"16315551019", "16315551234"}, info.Participants)

	// Icon: binary, link, delete.
	jpeg := []byte("\xff\xd8\xff\xe0 fake jpeg")
	r := h.do(req{method: "POST", path: "/v1/groups/" + id + "/icon", token: h.admin, body: jpeg, contentType: "image/jpeg"})
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	r = h.get("/v1/groups/" + id + "/icon")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, jpeg, r.body)
	assert.Equal(t, "attachment; filename=groupIcon.jpg", r.header.Get("Content-Disposition"))
	var iconLink gen.GroupIconLinkEnvelope
	h.get("/v1/groups/"+id+"/icon?format=link").decode(t, &iconLink)
	require.NotNil(t, iconLink.Groups)
	assert.Contains(t, *(*iconLink.Groups)[0].Icon.Link, "/_fake/cdn/")
	require.Equal(t, 200, h.send("DELETE", "/v1/groups/"+id+"/icon", nil).status)
	requireError(t, h.get("/v1/groups/"+id+"/icon"), 404, codeNotFound)

	// Sending to the group, then leaving it.
	r = h.send("POST", "/v1/messages", map[string]any{"recipient_type": "group", "to": id, "type": "text", "text": map[string]string{"body": "hello group"}})
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	require.Equal(t, 200, h.send("POST", "/v1/groups/"+id+"/leave", nil).status)
	requireError(t, h.get("/v1/groups/"+id), 400, codeNotParticipant)
	requireError(t, h.send("POST", "/v1/groups/"+id+"/leave", nil), 400, codeNotParticipant)
	r = h.send("POST", "/v1/messages", map[string]any{"recipient_type": "group", "to": id, "type": "text", "text": map[string]string{"body": "hello"}})
	requireError(t, r, 400, codeNotParticipant)
	h.get("/v1/groups").decode(t, &list)
	require.Len(t, list.Groups, 1)
	assert.Equal(t, id2, list.Groups[0].ID)
}

func TestGroupErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := createGroup(t, h, "Ops")
	link := inviteLink(t, h, id)
	_, err := h.srv.JoinGroup(link, "16315551234")
	require.NoError(t, err)
	cases := []struct {
		name   string
		method string
		path   string
		body   any
		status int
		code   int
	}{
		{"unknown group", "GET", "/v1/groups/123-456", nil, 404, codeGroupUnknown},
		{"unknown group invite", "GET", "/v1/groups/123-456/invite", nil, 404, codeGroupUnknown},
		{"subject too long", "POST", "/v1/groups", gen.NewGroup{Subject: strings.Repeat("s", 26)}, 400, codeInvalidParameter},
		{"subject missing", "POST", "/v1/groups", `{}`, 400, codeMissingParameter},
		{"empty subject", "PUT", "/v1/groups/" + id, `{"subject":""}`, 400, codeInvalidParameter},
		{"promote non participant", "PATCH", "/v1/groups/" + id + "/admins", `{"wa_ids":["16315550000"]}`, 400, codeInvalidParameter},
		{"demote non admin", "DELETE", "/v1/groups/" + id + "/admins", `{"wa_ids":["16315551234"]}`, 400, codeInvalidParameter},
		{"empty wa_ids", "PATCH", "/v1/groups/" + id + "/admins", `{"wa_ids":[]}`, 400, codeInvalidParameter},
		{"missing wa_ids", "DELETE", "/v1/groups/" + id + "/participants", `{}`, 400, codeMissingParameter},
		{"bad wa_id", "DELETE", "/v1/groups/" + id + "/participants", `{"wa_ids":["+1 631"]}`, 400, codeInvalidParameter},
		{"remove the business", "DELETE", "/v1/groups/" + id + "/participants", `{"wa_ids":["16315551019"]}`, 400, codeInvalidParameter},
		{"icon as gif", "POST", "/v1/groups/" + id + "/icon", nil, 400, codeInvalidParameter},
		{"icon format", "GET", "/v1/groups/" + id + "/icon?format=big", nil, 400, codeInvalidParameter},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := req{method: c.method, path: c.path, token: h.admin, body: c.body}
			if c.name == "icon as gif" {
				r.body, r.contentType = []byte("GIF89a"), "image/gif"
			}
			requireError(t, h.do(r), c.status, c.code)
		})
	}

	// Demoting the business itself leaves the group without admin rights: 1019.
	require.Equal(t, 200, h.send("DELETE", "/v1/groups/"+id+"/admins", `{"wa_ids":["16315551019"]}`).status)
	requireError(t, h.send("PUT", "/v1/groups/"+id, `{"subject":"Nope"}`), 400, codeNotGroupAdmin)
	requireError(t, h.get("/v1/groups/"+id+"/invite"), 400, codeNotGroupAdmin)
}

func TestGroupParticipantLimit(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := createGroup(t, h, "Crowd")
	link := inviteLink(t, h, id)
	for i := 1; i < MaxGroupParticipants; i++ {
		_, err := h.srv.JoinGroup(link, fmt.Sprintf("1631600%04d", i))
		require.NoError(t, err)
	}
	_, err := h.srv.JoinGroup(link, "16317000000")
	require.ErrorIs(t, err, ErrGroupFull)
	assert.Len(t, groupInfo(t, h, id).Participants, MaxGroupParticipants)
}

func TestGroupsNeedRegistration(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithUnregistered())
	requireError(t, h.send("POST", "/v1/groups", gen.NewGroup{Subject: "x"}), 500, codeServiceNotReady)
}
