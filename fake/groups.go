package fake

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/wabiz/wabiz/gen"
)

// Group limits as documented in the spec (recalled from Meta's Groups page).
const (
	MaxGroupSubject      = 25
	MaxGroupParticipants = 256
)

// group is a group the business created.
type group struct {
	id           string
	subject      string
	creator      string
	created      int64
	admins       []string
	participants []string
	inviteCode   string
	icon         *blob
	left         bool
}

// groupFor returns a group the business still belongs to, or the API's error: 404/1012 when
// unknown, 400/1003 when the business left it. The caller holds s.mu.
func (s *Server) groupForLocked(id string) (*group, *apiError) {
	g := s.st.groups[id]
	if g == nil {
		return nil, errf(codeGroupUnknown, "Group %s is unknown", id)
	}
	if g.left {
		return nil, errf(codeNotParticipant, "The business is not a participant of group %s", id)
	}
	return g, nil
}

// adminGroupLocked is groupForLocked plus the check that the business is an admin (1019).
func (s *Server) adminGroupLocked(id string) (*group, *apiError) {
	g, e := s.groupForLocked(id)
	if e != nil {
		return nil, e
	}
	if !slices.Contains(g.admins, s.st.waID) {
		return nil, errf(codeNotGroupAdmin, "The business is not an admin of group %s", id)
	}
	return g, nil
}

// businessReadyLocked refuses operations that need a registered number (500/1011).
func (s *Server) businessReadyLocked() *apiError {
	if !s.st.registered {
		return errf(codeServiceNotReady, "the client is not registered: register the number first (POST /v1/account)")
	}
	return nil
}

func checkSubject(subject string) *apiError {
	n := len([]rune(subject))
	if n == 0 {
		return errf(codeMissingParameter, "Parameter 'subject' is required")
	}
	if n > MaxGroupSubject {
		return errf(codeInvalidParameter, "Parameter 'subject' is longer than %d characters", MaxGroupSubject)
	}
	return nil
}

// CreateGroup creates a group whose only participant and admin is the business; its id is
// `<business wa_id>-<creation time>`.
func (s *Server) CreateGroup(_ context.Context, req gen.CreateGroupRequestObject) (gen.CreateGroupResponseObject, error) {
	if req.Body == nil {
		return nil, errf(codeMissingParameter, "Parameter 'subject' is required")
	}
	if e := checkSubject(req.Body.Subject); e != nil {
		return nil, e
	}
	now := s.clock.Now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.businessReadyLocked(); e != nil {
		return nil, e
	}
	ts := now
	if ts <= s.st.lastGroupTS {
		ts = s.st.lastGroupTS + 1 // ids stay unique when groups are created within one second
	}
	s.st.lastGroupTS = ts
	g := &group{
		id: s.st.waID + "-" + strconv.FormatInt(ts, 10), subject: req.Body.Subject, creator: s.st.waID, created: ts,
		admins: []string{s.st.waID}, participants: []string{s.st.waID},
	}
	s.st.groups[g.id] = g
	s.st.groupOrder = append(s.st.groupOrder, g.id)
	return gen.CreateGroup201JSONResponse{Body: gen.CreatedGroupEnvelope{
		Groups: []gen.GroupSummary{{ID: g.id, CreationTime: g.created}}, Meta: s.meta,
	}}, nil
}

// ListGroups lists the groups the business belongs to, oldest first.
func (s *Server) ListGroups(context.Context, gen.ListGroupsRequestObject) (gen.ListGroupsResponseObject, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []gen.GroupSummary{}
	for _, id := range s.st.groupOrder {
		if g := s.st.groups[id]; g != nil && !g.left {
			out = append(out, gen.GroupSummary{ID: g.id, CreationTime: g.created})
		}
	}
	return gen.ListGroups200JSONResponse{Body: gen.GroupListEnvelope{Groups: out, Meta: s.meta}}, nil
}

// GetGroup returns the details of a group.
func (s *Server) GetGroup(_ context.Context, req gen.GetGroupRequestObject) (gen.GetGroupResponseObject, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, e := s.groupForLocked(req.GroupID)
	if e != nil {
		return nil, e
	}
	return gen.GetGroup200JSONResponse{Body: gen.GroupInfoEnvelope{Groups: []gen.GroupInfo{{
		Subject: g.subject, Creator: g.creator, CreationTime: g.created,
		Admins: slices.Clone(g.admins), Participants: slices.Clone(g.participants),
	}}, Meta: s.meta}}, nil
}

