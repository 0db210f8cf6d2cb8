package api

import "strings"

// operations maps the routes of spec/openapi.yaml to their operationIds, so that an error
// can name the operation that failed (see OperationError). TestOperationsTableMatchesSpec
// keeps it equal to the spec: when an operation is added there, add it here.
var operations = []struct{ method, path, id string }{
	{"DELETE", "/v1/certificates/webhooks/ca", "deleteWebhookCACertificate"},
	{"DELETE", "/v1/groups/{group_id}/admins", "demoteGroupAdmins"},
	{"DELETE", "/v1/groups/{group_id}/icon", "deleteGroupIcon"},
	{"DELETE", "/v1/groups/{group_id}/invite", "revokeGroupInvite"},
	{"DELETE", "/v1/groups/{group_id}/participants", "removeGroupParticipants"},
	{"DELETE", "/v1/media/{media_id}", "deleteMedia"},
	{"DELETE", "/v1/settings/account/two-step", "disableTwoStep"},
	{"DELETE", "/v1/settings/application", "resetApplicationSettings"},
	{"DELETE", "/v1/settings/application/media/providers/{provider_name}", "deleteMediaProvider"},
	{"DELETE", "/v1/settings/profile/photo", "deleteProfilePhoto"},
	{"DELETE", "/v1/stickerpacks/{pack_id}", "deleteStickerpack"},
	{"DELETE", "/v1/stickerpacks/{pack_id}/stickers/{sticker_id}", "deleteSticker"},
	{"DELETE", "/v1/users/{username}", "deleteUser"},
	{"GET", "/metrics", "getMetrics"},
	{"GET", "/v1/account/shards", "getShards"},
	{"GET", "/v1/certificates/external/ca", "downloadExternalCACertificate"},
	{"GET", "/v1/certificates/webhooks/ca", "downloadWebhookCACertificate"},
	{"GET", "/v1/contacts/{wa_id}/identity", "getContactIdentity"},
	{"GET", "/v1/groups", "listGroups"},
	{"GET", "/v1/groups/{group_id}", "getGroup"},
	{"GET", "/v1/groups/{group_id}/icon", "getGroupIcon"},
	{"GET", "/v1/groups/{group_id}/invite", "getGroupInvite"},
	{"GET", "/v1/health", "checkHealth"},
	{"GET", "/v1/media/{media_id}", "downloadMedia"},
	{"GET", "/v1/settings/application", "getApplicationSettings"},
	{"GET", "/v1/settings/application/media/providers", "getMediaProviders"},
	{"GET", "/v1/settings/business/profile", "getBusinessProfile"},
	{"GET", "/v1/settings/profile/about", "getProfileAbout"},
	{"GET", "/v1/settings/profile/photo", "getProfilePhoto"},
	{"GET", "/v1/stats/app", "getAppStats"},
	{"GET", "/v1/stats/app/internal", "getAppStatsInternal"},
	{"GET", "/v1/stats/db", "getDBStats"},
	{"GET", "/v1/stats/db/internal", "getDBStatsInternal"},
	{"GET", "/v1/stickerpacks", "listStickerpacks"},
	{"GET", "/v1/stickerpacks/{pack_id}", "getStickerpack"},
	{"GET", "/v1/stickerpacks/{pack_id}/stickers", "listStickers"},
	{"GET", "/v1/stickerpacks/{pack_id}/stickers/{sticker_id}", "getSticker"},
	{"GET", "/v1/support", "getSupportInfo"},
	{"GET", "/v1/users/{username}", "getUser"},
	{"PATCH", "/v1/groups/{group_id}/admins", "promoteGroupAdmins"},
	{"PATCH", "/v1/settings/application", "updateApplicationSettings"},
	{"PATCH", "/v1/settings/profile/about", "updateProfileAbout"},
	{"PATCH", "/v1/stickerpacks/{pack_id}", "updateStickerpack"},
	{"PATCH", "/v1/stickerpacks/{pack_id}/stickers/{sticker_id}", "updateSticker"},
	{"POST", "/v1/account", "requestCode"},
	{"POST", "/v1/account/shards", "setShards"},
	{"POST", "/v1/account/verify", "verifyAccount"},
	{"POST", "/v1/certificates/external", "uploadExternalCertificate"},
	{"POST", "/v1/certificates/webhooks/ca", "uploadWebhookCACertificate"},
	{"POST", "/v1/contacts", "checkContacts"},
	{"POST", "/v1/groups", "createGroup"},
	{"POST", "/v1/groups/{group_id}/icon", "setGroupIcon"},
	{"POST", "/v1/groups/{group_id}/leave", "leaveGroup"},
	{"POST", "/v1/media", "uploadMedia"},
	{"POST", "/v1/messages", "sendMessage"},
	{"POST", "/v1/settings/account/two-step", "enableTwoStep"},
	{"POST", "/v1/settings/application/media/providers", "updateMediaProviders"},
	{"POST", "/v1/settings/backup", "backupSettings"},
	{"POST", "/v1/settings/business/profile", "updateBusinessProfile"},
	{"POST", "/v1/settings/profile/photo", "updateProfilePhoto"},
	{"POST", "/v1/settings/restore", "restoreSettings"},
	{"POST", "/v1/stickerpacks", "createStickerpack"},
	{"POST", "/v1/stickerpacks/{pack_id}/stickers", "createSticker"},
	{"POST", "/v1/users", "createUser"},
	{"POST", "/v1/users/login", "login"},
	{"POST", "/v1/users/logout", "logout"},
	{"PUT", "/v1/contacts/{wa_id}/identity", "acknowledgeContactIdentity"},
	{"PUT", "/v1/groups/{group_id}", "updateGroup"},
	{"PUT", "/v1/messages/{message_id}", "markMessageAsRead"},
	{"PUT", "/v1/services/media/gc", "collectMediaGarbage"},
	{"PUT", "/v1/services/message/gc", "collectMessageGarbage"},
	{"PUT", "/v1/users/{username}", "updateUser"},
}

// operationOf returns the operationId of a request to path (the URL path without the base
// URL's prefix) with method, or "METHOD path" for a route the spec does not have (a Raw call
// to an editor-rewritten URL). It runs only when an error is built, so a linear scan is fine.
func operationOf(method, path string) string {
	path = strings.TrimSuffix(path, "/")
	for _, op := range operations {
		if op.method == method && matchRoute(op.path, path) {
			return op.id
		}
	}
	return method + " " + path
}

// matchRoute reports whether path fits template, whose {name} segments match any one
// non-empty segment.
func matchRoute(template, path string) bool {
	for template != "" || path != "" {
		var t, p string
		t, template, _ = strings.Cut(strings.TrimPrefix(template, "/"), "/")
		p, path, _ = strings.Cut(strings.TrimPrefix(path, "/"), "/")
		if template != "" {
			template = "/" + template
		}
		if path != "" {
			path = "/" + path
		}
		if strings.HasPrefix(t, "{") {
			if p == "" {
				return false
			}
			continue
		}
		if t != p {
			return false
		}
	}
	return true
}
