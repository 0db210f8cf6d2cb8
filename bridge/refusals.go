package bridge

import (
	"context"

	"github.com/wabiz/wabiz/gen"
)

// GetMetrics is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) GetMetrics(ctx context.Context, request gen.GetMetricsRequestObject) (gen.GetMetricsResponseObject, error) {
	return nil, notBuilt("getMetrics")
}

// GetShards is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) GetShards(ctx context.Context, request gen.GetShardsRequestObject) (gen.GetShardsResponseObject, error) {
	return nil, notBuilt("getShards")
}

// SetShards is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) SetShards(ctx context.Context, request gen.SetShardsRequestObject) (gen.SetShardsResponseObject, error) {
	return nil, notBuilt("setShards")
}

// ListGroups is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) ListGroups(ctx context.Context, request gen.ListGroupsRequestObject) (gen.ListGroupsResponseObject, error) {
	return nil, notBuilt("listGroups")
}

// CreateGroup is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) CreateGroup(ctx context.Context, request gen.CreateGroupRequestObject) (gen.CreateGroupResponseObject, error) {
	return nil, notBuilt("createGroup")
}

// GetGroup is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) GetGroup(ctx context.Context, request gen.GetGroupRequestObject) (gen.GetGroupResponseObject, error) {
	return nil, notBuilt("getGroup")
}

// UpdateGroup is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) UpdateGroup(ctx context.Context, request gen.UpdateGroupRequestObject) (gen.UpdateGroupResponseObject, error) {
	return nil, notBuilt("updateGroup")
}

// DemoteGroupAdmins is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) DemoteGroupAdmins(ctx context.Context, request gen.DemoteGroupAdminsRequestObject) (gen.DemoteGroupAdminsResponseObject, error) {
	return nil, notBuilt("demoteGroupAdmins")
}

// PromoteGroupAdmins is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) PromoteGroupAdmins(ctx context.Context, request gen.PromoteGroupAdminsRequestObject) (gen.PromoteGroupAdminsResponseObject, error) {
	return nil, notBuilt("promoteGroupAdmins")
}

// DeleteGroupIcon is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) DeleteGroupIcon(ctx context.Context, request gen.DeleteGroupIconRequestObject) (gen.DeleteGroupIconResponseObject, error) {
	return nil, notBuilt("deleteGroupIcon")
}

// GetGroupIcon is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) GetGroupIcon(ctx context.Context, request gen.GetGroupIconRequestObject) (gen.GetGroupIconResponseObject, error) {
	return nil, notBuilt("getGroupIcon")
}

// SetGroupIcon is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) SetGroupIcon(ctx context.Context, request gen.SetGroupIconRequestObject) (gen.SetGroupIconResponseObject, error) {
	return nil, notBuilt("setGroupIcon")
}

// RevokeGroupInvite is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) RevokeGroupInvite(ctx context.Context, request gen.RevokeGroupInviteRequestObject) (gen.RevokeGroupInviteResponseObject, error) {
	return nil, notBuilt("revokeGroupInvite")
}

// GetGroupInvite is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) GetGroupInvite(ctx context.Context, request gen.GetGroupInviteRequestObject) (gen.GetGroupInviteResponseObject, error) {
	return nil, notBuilt("getGroupInvite")
}

// LeaveGroup is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) LeaveGroup(ctx context.Context, request gen.LeaveGroupRequestObject) (gen.LeaveGroupResponseObject, error) {
	return nil, notBuilt("leaveGroup")
}

// RemoveGroupParticipants is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) RemoveGroupParticipants(ctx context.Context, request gen.RemoveGroupParticipantsRequestObject) (gen.RemoveGroupParticipantsResponseObject, error) {
	return nil, notBuilt("removeGroupParticipants")
}

// CollectMediaGarbage is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) CollectMediaGarbage(ctx context.Context, request gen.CollectMediaGarbageRequestObject) (gen.CollectMediaGarbageResponseObject, error) {
	return nil, notBuilt("collectMediaGarbage")
}

// CollectMessageGarbage is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) CollectMessageGarbage(ctx context.Context, request gen.CollectMessageGarbageRequestObject) (gen.CollectMessageGarbageResponseObject, error) {
	return nil, notBuilt("collectMessageGarbage")
}

// GetAppStats is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) GetAppStats(ctx context.Context, request gen.GetAppStatsRequestObject) (gen.GetAppStatsResponseObject, error) {
	return nil, notBuilt("getAppStats")
}

// GetAppStatsInternal is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) GetAppStatsInternal(ctx context.Context, request gen.GetAppStatsInternalRequestObject) (gen.GetAppStatsInternalResponseObject, error) {
	return nil, notBuilt("getAppStatsInternal")
}

// GetDBStats is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) GetDBStats(ctx context.Context, request gen.GetDBStatsRequestObject) (gen.GetDBStatsResponseObject, error) {
	return nil, notBuilt("getDBStats")
}

// GetDBStatsInternal is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) GetDBStatsInternal(ctx context.Context, request gen.GetDBStatsInternalRequestObject) (gen.GetDBStatsInternalResponseObject, error) {
	return nil, notBuilt("getDBStatsInternal")
}

// ListStickerpacks is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) ListStickerpacks(ctx context.Context, request gen.ListStickerpacksRequestObject) (gen.ListStickerpacksResponseObject, error) {
	return nil, notBuilt("listStickerpacks")
}

// CreateStickerpack is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) CreateStickerpack(ctx context.Context, request gen.CreateStickerpackRequestObject) (gen.CreateStickerpackResponseObject, error) {
	return nil, notBuilt("createStickerpack")
}

// DeleteStickerpack is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) DeleteStickerpack(ctx context.Context, request gen.DeleteStickerpackRequestObject) (gen.DeleteStickerpackResponseObject, error) {
	return nil, notBuilt("deleteStickerpack")
}

// GetStickerpack is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) GetStickerpack(ctx context.Context, request gen.GetStickerpackRequestObject) (gen.GetStickerpackResponseObject, error) {
	return nil, notBuilt("getStickerpack")
}

// UpdateStickerpack is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) UpdateStickerpack(ctx context.Context, request gen.UpdateStickerpackRequestObject) (gen.UpdateStickerpackResponseObject, error) {
	return nil, notBuilt("updateStickerpack")
}

// ListStickers is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) ListStickers(ctx context.Context, request gen.ListStickersRequestObject) (gen.ListStickersResponseObject, error) {
	return nil, notBuilt("listStickers")
}

// CreateSticker is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) CreateSticker(ctx context.Context, request gen.CreateStickerRequestObject) (gen.CreateStickerResponseObject, error) {
	return nil, notBuilt("createSticker")
}

// DeleteSticker is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) DeleteSticker(ctx context.Context, request gen.DeleteStickerRequestObject) (gen.DeleteStickerResponseObject, error) {
	return nil, notBuilt("deleteSticker")
}

// GetSticker is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) GetSticker(ctx context.Context, request gen.GetStickerRequestObject) (gen.GetStickerResponseObject, error) {
	return nil, notBuilt("getSticker")
}

// UpdateSticker is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) UpdateSticker(ctx context.Context, request gen.UpdateStickerRequestObject) (gen.UpdateStickerResponseObject, error) {
	return nil, notBuilt("updateSticker")
}

// GetSupportInfo is not built yet (skeleton; see the brief of this file's owner).
func (b *Bridge) GetSupportInfo(ctx context.Context, request gen.GetSupportInfoRequestObject) (gen.GetSupportInfoResponseObject, error) {
	return nil, notBuilt("getSupportInfo")
}
