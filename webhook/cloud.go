package webhook

import cloudgen "github.com/wabiz/wabiz/gen/cloud"

// This file holds the exported surface of the Cloud API dialect: the source of each item, the
// fields a Cloud item carries beyond the On-Premises shape, the mapping of names between the
// two dialects and DecodeCloud. The decoder itself is in cloud_decode.go, the Handler's
// handshake and signature check in cloud_handler.go.

// Field names of Cloud API webhook changes (changes[].field). Only FieldMessages is unwrapped
// into typed items; a change of any other field (template status, account and quality
// updates, group updates, calls, history sync, ...) reaches the catch-all as an Unknown whose
// Key is the field, with the change's value as its raw JSON.
const (
	CloudFieldMessages                    = "messages"
	CloudFieldMessageTemplateStatusUpdate = "message_template_status_update"
	CloudFieldAccountUpdate               = "account_update"
	CloudFieldPhoneNumberQualityUpdate    = "phone_number_quality_update"
	CloudFieldGroupLifecycleUpdate        = "group_lifecycle_update"
	CloudFieldGroupSettingsUpdate         = "group_settings_update"
	CloudFieldGroupParticipantUpdate      = "group_participant_update"
)

// Message types and status values that only the Cloud API sends. The Cloud decoder types
// messages and statuses of these values (On-Premises Decode passes them to Unknown), in
// addition to the MessageType and Status constants.
const (
	// CloudMessageTypeReaction is a reaction to (or, with an empty emoji, the removal of a
	// reaction to) an earlier message; see CloudMessage.Reaction.
	CloudMessageTypeReaction = "reaction"
	// CloudMessageTypeRequestWelcome is sent when a user opens the chat for the first time,
	// so that the business can send a welcome message. It carries no content block.
	CloudMessageTypeRequestWelcome = "request_welcome"
	// CloudMessageTypeUnsupported is the Cloud name of the On-Premises "unknown" type (a
	// message the API cannot represent, with error 131051). The Cloud decoder sets
	// Message.Type to MessageTypeUnknown for it; CloudMessage.Type keeps "unsupported".
	CloudMessageTypeUnsupported = "unsupported"

	// CloudStatusPlayed is the status of a voice message the user played.
	CloudStatusPlayed = "played"
)

// System event types that only the Cloud API sends. user_changed_number exists in both
// dialects with different fields; see SystemEventFromCloud.
const (
	// CloudSystemEventUserChangedUserID reports that a user's business-scoped user id
	// changed without a phone number that can be shared; see CloudSystem.
	CloudSystemEventUserChangedUserID = "user_changed_user_id"
)

// Pricing types (pricing.type of Cloud statuses), sent with per-message pricing.
const (
	CloudPricingTypeRegular             = "regular"
	CloudPricingTypeFreeCustomerService = "free_customer_service"
	CloudPricingTypeFreeEntryPoint      = "free_entry_point"
)

// CloudObject is the object of every WhatsApp Business Account webhook envelope.
const CloudObject = "whatsapp_business_account"

// CloudSource says which business account, phone number and change a Cloud item came from.
// On-Premises callbacks have no such thing (one container served one number); a Cloud
// endpoint receives every number of every subscribed account, so route by PhoneNumberID.
type CloudSource struct {
	// WABAID is the WhatsApp Business Account id (entry[].id).
	WABAID string
	// PhoneNumberID is the business phone number id (metadata.phone_number_id), the id that
	// sends replies (POST /{phone_number_id}/messages). Empty for changes that carry no
	// metadata (template and account updates).
	PhoneNumberID string
	// DisplayPhoneNumber is the business number as shown to users
	// (metadata.display_phone_number).
	DisplayPhoneNumber string
	// Field is the change's field ("messages", "account_update", ...).
	Field string
	// Entry and Change are the positions of the entry in the envelope and of the change in
	// the entry.
	Entry, Change int
}