// UpdateGroup changes the subject (admins only).
func (s *Server) UpdateGroup(_ context.Context, req gen.UpdateGroupRequestObject) (gen.UpdateGroupResponseObject, error) {
	if req.Body == nil {
		return nil, errf(codeMissingParameter, "Parameter 'subject' is required")
	}
	if e := checkSubject(req.Body.Subject); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, e := s.adminGroupLocked(req.GroupID)
	if e != nil {
		return nil, e
	}
	g.subject = req.Body.Subject
	return gen.UpdateGroup200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// waIDList checks a wa_ids body.
func waIDList(b *gen.GroupWaIDList) ([]string, *apiError) {
	if b == nil || len(b.WaIDs) == 0 {
		return nil, errf(codeMissingParameter, "Parameter 'wa_ids' is required and must not be empty")
	}
	for i, id := range b.WaIDs {
		if !digitsRE.MatchString(id) || len(id) > 15 {
			return nil, errf(codeInvalidParameter, "Parameter 'wa_ids[%d]' is not a wa_id", i)
		}
	}
	return b.WaIDs, nil
}

// changeMembers checks a wa_ids body and, holding s.mu, applies change to the group, which
// the business must administer: the shared part of promote, demote and remove.
func (s *Server) changeMembers(groupID string, body *gen.GroupWaIDList, change func(g *group, ids []string) *apiError) *apiError {
	ids, e := waIDList(body)
	if e != nil {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, e := s.adminGroupLocked(groupID)
	if e != nil {
		return e
	}
	return change(g, ids)
}

// requireAll reports the first id that is not in set, as a 1009 naming what set is.
func requireAll(ids, set []string, what, groupID string) *apiError {
	for _, id := range ids {
		if !slices.Contains(set, id) {
			return errf(codeInvalidParameter, "%s is not %s of group %s", id, what, groupID)
		}
	}
	return nil
}

// PromoteGroupAdmins makes participants admins.
func (s *Server) PromoteGroupAdmins(_ context.Context, req gen.PromoteGroupAdminsRequestObject) (gen.PromoteGroupAdminsResponseObject, error) {
	if e := s.changeMembers(req.GroupID, req.Body, func(g *group, ids []string) *apiError {
		if e := requireAll(ids, g.participants, "a participant", g.id); e != nil {
			return e
		}
		for _, id := range ids {
			if !slices.Contains(g.admins, id) {
				g.admins = append(g.admins, id)
			}
		}
		return nil
	}); e != nil {
		return nil, e
	}
	return gen.PromoteGroupAdmins200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// DemoteGroupAdmins takes admin rights away.
func (s *Server) DemoteGroupAdmins(_ context.Context, req gen.DemoteGroupAdminsRequestObject) (gen.DemoteGroupAdminsResponseObject, error) {
	if e := s.changeMembers(req.GroupID, req.Body, func(g *group, ids []string) *apiError {
		if e := requireAll(ids, g.admins, "an admin", g.id); e != nil {
			return e
		}
		g.admins = slices.DeleteFunc(g.admins, func(a string) bool { return slices.Contains(ids, a) })
		return nil
	}); e != nil {
		return nil, e
	}
	return gen.DemoteGroupAdmins200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// RemoveGroupParticipants removes participants (not the business itself: it leaves).
func (s *Server) RemoveGroupParticipants(_ context.Context, req gen.RemoveGroupParticipantsRequestObject) (gen.RemoveGroupParticipantsResponseObject, error) {
	if e := s.changeMembers(req.GroupID, req.Body, func(g *group, ids []string) *apiError {
		if slices.Contains(ids, s.st.waID) {
			return errf(codeInvalidParameter, "the business cannot remove itself: use POST /v1/groups/{group_id}/leave")
		}
		if e := requireAll(ids, g.participants, "a participant", g.id); e != nil {
			return e
		}
		drop := func(a string) bool { return slices.Contains(ids, a) }
		g.participants = slices.DeleteFunc(g.participants, drop)
		g.admins = slices.DeleteFunc(g.admins, drop)
		return nil
	}); e != nil {
		return nil, e
	}
	return gen.RemoveGroupParticipants200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// LeaveGroup makes the business leave; the group disappears from its list for good.
func (s *Server) LeaveGroup(_ context.Context, req gen.LeaveGroupRequestObject) (gen.LeaveGroupResponseObject, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, e := s.groupForLocked(req.GroupID)
	if e != nil {
		return nil, e
	}
	g.left = true
	g.icon = nil // a group the business left is never served again
	s.pruneCDNLocked()
	me := s.st.waID
	g.participants = slices.DeleteFunc(g.participants, func(a string) bool { return a == me })
	g.admins = slices.DeleteFunc(g.admins, func(a string) bool { return a == me })
	return gen.LeaveGroup200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// GetGroupInvite returns the current invite link, creating one after a revocation.
func (s *Server) GetGroupInvite(_ context.Context, req gen.GetGroupInviteRequestObject) (gen.GetGroupInviteResponseObject, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, e := s.adminGroupLocked(req.GroupID)
	if e != nil {
		return nil, e
	}
	if g.inviteCode == "" {
		g.inviteCode = s.newCode(22)
	}
	return gen.GetGroupInvite200JSONResponse{Body: gen.GroupInviteEnvelope{
		Groups: []gen.GroupInvite{{Link: inviteLinkPrefix + g.inviteCode}}, Meta: s.meta,
	}}, nil
}

const inviteLinkPrefix = "https://chat.whatsapp.com/"

// RevokeGroupInvite invalidates the current invite link.
func (s *Server) RevokeGroupInvite(_ context.Context, req gen.RevokeGroupInviteRequestObject) (gen.RevokeGroupInviteResponseObject, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, e := s.adminGroupLocked(req.GroupID)
	if e != nil {
		return nil, e
	}
	g.inviteCode = ""
	return gen.RevokeGroupInvite200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// SetGroupIcon stores a JPEG or PNG icon smaller than 5 MiB (201).
func (s *Server) SetGroupIcon(ctx context.Context, req gen.SetGroupIconRequestObject) (gen.SetGroupIconResponseObject, error) {
	s.mu.RLock()
	_, e := s.adminGroupLocked(req.GroupID)
	s.mu.RUnlock()
	if e != nil {
		return nil, e
	}
	b, e := s.readImageBody(ctx, req.ContentType, req.Body)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, e := s.adminGroupLocked(req.GroupID)
	if e != nil {
		return nil, e
	}
	g.icon = b
	s.st.cdn[b.sha] = b
	s.pruneCDNLocked() // the icon replaced
	return gen.SetGroupIcon201JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// GetGroupIcon returns the icon as JPEG-labelled bytes, or with format=link a JSON link.
func (s *Server) GetGroupIcon(ctx context.Context, req gen.GetGroupIconRequestObject) (gen.GetGroupIconResponseObject, error) {
	s.mu.RLock()
	g, e := s.groupForLocked(req.GroupID)
	var icon *blob
	if g != nil {
		icon = g.icon
	}
	s.mu.RUnlock()
	if e != nil {
		return nil, e
	}
	if icon == nil {
		return nil, errf(codeNotFound, "Group %s has no icon", req.GroupID)
	}
	if req.Params.Format != nil {
		if *req.Params.Format != gen.GetGroupIconParamsFormatLink {
			return nil, errf(codeInvalidParameter, "Parameter 'format' must be link")
		}
		link := s.cdnLink(ctx, icon)
		return gen.GetGroupIcon200JSONResponse{Body: gen.GroupIconLinkEnvelope{
			Groups: &[]gen.GroupIconEntry{{Icon: &gen.GroupIconLink{Link: &link}}}, Meta: s.meta,
		}}, nil
	}
	return gen.GetGroupIcon200ImageJpegResponse{
		Body:          strings.NewReader(string(icon.data)),
		ContentLength: int64(len(icon.data)),
		Headers:       gen.GetGroupIcon200ResponseHeaders{ContentDisposition: ptr("attachment; filename=groupIcon.jpg")},
	}, nil
}

// DeleteGroupIcon removes the icon.
func (s *Server) DeleteGroupIcon(_ context.Context, req gen.DeleteGroupIconRequestObject) (gen.DeleteGroupIconResponseObject, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, e := s.adminGroupLocked(req.GroupID)
	if e != nil {
		return nil, e
	}
	g.icon = nil
	s.pruneCDNLocked()
	return gen.DeleteGroupIcon200JSONResponse{Body: gen.MetaEnvelope{Meta: s.meta}}, nil
}

// ErrGroupFull is returned by JoinGroup when the group already has MaxGroupParticipants.
var ErrGroupFull = errors.New("fake: the group is full")

// JoinGroup simulates a customer opening an invite link (the only way into a group): waID
// becomes a participant and a `group_user_joined` system webhook is sent. A revoked or unknown
// link fails, and so does a full group (ErrGroupFull).
func (s *Server) JoinGroup(link, waID string) (groupID string, err error) {
	if !digitsRE.MatchString(waID) {
		return "", fmt.Errorf("fake: JoinGroup: %q is not a wa_id (digits only)", waID)
	}
	code := strings.TrimPrefix(strings.TrimSpace(link), inviteLinkPrefix)
	now := s.clock.Now()
	s.mu.Lock()
	var g *group
	for _, cand := range s.st.groups {
		if cand.inviteCode != "" && cand.inviteCode == code && !cand.left {
			g = cand
			break
		}
	}
	if g == nil {
		s.mu.Unlock()
		return "", fmt.Errorf("fake: JoinGroup: %q is not a valid invite link", link)
	}
	if !slices.Contains(g.participants, waID) {
		if len(g.participants) >= MaxGroupParticipants {
			s.mu.Unlock()
			return "", ErrGroupFull
		}
		g.participants = append(g.participants, waID)
	}
	id := g.id
	s.mu.Unlock()
	msg := gen.InboundMessage{
		From: waID, ID: s.newInboundID(), Timestamp: unixString(now), Type: "system", GroupID: ptr(id),
		System: &gen.SystemEvent{Type: ptr("group_user_joined"), Body: ptr("+" + waID + " joined using this group's invite link"),
			GroupID: ptr(id), Operator: ptr(waID), Users: &[]string{waID}},
	}
	s.enqueueNotification(kindInbound, gen.WebhookNotification{Messages: &[]gen.InboundMessage{msg}})
	return id, nil
}
