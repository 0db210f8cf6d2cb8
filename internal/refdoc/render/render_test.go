package render

import (
	"fmt"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// miniSpec exercises the field walker: nesting through arrays, a map, a schema used twice,
// a schema that contains itself, a oneOf, and a description too long for a cell.
const miniSpec = `
openapi: 3.0.3
info: {title: Mini, version: "1"}
tags: [{name: Things, description: Things to send.}]
paths:
  /v1/things:
    post:
      operationId: sendThing
      tags: [Things]
      summary: Send a thing
      description: Sends a thing.
      x-wabiz-access: admin
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Thing'}
            example: {template: {components: [{parameters: [{type: text}]}]}}
      responses:
        '200':
          description: Sent.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
        default:
          $ref: '#/components/responses/ApiError'
components:
  responses:
    ApiError:
      description: Failed.
      content:
        application/json:
          schema: {$ref: '#/components/schemas/ErrorEnvelope'}
  schemas:
    ErrorEnvelope:
      type: object
      description: |
        The error body. Known codes:

        | Code | Title |
        |---|---|
        | 1 | One |
      properties:
        code: {type: integer, description: The code.}
    Thing:
      type: object
      description: A thing.
      required: [template]
      properties:
        template: {$ref: '#/components/schemas/Template'}
        first: {$ref: '#/components/schemas/Media'}
        second: {$ref: '#/components/schemas/Media'}
        tree: {$ref: '#/components/schemas/Node'}
        labels:
          type: object
          description: Labels by name.
          additionalProperties: {type: string}
        ttl:
          description: Seconds or a duration.
          oneOf:
            - {type: integer, minimum: 1}
            - {type: string, pattern: '^P'}
    Template:
      type: object
      description: A template.
      properties:
        components:
          type: array
          description: The components.
          items: {$ref: '#/components/schemas/Component'}
    Component:
      type: object
      description: A component.
      properties:
        parameters:
          type: array
          description: The parameters.
          maxItems: 3
          items: {$ref: '#/components/schemas/Parameter'}
    Parameter:
      type: object
      description: A parameter.
      required: [type]
      properties:
        type: {type: string, description: The kind | of parameter., enum: [text, image]}
    Media:
      type: object
      description: |
        Some media.

        Give id or link.
      properties:
        id: {type: string, description: The id., minLength: 1, maxLength: 64}
    Node:
      type: object
      description: A node of a tree.
      properties:
        children:
          type: array
          description: The children.
          items: {$ref: '#/components/schemas/Node'}
`

func load(t *testing.T, yaml string) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData([]byte(yaml))
	require.NoError(t, err)
	require.NoError(t, doc.Validate(t.Context()))
	return doc
}

func TestMarkdownFieldTable(t *testing.T) {
	t.Parallel()
	out, err := Markdown(load(t, miniSpec))
	require.NoError(t, err)
	md := string(out)
	for _, want := range []string{
		// Nesting through arrays, required, enum, escaped pipe.
		"| `template.components[].parameters[].type` | string | yes | one of `text`, `image` | The kind \\| of parameter. |",
		"| `template.components[].parameters` | array of [`Parameter`](#schema-parameter) | no | at most 3 items | The parameters. |",
		// A schema used twice is expanded once.
		"| `first.id` | string | no | 1 to 64 characters | The id. |",
		"| `second` | [`Media`](#schema-media) | no | fields and rules as under `first` | Some media. (Continued in the note on `first`.) |",
		// The cycle stops.
		"| `tree.children` | array of [`Node`](#schema-node) | no | recursive: contains `Node` again | The children. |",
		// Maps and alternatives.
		"| `labels.*` | string | no |  | The value for one key. |",
		"| `ttl` | integer or string | no | as `integer`: ≥ 1; as `string`: pattern `^P` | Seconds or a duration. |",
		// Notes carry what does not fit a cell.
		"**`first`**:\n\nSome media.\n\nGive id or link.\n",
		// Operation header and errors.
		"### <a name=\"op-sendthing\"></a>`POST /v1/things` · Send a thing",
		"- **Who may call it:** admin users only (`x-wabiz-access: admin`)",
		"**Errors:** `default` answers with the [`ApiError`](#error-codes) response",
		"| 1 | One |",
	} {
		assert.Contains(t, md, want)
	}
	assert.NotContains(t, md, "`second.id`", "the second use of Media is not expanded again")
	assert.NotContains(t, md, "`tree.children[].children`", "the recursion is cut")
}

