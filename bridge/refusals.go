package bridge

import (
	"context"
	"net/http"

	"github.com/wabiz/wabiz/gen"
	"github.com/wabiz/wabiz/internal/onpremhttp"
)

// Refusals: the operations the Cloud API cannot carry. Each answers 501 Not Implemented with
// code 1026 and a details text that names the Cloud alternative (refusalAlternatives).
//
// Why 1026 "Receiver incapable": it is the only code of the spec's table whose status is 501,
// the HTTP status for "the server does not support the functionality required", which is the
// truth here; every other code would misdirect an integration's error handling (1005 reads as
// a permission to ask for, 1006 as a missing resource, 1014 and 1011 as something to retry).
// The On-Premises clients already treat 1026 as final, not as a retry.
//
// /metrics is refused too rather than served with invented Webapp metric names: the bridge has
// none of the Webapp's processes or queues, and a half-filled Prometheus page would look
// healthy while meaning nothing; GET /_bridge/health (cmd/wabridge) is the bridge's own probe.

// RefusalCode is the API code of every refused operation; RefusalStatus its HTTP status.
const (
	RefusalCode   = onpremhttp.CodeReceiverIncapable
	RefusalStatus = http.StatusNotImplemented
)

// refusalAlternatives maps each refused operation (by operationId) to the Cloud alternative
// its details text names.
var refusalAlternatives = map[string]string{
	"collectMediaGarbage":           "Cloud media is stored by Meta and expires on its own (uploads after 30 days); delete one with DELETE /v1/media/{id}",
	"collectMessageGarbage":         "the bridge keeps no message database to collect; Meta stores the messages",
	"createGroup":                   "the On-Premises groups are gone; the Cloud Groups API (/{PHONE_NUMBER_ID}/groups, /{group_id}/participants, /{group_id}/invite_link) is a different API with its own eligibility, not a drop-in",
	"createSticker":                 "the Cloud API has no sticker packs: send a sticker as media (type sticker, a WebP image of at most 100 KB static or 500 KB animated, by id from POST /v1/media or by link)",
	"createStickerpack":             "the Cloud API has no sticker packs: send a sticker as media (type sticker, a WebP image of at most 100 KB static or 500 KB animated, by id from POST /v1/media or by link)",
	"deleteGroupIcon":               "the On-Premises groups are gone; the Cloud Groups API (/{PHONE_NUMBER_ID}/groups, /{group_id}/participants, /{group_id}/invite_link) is a different API with its own eligibility, not a drop-in",
	"deleteMediaProvider":           "the Cloud API downloads media links itself without credentials: send media by a public (or pre-signed) link, or upload it with POST /v1/media and send its id",
	"deleteSticker":                 "the Cloud API has no sticker packs: send a sticker as media (type sticker, a WebP image of at most 100 KB static or 500 KB animated, by id from POST /v1/media or by link)",
	"deleteStickerpack":             "the Cloud API has no sticker packs: send a sticker as media (type sticker, a WebP image of at most 100 KB static or 500 KB animated, by id from POST /v1/media or by link)",
	"demoteGroupAdmins":             "the On-Premises groups are gone; the Cloud Groups API (/{PHONE_NUMBER_ID}/groups, /{group_id}/participants, /{group_id}/invite_link) is a different API with its own eligibility, not a drop-in",
	"downloadExternalCACertificate": "the bridge's TLS certificate comes from its flags; with a generated CA, it prints where it wrote ca.pem next to its store",
	"getAppStats":                   "the Coreapp's statistics do not exist on the Cloud API; use messaging analytics on the WhatsApp Business Account (GET /{WABA-ID}?fields=analytics) and GET /_bridge/health",
	"getAppStatsInternal":           "the Coreapp's statistics do not exist on the Cloud API; use messaging analytics on the WhatsApp Business Account (GET /{WABA-ID}?fields=analytics)",
	"getDBStats":                    "the bridge has no message database; Meta stores the messages (analytics: GET /{WABA-ID}?fields=analytics)",
	"getDBStatsInternal":            "the bridge has no message database; Meta stores the messages (analytics: GET /{WABA-ID}?fields=analytics)",
	"getGroup":                      "the On-Premises groups are gone; the Cloud Groups API (/{PHONE_NUMBER_ID}/groups, /{group_id}/participants, /{group_id}/invite_link) is a different API with its own eligibility, not a drop-in",
	"getGroupIcon":                  "the On-Premises groups are gone; the Cloud Groups API (/{PHONE_NUMBER_ID}/groups, /{group_id}/participants, /{group_id}/invite_link) is a different API with its own eligibility, not a drop-in",
	"getGroupInvite":                "the On-Premises groups are gone; the Cloud Groups API (/{PHONE_NUMBER_ID}/groups, /{group_id}/participants, /{group_id}/invite_link) is a different API with its own eligibility, not a drop-in",
	"getMediaProviders":             "the Cloud API downloads media links itself without credentials: send media by a public (or pre-signed) link, or upload it with POST /v1/media and send its id",
	"getMetrics":                    "the bridge has no Webapp or Coreapp processes to measure; read the bridge's liveness at GET /_bridge/health, and messaging analytics on the WhatsApp Business Account (GET /{WABA-ID}?fields=analytics)",
	"getShards":                     "the Cloud API has no multiconnect shards; Meta manages throughput (read it with GET /{PHONE_NUMBER_ID}?fields=throughput)",
	"getSticker":                    "the Cloud API has no sticker packs: send a sticker as media (type sticker, a WebP image of at most 100 KB static or 500 KB animated, by id from POST /v1/media or by link)",
	"getStickerpack":                "the Cloud API has no sticker packs: send a sticker as media (type sticker, a WebP image of at most 100 KB static or 500 KB animated, by id from POST /v1/media or by link)",
	"getSupportInfo":                "there is no self-hosted client to describe; the bridge's state is at GET /_bridge/health and its logs, the number's at GET /{PHONE_NUMBER_ID}?fields=health_status",
	"leaveGroup":                    "the On-Premises groups are gone; the Cloud Groups API (/{PHONE_NUMBER_ID}/groups, /{group_id}/participants, /{group_id}/invite_link) is a different API with its own eligibility, not a drop-in",
	"listGroups":                    "the On-Premises groups are gone; the Cloud Groups API (/{PHONE_NUMBER_ID}/groups, /{group_id}/participants, /{group_id}/invite_link) is a different API with its own eligibility, not a drop-in",
	"listStickerpacks":              "the Cloud API has no sticker packs: send a sticker as media (type sticker, a WebP image of at most 100 KB static or 500 KB animated, by id from POST /v1/media or by link)",
	"listStickers":                  "the Cloud API has no sticker packs: send a sticker as media (type sticker, a WebP image of at most 100 KB static or 500 KB animated, by id from POST /v1/media or by link)",
	"promoteGroupAdmins":            "the On-Premises groups are gone; the Cloud Groups API (/{PHONE_NUMBER_ID}/groups, /{group_id}/participants, /{group_id}/invite_link) is a different API with its own eligibility, not a drop-in",
	"removeGroupParticipants":       "the On-Premises groups are gone; the Cloud Groups API (/{PHONE_NUMBER_ID}/groups, /{group_id}/participants, /{group_id}/invite_link) is a different API with its own eligibility, not a drop-in",
	"revokeGroupInvite":             "the On-Premises groups are gone; the Cloud Groups API (/{PHONE_NUMBER_ID}/groups, /{group_id}/participants, /{group_id}/invite_link) is a different API with its own eligibility, not a drop-in",
	"setGroupIcon":                  "the On-Premises groups are gone; the Cloud Groups API (/{PHONE_NUMBER_ID}/groups, /{group_id}/participants, /{group_id}/invite_link) is a different API with its own eligibility, not a drop-in",
	"setShards":                     "the Cloud API has no multiconnect shards; Meta manages throughput (read it with GET /{PHONE_NUMBER_ID}?fields=throughput)",
	"updateGroup":                   "the On-Premises groups are gone; the Cloud Groups API (/{PHONE_NUMBER_ID}/groups, /{group_id}/participants, /{group_id}/invite_link) is a different API with its own eligibility, not a drop-in",
	"updateMediaProviders":          "the Cloud API downloads media links itself without credentials: send media by a public (or pre-signed) link, or upload it with POST /v1/media and send its id",
	"updateSticker":                 "the Cloud API has no sticker packs: send a sticker as media (type sticker, a WebP image of at most 100 KB static or 500 KB animated, by id from POST /v1/media or by link)",
	"updateStickerpack":             "the Cloud API has no sticker packs: send a sticker as media (type sticker, a WebP image of at most 100 KB static or 500 KB animated, by id from POST /v1/media or by link)",
	"uploadExternalCertificate":     "the bridge's TLS certificate comes from its flags (-tls-cert and -tls-key, or the CA it generates next to its store); restart it with the new files",
}

