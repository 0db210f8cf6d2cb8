// Command docshtml prepares and finishes the HTML reference of `make docs-html`, which
// Redocly builds from the spec:
//
//	go run ./internal/docshtml spec -o docs/html/openapi.json   # the document Redocly renders
//	go run ./internal/docshtml offline docs/html/index.html     # the page, made network-free
//
// spec writes spec/openapi.yaml as JSON with the webhook callbacks also listed under
// x-webhooks, the OpenAPI 3.0 extension by which Redoc puts webhooks in its menu: in a 3.0
// document they are callbacks of the operations that configure them, and Redoc shows
// callbacks only inside their operation. The spec itself is unchanged (it stays 3.0.3; see
// spec/README.md): this copy only feeds the renderer.
//
// offline replaces the only resource the page loads from the network, the Redocly logo of
// the "API docs by" badge in the sidebar (`redocly build-docs --inlineBundle` inlines the
// scripts but not this image, and has no option to drop it), with the same words as inline
// text, then fails if any other remote script, image, style or font reference remains.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wabiz/wabiz/spec"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: docshtml spec -o FILE | docshtml offline FILE")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "spec":
		fs := flag.NewFlagSet("docshtml spec", flag.ExitOnError)
		out := fs.String("o", "docs/html/openapi.json", "the JSON document to write")
		_ = fs.Parse(os.Args[2:])
		err = writeSpec(*out)
	case "offline":
		if len(os.Args) != 3 {
			err = fmt.Errorf("offline takes one file")
			break
		}
		err = offlineFile(os.Args[2])
	default:
		err = fmt.Errorf("unknown step %q: want spec or offline", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "docshtml:", err)
		os.Exit(1)
	}
}

func writeSpec(out string) error {
	doc, err := spec.Load()
	if err != nil {
		return err
	}
	data, err := WithWebhooks(doc)
	if err != nil {
		return err
	}
	return os.WriteFile(out, data, 0o644)
}

// webhookTag is the menu entry of the webhooks in the HTML page, a tag of the rendered copy
// only: in the spec the callback operation has the tag of the operations around it.
const webhookTag = "Webhooks"

// WithWebhooks returns doc as JSON, with every path item of every component callback also
// under x-webhooks (keyed by the callback's name) and its operations tagged webhookTag, a tag
// added at the end of the menu.
func WithWebhooks(doc *openapi3.T) ([]byte, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	components, _ := m["components"].(map[string]any)
	callbacks, _ := components["callbacks"].(map[string]any)
	if len(callbacks) == 0 {
		return nil, fmt.Errorf("the spec declares no component callbacks")
	}
	hooks := map[string]any{}
	for _, name := range slices.Sorted(maps.Keys(callbacks)) {
		paths, _ := callbacks[name].(map[string]any)
		for _, expr := range slices.Sorted(maps.Keys(paths)) {
			// A copy, so that the callbacks inside their operations keep their tags.
			var item map[string]any
			data, _ := json.Marshal(paths[expr])
			if err := json.Unmarshal(data, &item); err != nil {
				return nil, err
			}
			for _, op := range item {
				if op, ok := op.(map[string]any); ok {
					op["tags"] = []string{webhookTag}
				}
			}
			key := name
			if len(paths) > 1 {
				key = name + " " + expr
			}
			hooks[key] = item
		}
	}
	m["x-webhooks"] = hooks
	tags, _ := m["tags"].([]any)
	m["tags"] = append(tags, map[string]any{"name": webhookTag, "description": "The callbacks the " +
		"WhatsApp Business API Client POSTs to `webhooks.url` (see `PATCH /v1/settings/application`): " +
		"inbound messages, message statuses and notifications. Implemented by the business."})
	return json.MarshalIndent(m, "", "  ")
}

// The badge's logo, as Redoc's bundle names it, and what replaces it: the word in the
// sidebar's own font and colour, so the attribution stays and nothing is fetched.
var (
	logoURLs = []string{"https://cdn.redoc.ly/redoc/logo-mini-full.svg", "https://cdn.redoc.ly/redoc/logo-mini.svg"}
	logoText = "data:image/svg+xml," + strings.NewReplacer(`<`, "%3C", `>`, "%3E", `"`, "'", " ", "%20", "#", "%23").Replace(
		`<svg xmlns="http://www.w3.org/2000/svg" width="64" height="16"><text x="0" y="13" font-family="sans-serif" font-size="13" fill="#888">Redocly</text></svg>`)
	// remoteRE finds what a browser would fetch by itself: a src, an @import or url() of a
	// stylesheet, a link's href, or the URL literals the bundle passes to them.
	remoteRE = regexp.MustCompile(`(?:src\s*=\s*["'\x60]|src:\s*\x60|url\(\s*["']?|@import\s+["']|<link[^>]+href=["'])(https?://[^"'\x60)\s]+)`)
)

// Offline returns page with the badge's logo inlined, or an error naming the remote
// references that remain.
func Offline(page []byte) ([]byte, error) {
	found := false
	for _, u := range logoURLs {
		if bytes.Contains(page, []byte(u)) {
			found = true
			page = bytes.ReplaceAll(page, []byte(u), []byte(logoText))
		}
	}
	if !found {
		return nil, fmt.Errorf("the Redocly logo URL is not in the page: Redoc changed, check the page's network requests again")
	}
	var remote []string
	for _, m := range remoteRE.FindAllSubmatch(page, -1) {
		if u := string(m[1]); !slices.Contains(remote, u) {
			remote = append(remote, u)
		}
	}
	if len(remote) > 0 {
		return nil, fmt.Errorf("the page still loads from the network: %v", remote)
	}
	return page, nil
}

func offlineFile(path string) error {
	page, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := Offline(page)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, out, 0o644)
}