func TestMarkdownIsDeterministic(t *testing.T) {
	t.Parallel()
	doc := load(t, miniSpec)
	first, err := Markdown(doc)
	require.NoError(t, err)
	for range 5 {
		again, err := Markdown(doc)
		require.NoError(t, err)
		require.Equal(t, string(first), string(again))
	}
}

// TestMarkdownDepthLimit builds a chain of nested objects deeper than maxDepth.
func TestMarkdownDepthLimit(t *testing.T) {
	t.Parallel()
	body := strings.Replace(miniSpec, "        tree: {$ref: '#/components/schemas/Node'}\n",
		"        tree: {$ref: '#/components/schemas/Node'}\n        chain: {$ref: '#/components/schemas/Level0'}\n", 1)
	for i := range maxDepth + 2 {
		body += fmt.Sprintf("    Level%d:\n      type: object\n      description: Level %d.\n      properties:\n", i, i)
		body += fmt.Sprintf("        next: {$ref: '#/components/schemas/Level%d'}\n", i+1)
	}
	body += fmt.Sprintf("    Level%d:\n      type: object\n      description: The end.\n      properties:\n        end: {type: string, description: End.}\n", maxDepth+2)
	out, err := Markdown(load(t, body))
	require.NoError(t, err)
	md := string(out)
	assert.Contains(t, md, "nested fields not listed (depth limit)")
	assert.NotContains(t, md, "next.end`")
}

func TestMarkdownRejectsAnchorCollision(t *testing.T) {
	t.Parallel()
	doc := load(t, strings.Replace(miniSpec, "    Node:\n", "    NODE:\n      type: string\n      description: Clash.\n    Node:\n", 1))
	_, err := Markdown(doc)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"schema-node"`)
}

func TestText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in    string
		short       string
		more        bool
		sentence    string
		cellOfInput string
	}{
		{"one line", "Plain text.", "Plain text.", false, "Plain text.", "Plain text."},
		{"wrapped", "Wrapped\ntext. Second.", "Wrapped text. Second.", false, "Wrapped text.", "Wrapped text. Second."},
		{"two paragraphs", "First.\n\nSecond.", "First.", true, "First.", "First. Second."},
		{"list first", "* a\n* b", "", true, "* a", "* a * b"},
		{"pipe", "a | b", "a | b", false, "a | b", `a \| b`},
		{"dot in code", "Use `v2.45.1` here. Then.", "Use `v2.45.1` here. Then.", false, "Use `v2.45.1` here.", "Use `v2.45.1` here. Then."},
		{"empty", "", "", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			short, more := summarize(tt.in)
			assert.Equal(t, tt.short, short)
			assert.Equal(t, tt.more, more)
			assert.Equal(t, tt.sentence, firstSentence(tt.in))
			assert.Equal(t, tt.cellOfInput, cell(tt.in))
		})
	}
}

func TestAnchorAndCode(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "tag-backup-restore", anchorID("tag-", "Backup/Restore"))
	assert.Equal(t, "op-sendmessage", anchorID("op-", "sendMessage"))
	assert.Equal(t, "op-post-v1-media", anchorID("op-", "POST /v1/media"))
	assert.Equal(t, "`plain`", code("plain"))
	assert.Equal(t, "``a`b``", code("a`b"))
	assert.Equal(t, "`` `x ``", code("`x"))
}