// RefusedOperations returns the operationIds the bridge refuses, each with the Cloud
// alternative it names (for the README and tests).
func RefusedOperations() map[string]string {
	out := make(map[string]string, len(refusalAlternatives))
	for k, v := range refusalAlternatives {
		out[k] = v
	}
	return out
}

// refuse is the answer of a refused operation.
func refuse(op string) *onpremhttp.Error {
	alt, ok := refusalAlternatives[op]
	if !ok {
		alt = "there is no Cloud API equivalent"
	}
	return onpremhttp.Statusf(RefusalStatus, RefusalCode, "%s is not available on the Cloud API, which wabridge serves: %s", op, alt)
}

// GetMetrics is refused: see refusalAlternatives.
func (b *Bridge) GetMetrics(context.Context, gen.GetMetricsRequestObject) (gen.GetMetricsResponseObject, error) {
	return nil, refuse("getMetrics")
}

// GetShards is refused: see refusalAlternatives.
func (b *Bridge) GetShards(context.Context, gen.GetShardsRequestObject) (gen.GetShardsResponseObject, error) {
	return nil, refuse("getShards")
}

// SetShards is refused: see refusalAlternatives.
func (b *Bridge) SetShards(context.Context, gen.SetShardsRequestObject) (gen.SetShardsResponseObject, error) {
	return nil, refuse("setShards")
}