// CloudContact holds what a Cloud contacts entry carries beyond the On-Premises fields.
// Since 2026 a user who adopted a username may have no wa_id at all: UserID (the
// business-scoped user id, BSUID) is then the only identifier.
type CloudContact struct {
	// Source is where the entry came from.
	Source CloudSource
	// UserID is the business-scoped user id (contacts[].user_id), for example
	// "US.13491208655302741918".
	UserID string
	// ParentUserID is the parent BSUID shared by linked business portfolios, when enabled.
	ParentUserID string
	// Username is the user's WhatsApp username (profile.username), when the user has one.
	// It can change: identify users by UserID.
	Username string
	// IdentityKeyHash is sent when the identity-change check is enabled
	// (settings user_identity_change); compare it with the last one seen.
	IdentityKeyHash string
}

// CloudMessage holds what a Cloud message carries beyond the On-Premises shape, and the
// Cloud names of what the decoder mapped.
type CloudMessage struct {
	// Source is where the message came from.
	Source CloudSource
	// Type is the type as sent. It differs from Message.Type only for
	// CloudMessageTypeUnsupported, which Message.Type reports as MessageTypeUnknown.
	Type string
	// FromUserID is the sender's business-scoped user id (from_user_id). Message.From is
	// empty when the user's phone number cannot be shared.
	FromUserID string
	// FromParentUserID is the sender's parent BSUID (from_parent_user_id), when enabled.
	FromParentUserID string
	// MediaURL is the media block's url: a download URL that needs the access token and
	// expires after 5 minutes (fetch a new one with GET /{media_id}).
	MediaURL string
	// Voice reports an audio message recorded as a voice note (audio.voice).
	Voice bool
	// Animated reports an animated sticker (sticker.animated).
	Animated bool
	// Reaction is set for messages of type reaction.
	Reaction *CloudReaction
	// FlowReply is set for interactive messages of type nfm_reply (a completed flow).
	FlowReply *CloudFlowReply
	// UnsupportedType names the kind of an unsupported message (unsupported.type, for
	// example "edit"), when sent.
	UnsupportedType string
	// Errors are the message's errors as sent (Cloud shape). Message.Errors holds them in
	// the On-Premises shape.
	Errors []CloudError
	// System is the system block's Cloud-only fields, as sent. Message.System holds the
	// block with its type mapped by SystemEventFromCloud.
	System *CloudSystem
}

// CloudReaction is the reaction block of a Cloud message (spec/cloud.yaml InboundReaction): the
// id of the message reacted to and the emoji, empty when the user removed the reaction
// (Meta then omits emoji).
type CloudReaction = cloudgen.InboundReaction

// CloudFlowReply is the nfm_reply block of an interactive message, the answer to a flow
// (spec/cloud.yaml InboundFlowReply): name, body and response_json (the flow's response,
// itself JSON encoded in a string).
type CloudFlowReply = cloudgen.InboundFlowReply

// CloudSystem is the system block of a Cloud system message, with its type as sent.
type CloudSystem struct {
	// Type is the event type as sent (user_changed_number, user_changed_user_id, ...).
	Type string
	// WaID is the user's new phone number (user_changed_number).
	WaID string
	// UserID and ParentUserID are the user's new business-scoped user ids.
	UserID, ParentUserID string
	// PreviousUserID and PreviousParentUserID are the ids they replace.
	PreviousUserID, PreviousParentUserID string
}

// CloudStatus holds what a Cloud status carries beyond the On-Premises shape.
type CloudStatus struct {
	// Source is where the status came from.
	Source CloudSource
	// RecipientUserID and RecipientParentUserID are the recipient's business-scoped user
	// ids. RecipientID (the phone number) may be empty for messages sent to a BSUID.
	RecipientUserID, RecipientParentUserID string
	// RecipientType is "group" for a message sent to a group (RecipientID is then the
	// group id), else empty or "individual".
	RecipientType string
	// BizOpaqueCallbackData is the value the message was sent with, echoed back.
	BizOpaqueCallbackData string
	// PricingType is pricing.type (CloudPricingType constants), sent with per-message
	// pricing.
	PricingType string
	// Errors are the status's errors as sent (Cloud shape). Status.Errors holds them in the
	// On-Premises shape.
	Errors []CloudError
}

