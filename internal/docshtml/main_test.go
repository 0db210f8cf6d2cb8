package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/spec"
)

// TestWithWebhooksPutsTheCallbacksInTheMenu checks the rendered copy of the spec: the
// webhook callback is listed under x-webhooks with the Webhooks tag, that tag exists, and
// the callbacks of the operations are untouched.
func TestWithWebhooksPutsTheCallbacksInTheMenu(t *testing.T) {
	t.Parallel()
	doc, err := spec.Load()
	require.NoError(t, err)
	data, err := WithWebhooks(doc)
	require.NoError(t, err)
	var m struct {
		OpenAPI   string `json:"openapi"`
		Tags      []struct{ Name string }
		XWebhooks map[string]map[string]struct {
			OperationID string
			Tags        []string
		} `json:"x-webhooks"`
		Components struct {
			Callbacks map[string]map[string]map[string]struct{ Tags []string }
		}
	}
	require.NoError(t, json.Unmarshal(data, &m))
	assert.Equal(t, "3.0.3", m.OpenAPI, "the copy stays 3.0.3, like the spec")
	require.Contains(t, m.XWebhooks, "Webhooks")
	post := m.XWebhooks["Webhooks"]["post"]
	assert.Equal(t, "receiveWebhook", post.OperationID)
	assert.Equal(t, []string{webhookTag}, post.Tags)
	assert.Equal(t, webhookTag, m.Tags[len(m.Tags)-1].Name, "the tag is declared, last in the menu")
	for _, item := range m.Components.Callbacks["Webhooks"] {
		assert.NotContains(t, item["post"].Tags, webhookTag, "the callback inside its operation keeps its tag")
	}
}

func TestOfflineInlinesTheBadgeAndRefusesOtherRemoteResources(t *testing.T) {
	t.Parallel()
	page := []byte("<html><script>x({src:e?`https://cdn.redoc.ly/redoc/logo-mini-full.svg`:`https://cdn.redoc.ly/redoc/logo-mini.svg`});" +
		"</script><a href=\"https://redocly.com/redoc/\">a link is not a request</a></html>")
	out, err := Offline(page)
	require.NoError(t, err)
	assert.NotContains(t, string(out), "cdn.redoc.ly")
	assert.Contains(t, string(out), "data:image/svg+xml,")
	assert.Contains(t, string(out), "https://redocly.com/redoc/", "links stay")

	cases := map[string]string{
		"script":     `<script src="https://cdn.example.com/redoc.js"></script>`,
		"stylesheet": `<link rel="stylesheet" href="https://fonts.example.com/css">`,
		"font":       `<style>@font-face{src:url(https://fonts.example.com/a.woff2)}</style>`,
	}
	for name, extra := range cases {
		_, err := Offline(append(append([]byte{}, page...), extra...))
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "the page still loads from the network", name)
	}
	_, err = Offline([]byte("<html>no logo</html>"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Redoc changed")
}