// ListGroups is refused: see refusalAlternatives.
func (b *Bridge) ListGroups(context.Context, gen.ListGroupsRequestObject) (gen.ListGroupsResponseObject, error) {
	return nil, refuse("listGroups")
}

// CreateGroup is refused: see refusalAlternatives.
func (b *Bridge) CreateGroup(context.Context, gen.CreateGroupRequestObject) (gen.CreateGroupResponseObject, error) {
	return nil, refuse("createGroup")
}

// GetGroup is refused: see refusalAlternatives.
func (b *Bridge) GetGroup(context.Context, gen.GetGroupRequestObject) (gen.GetGroupResponseObject, error) {
	return nil, refuse("getGroup")
}

// UpdateGroup is refused: see refusalAlternatives.
func (b *Bridge) UpdateGroup(context.Context, gen.UpdateGroupRequestObject) (gen.UpdateGroupResponseObject, error) {
	return nil, refuse("updateGroup")
}

// DemoteGroupAdmins is refused: see refusalAlternatives.
func (b *Bridge) DemoteGroupAdmins(context.Context, gen.DemoteGroupAdminsRequestObject) (gen.DemoteGroupAdminsResponseObject, error) {
	return nil, refuse("demoteGroupAdmins")
}

// PromoteGroupAdmins is refused: see refusalAlternatives.
func (b *Bridge) PromoteGroupAdmins(context.Context, gen.PromoteGroupAdminsRequestObject) (gen.PromoteGroupAdminsResponseObject, error) {
	return nil, refuse("promoteGroupAdmins")
}

// DeleteGroupIcon is refused: see refusalAlternatives.
func (b *Bridge) DeleteGroupIcon(context.Context, gen.DeleteGroupIconRequestObject) (gen.DeleteGroupIconResponseObject, error) {
	return nil, refuse("deleteGroupIcon")
}

// GetGroupIcon is refused: see refusalAlternatives.
func (b *Bridge) GetGroupIcon(context.Context, gen.GetGroupIconRequestObject) (gen.GetGroupIconResponseObject, error) {
	return nil, refuse("getGroupIcon")
}

// SetGroupIcon is refused: see refusalAlternatives.
func (b *Bridge) SetGroupIcon(context.Context, gen.SetGroupIconRequestObject) (gen.SetGroupIconResponseObject, error) {
	return nil, refuse("setGroupIcon")
}

// RevokeGroupInvite is refused: see refusalAlternatives.
func (b *Bridge) RevokeGroupInvite(context.Context, gen.RevokeGroupInviteRequestObject) (gen.RevokeGroupInviteResponseObject, error) {
	return nil, refuse("revokeGroupInvite")
}

// GetGroupInvite is refused: see refusalAlternatives.
func (b *Bridge) GetGroupInvite(context.Context, gen.GetGroupInviteRequestObject) (gen.GetGroupInviteResponseObject, error) {
	return nil, refuse("getGroupInvite")
}

// LeaveGroup is refused: see refusalAlternatives.
func (b *Bridge) LeaveGroup(context.Context, gen.LeaveGroupRequestObject) (gen.LeaveGroupResponseObject, error) {
	return nil, refuse("leaveGroup")
}

// RemoveGroupParticipants is refused: see refusalAlternatives.
func (b *Bridge) RemoveGroupParticipants(context.Context, gen.RemoveGroupParticipantsRequestObject) (gen.RemoveGroupParticipantsResponseObject, error) {
	return nil, refuse("removeGroupParticipants")
}