// CloudErrorNotice holds the Cloud form of a value-level error (changes[].value.errors[]),
// which the decoder also gives, in the On-Premises shape, as an ErrorNotice.
type CloudErrorNotice struct {
	// Source is where the error came from.
	Source CloudSource
	// Error is the error as sent.
	Error CloudError
}

// CloudError is an error object of a Cloud webhook: since Graph v16.0 {code, title, message,
// error_data:{details}, href}. The decoder normalises it into the On-Premises
// ErrorDetail{code, title, details, href}: Details is error_data.details or, when that is
// empty, message.
type CloudError struct {
	// Code is the error code (131051, 131026, 130429, ...). Build logic on Code and Details,
	// not on Title: Meta changes titles.
	Code int
	// Title is the short title.
	Title string
	// Message is the error message (often equal to Title).
	Message string
	// Details is error_data.details.
	Details string
	// Href links to the error code table.
	Href string
}

// systemEventsFromCloud maps Cloud system event types to their On-Premises counterparts.
// Cloud user_changed_number carries the old number in from and the new one in wa_id, which
// is the On-Premises customer_changed_number (customer and wa_id), not the early On-Premises
// user_changed_number (new_wa_id).
var systemEventsFromCloud = map[string]string{
	SystemEventUserChangedNumber: SystemEventCustomerChangedNumber,
}

// SystemEventFromCloud returns the On-Premises system event type for a Cloud one: the
// Cloud user_changed_number is the On-Premises customer_changed_number. Other types are
// returned unchanged (user_changed_user_id has no On-Premises counterpart).
func SystemEventFromCloud(cloudType string) string {
	if t, ok := systemEventsFromCloud[cloudType]; ok {
		return t
	}
	return cloudType
}

// SystemEventToCloud is the inverse of SystemEventFromCloud: customer_changed_number, and
// the early On-Premises user_changed_number, are the Cloud user_changed_number. Other types
// are returned unchanged.
func SystemEventToCloud(onPremType string) string {
	for cloud, onPrem := range systemEventsFromCloud {
		if onPrem == onPremType {
			return cloud
		}
	}
	return onPremType
}

// MessageTypeFromCloud returns the On-Premises message type for a Cloud one:
// unsupported is unknown. Other types are returned unchanged.
func MessageTypeFromCloud(cloudType string) string {
	if cloudType == CloudMessageTypeUnsupported {
		return MessageTypeUnknown
	}
	return cloudType
}

var knownCloudMessageTypes = setOf(CloudMessageTypeReaction, CloudMessageTypeRequestWelcome)

// IsKnownCloudMessageType reports whether messages of type t (after
// MessageTypeFromCloud) decode into Message when they come through the Cloud API: the
// MessageType constants, reaction and request_welcome.
func IsKnownCloudMessageType(t string) bool {
	return knownMessageTypes[t] || knownCloudMessageTypes[t]
}

// IsKnownCloudStatus reports whether statuses with value s decode into Status when they come
// through the Cloud API: the Status constants and played.
func IsKnownCloudStatus(s string) bool { return knownStatuses[s] || s == CloudStatusPlayed }

// CloudUserID returns the sender's business-scoped user id of a Cloud message, or "".
func (m *Message) CloudUserID() string {
	if m.Cloud == nil {
		return ""
	}
	return m.Cloud.FromUserID
}

// SenderID returns the best identifier of the sender: From (the phone number) when set,
// else the business-scoped user id of a Cloud message. Users who adopted a username may
// arrive with no phone number; keying conversations by SenderID keeps them apart.
func (m *Message) SenderID() string {
	if m.From != "" {
		return m.From
	}
	return m.CloudUserID()
}

// isSenderOf reports whether c is the sender entry of m: same wa_id, or, for Cloud items,
// the same business-scoped user id when the message has no phone number.
func (c *Contact) isSenderOf(m *Message) bool {
	if c.IsCheckResult() {
		return false
	}
	if c.WaID != nil && *c.WaID == m.From {
		return true
	}
	return m.From == "" && c.Cloud != nil && m.Cloud != nil && c.Cloud.UserID != "" &&
		c.Cloud.UserID == m.Cloud.FromUserID
}
