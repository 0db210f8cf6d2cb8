package webhook

// The values below are the known members of the open sets the spec marks with
// x-extensible-enum. They are untyped string constants so that they compare directly with the
// string fields of the generated types (m.Type == MessageTypeText). A value not listed here is
// not an error: later builds add values, and the decoder passes items it cannot place to the
// catch-all (see Unknown). TestConstantsMatchSpec keeps every group equal to the spec's list.

// Inbound message types (InboundMessage.type). Messages of these types decode into Message;
// any other type goes to Notification.Unknown.
const (
	MessageTypeText        = "text"
	MessageTypeImage       = "image"
	MessageTypeAudio       = "audio"
	MessageTypeVoice       = "voice"
	MessageTypeVideo       = "video"
	MessageTypeDocument    = "document"
	MessageTypeSticker     = "sticker"
	MessageTypeLocation    = "location"
	MessageTypeContacts    = "contacts"
	MessageTypeButton      = "button"
	MessageTypeInteractive = "interactive"
	MessageTypeOrder       = "order"
	MessageTypeSystem      = "system"
	// MessageTypeUnknown is what the client itself sends for a message it cannot represent
	// (with errors, typically code 501). It is a known type: such messages decode into Message.
	MessageTypeUnknown = "unknown"
)

// Status values of outbound messages (MessageStatus.status). Statuses with these values decode
// into Status; any other value goes to Notification.Unknown.
const (
	StatusSent      = "sent"
	StatusDelivered = "delivered"
	StatusRead      = "read"
	StatusFailed    = "failed"
	StatusDeleted   = "deleted"
	StatusWarning   = "warning"
)

// System event types (SystemEvent.type), carried by messages of type system. An unlisted
// event type still decodes into Message: fall back to showing SystemEvent.Body.
const (
	SystemEventUserChangedNumber           = "user_changed_number"
	SystemEventUserIdentityChanged         = "user_identity_changed"
	SystemEventCustomerChangedNumber       = "customer_changed_number"
	SystemEventCustomerIdentityChanged     = "customer_identity_changed"
	SystemEventGroupCreated                = "group_created"
	SystemEventGroupUserJoined             = "group_user_joined"
	SystemEventGroupUserLeft               = "group_user_left"
	SystemEventGroupUserPromoted           = "group_user_promoted"
	SystemEventGroupUserDemoted            = "group_user_demoted"
	SystemEventGroupSubjectChanged         = "group_subject_changed"
	SystemEventGroupDescriptionChanged     = "group_description_changed"
	SystemEventGroupIconChanged            = "group_icon_changed"
	SystemEventGroupIconDeleted            = "group_icon_deleted"
	SystemEventGroupInviteLinkRevoked      = "group_invite_link_revoked"
	SystemEventGroupUserChangedNumber      = "group_user_changed_number"
	SystemEventGroupErrorFetchingPhoto     = "group_error_fetching_photo"
	SystemEventGroupErrorAddingUsers       = "group_error_adding_users"
	SystemEventGroupErrorAddingUser        = "group_error_adding_user"
	SystemEventGroupErrorFullAddingUsers   = "group_error_full_adding_users"
	SystemEventGroupErrorRemovingUser      = "group_error_removing_user"
	SystemEventGroupErrorBlockedAddingUser = "group_error_blocked_adding_user"
	SystemEventGroupEnded                  = "group_ended"
	SystemEventBroadcastListCreated        = "broadcast_list_created"
)

// Results of a non-blocking contacts check (WebhookContact.status).
const (
	ContactStatusValid      = "valid"
	ContactStatusInvalid    = "invalid"
	ContactStatusProcessing = "processing"
	ContactStatusFailed     = "failed"
)

// Kinds of answer to an interactive message (InboundInteractive.type).
const (
	InteractiveTypeListReply   = "list_reply"
	InteractiveTypeButtonReply = "button_reply"
)

// Conversation categories (WebhookConversationOrigin.type and WebhookPricing.category).
const (
	CategoryBusinessInitiated  = "business_initiated"
	CategoryUserInitiated      = "user_initiated"
	CategoryReferralConversion = "referral_conversion"
	CategoryMarketing          = "marketing"
	CategoryUtility            = "utility"
	CategoryAuthentication     = "authentication"
	CategoryService            = "service"
)

// Pricing models (WebhookPricing.pricing_model).
const (
	PricingModelCBP = "CBP"
	PricingModelNBP = "NBP"
	PricingModelPMP = "PMP"
)

// Outcomes of a garbage-collection run (WebhookGarbageCollection.status).
const (
	GCStatusComplete = "complete"
	GCStatusFailed   = "failed"
)

var knownMessageTypes = setOf(
	MessageTypeText, MessageTypeImage, MessageTypeAudio, MessageTypeVoice, MessageTypeVideo,
	MessageTypeDocument, MessageTypeSticker, MessageTypeLocation, MessageTypeContacts,
	MessageTypeButton, MessageTypeInteractive, MessageTypeOrder, MessageTypeSystem,
	MessageTypeUnknown,
)

var knownStatuses = setOf(
	StatusSent, StatusDelivered, StatusRead, StatusFailed, StatusDeleted, StatusWarning,
)

var knownSystemEvents = setOf(
	SystemEventUserChangedNumber, SystemEventUserIdentityChanged,
	SystemEventCustomerChangedNumber, SystemEventCustomerIdentityChanged,
	SystemEventGroupCreated, SystemEventGroupUserJoined, SystemEventGroupUserLeft,
	SystemEventGroupUserPromoted, SystemEventGroupUserDemoted, SystemEventGroupSubjectChanged,
	SystemEventGroupDescriptionChanged, SystemEventGroupIconChanged, SystemEventGroupIconDeleted,
	SystemEventGroupInviteLinkRevoked, SystemEventGroupUserChangedNumber,
	SystemEventGroupErrorFetchingPhoto, SystemEventGroupErrorAddingUsers,
	SystemEventGroupErrorAddingUser, SystemEventGroupErrorFullAddingUsers,
	SystemEventGroupErrorRemovingUser, SystemEventGroupErrorBlockedAddingUser,
	SystemEventGroupEnded, SystemEventBroadcastListCreated,
)

// IsKnownMessageType reports whether t is one of the MessageType constants.
func IsKnownMessageType(t string) bool { return knownMessageTypes[t] }

// IsKnownStatus reports whether s is one of the Status constants.
func IsKnownStatus(s string) bool { return knownStatuses[s] }

// IsKnownSystemEvent reports whether t is one of the SystemEvent constants.
func IsKnownSystemEvent(t string) bool { return knownSystemEvents[t] }

func setOf(values ...string) map[string]bool {
	m := make(map[string]bool, len(values))
	for _, v := range values {
		m[v] = true
	}
	return m
}
