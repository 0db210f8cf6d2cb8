package cloud

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// readReceipt is the body that marks a message read, with an optional typing indicator.
type readReceipt struct {
	MessagingProduct string           `json:"messaging_product"`
	Status           string           `json:"status"`
	MessageID        string           `json:"message_id"`
	TypingIndicator  *typingIndicator `json:"typing_indicator,omitempty"`
}

type typingIndicator struct {
	Type string `json:"type"`
}

// MarkRead marks an inbound message as read (POST /{phone_number_id}/messages with
// `status: read`), with the id (`wamid.…`) received in the webhook: the customer sees blue
// ticks on it and the earlier messages. Marking twice means the same as once, so unlike a
// send it is retried after an ambiguous failure.
//
//wabiz:operation sendMessage
func (c *Client) MarkRead(ctx context.Context, messageID string) error {
	return c.markRead(ctx, "MarkRead", messageID, nil)
}

// MarkReadTyping marks an inbound message as read and shows "typing…" to the customer until
// the next message or for up to 25 seconds (a Cloud API feature the On-Premises API lacks).
//
//wabiz:operation sendMessage
func (c *Client) MarkReadTyping(ctx context.Context, messageID string) error {
	return c.markRead(ctx, "MarkReadTyping", messageID, &typingIndicator{Type: "text"})
}

func (c *Client) markRead(ctx context.Context, op, messageID string, typing *typingIndicator) error {
	if err := required(op, "message id", messageID); err != nil {
		return err
	}
	body, err := json.Marshal(readReceipt{MessagingProduct: "whatsapp", Status: "read", MessageID: messageID, TypingIndicator: typing})
	if err != nil {
		return fmt.Errorf("wabiz: cloud: %s: %w", op, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.messagesURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("wabiz: cloud: %s: %w", op, err)
	}
	req.Header["Content-Type"] = jsonContentType
	resp, err := c.do(req, true)
	if err != nil {
		return err
	}
	defer drain(resp)
	var ok struct {
		Success bool `json:"success"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ok); err != nil || !ok.Success {
		return unexpected("sendMessage (read receipt)", resp.StatusCode)
	}
	return nil
}

// jsonContentType is the Content-Type header of a JSON request body (shared, read-only).
var jsonContentType = []string{"application/json"}