// CollectMediaGarbage is refused: see refusalAlternatives.
func (b *Bridge) CollectMediaGarbage(context.Context, gen.CollectMediaGarbageRequestObject) (gen.CollectMediaGarbageResponseObject, error) {
	return nil, refuse("collectMediaGarbage")
}

// CollectMessageGarbage is refused: see refusalAlternatives.
func (b *Bridge) CollectMessageGarbage(context.Context, gen.CollectMessageGarbageRequestObject) (gen.CollectMessageGarbageResponseObject, error) {
	return nil, refuse("collectMessageGarbage")
}

// GetAppStats is refused: see refusalAlternatives.
func (b *Bridge) GetAppStats(context.Context, gen.GetAppStatsRequestObject) (gen.GetAppStatsResponseObject, error) {
	return nil, refuse("getAppStats")
}

// GetAppStatsInternal is refused: see refusalAlternatives.
func (b *Bridge) GetAppStatsInternal(context.Context, gen.GetAppStatsInternalRequestObject) (gen.GetAppStatsInternalResponseObject, error) {
	return nil, refuse("getAppStatsInternal")
}

// GetDBStats is refused: see refusalAlternatives.
func (b *Bridge) GetDBStats(context.Context, gen.GetDBStatsRequestObject) (gen.GetDBStatsResponseObject, error) {
	return nil, refuse("getDBStats")
}

// GetDBStatsInternal is refused: see refusalAlternatives.
func (b *Bridge) GetDBStatsInternal(context.Context, gen.GetDBStatsInternalRequestObject) (gen.GetDBStatsInternalResponseObject, error) {
	return nil, refuse("getDBStatsInternal")
}

// ListStickerpacks is refused: see refusalAlternatives.
func (b *Bridge) ListStickerpacks(context.Context, gen.ListStickerpacksRequestObject) (gen.ListStickerpacksResponseObject, error) {
	return nil, refuse("listStickerpacks")
}

// CreateStickerpack is refused: see refusalAlternatives.
func (b *Bridge) CreateStickerpack(context.Context, gen.CreateStickerpackRequestObject) (gen.CreateStickerpackResponseObject, error) {
	return nil, refuse("createStickerpack")
}

// DeleteStickerpack is refused: see refusalAlternatives.
func (b *Bridge) DeleteStickerpack(context.Context, gen.DeleteStickerpackRequestObject) (gen.DeleteStickerpackResponseObject, error) {
	return nil, refuse("deleteStickerpack")
}

// GetStickerpack is refused: see refusalAlternatives.
func (b *Bridge) GetStickerpack(context.Context, gen.GetStickerpackRequestObject) (gen.GetStickerpackResponseObject, error) {
	return nil, refuse("getStickerpack")
}

// UpdateStickerpack is refused: see refusalAlternatives.
func (b *Bridge) UpdateStickerpack(context.Context, gen.UpdateStickerpackRequestObject) (gen.UpdateStickerpackResponseObject, error) {
	return nil, refuse("updateStickerpack")
}

// ListStickers is refused: see refusalAlternatives.
func (b *Bridge) ListStickers(context.Context, gen.ListStickersRequestObject) (gen.ListStickersResponseObject, error) {
	return nil, refuse("listStickers")
}

// CreateSticker is refused: see refusalAlternatives.
func (b *Bridge) CreateSticker(context.Context, gen.CreateStickerRequestObject) (gen.CreateStickerResponseObject, error) {
	return nil, refuse("createSticker")
}

// DeleteSticker is refused: see refusalAlternatives.
func (b *Bridge) DeleteSticker(context.Context, gen.DeleteStickerRequestObject) (gen.DeleteStickerResponseObject, error) {
	return nil, refuse("deleteSticker")
}

// GetSticker is refused: see refusalAlternatives.
func (b *Bridge) GetSticker(context.Context, gen.GetStickerRequestObject) (gen.GetStickerResponseObject, error) {
	return nil, refuse("getSticker")
}

// UpdateSticker is refused: see refusalAlternatives.
func (b *Bridge) UpdateSticker(context.Context, gen.UpdateStickerRequestObject) (gen.UpdateStickerResponseObject, error) {
	return nil, refuse("updateSticker")
}

// GetSupportInfo is refused: see refusalAlternatives.
func (b *Bridge) GetSupportInfo(context.Context, gen.GetSupportInfoRequestObject) (gen.GetSupportInfoResponseObject, error) {
	return nil, refuse("getSupportInfo")
}
