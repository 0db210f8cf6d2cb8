package render

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wabiz/wabiz/spec"
)

var pageLinkRE = regexp.MustCompile(`\]\(([^)#\s]*\.md)?#([^)\s]+)\)`)

// TestPagesSplitByTagWithWorkingLinks checks the split reference: one page per tag plus
// webhooks, error codes and schemas, every section of the single page on exactly one page,
// and every cross-page link naming a page that exists and an anchor that page has.
func TestPagesSplitByTagWithWorkingLinks(t *testing.T) {
	t.Parallel()
	doc, err := spec.Load()
	require.NoError(t, err)
	pages, err := Pages(doc)
	require.NoError(t, err)

	for _, tag := range doc.Tags {
		name := PagesDir + "/" + strings.TrimPrefix(anchorID("tag-", tag.Name), "tag-") + ".md"
		assert.Contains(t, pages, name, "tag %s has its page", tag.Name)
	}
	for _, name := range []string{IndexPage, "reference/webhooks.md", "reference/errors.md", "reference/schemas.md"} {
		assert.Contains(t, pages, name)
	}

	anchors := map[string]map[string]bool{}
	total := 0
	for name, data := range pages {
		anchors[name] = map[string]bool{}
		for _, m := range anchorRE.FindAllStringSubmatch(string(data), -1) {
			anchors[name][m[1]] = true
			total++
		}
	}
	single, err := Markdown(doc)
	require.NoError(t, err)
	assert.Equal(t, len(anchorRE.FindAllString(string(single), -1)), total, "every anchor of the single page is on one page")

	var broken []string
	links := 0
	for name, data := range pages {
		for _, m := range pageLinkRE.FindAllStringSubmatch(string(data), -1) {
			links++
			target := name
			if m[1] != "" {
				target = resolve(name, m[1])
			}
			if _, ok := pages[target]; !ok {
				broken = append(broken, name+": "+m[0]+" (no page "+target+")")
			} else if !anchors[target][m[2]] {
				broken = append(broken, name+": "+m[0]+" (no anchor in "+target+")")
			}
		}
	}
	assert.Greater(t, links, 800)
	assert.Empty(t, broken)
	assert.Contains(t, string(pages[IndexPage]), "](reference/messages.md#op-sendmessage)", "the contents link into the pages")
	assert.Contains(t, string(pages["reference/messages.md"]), "[Index](../reference.md)")
}

// resolve returns the page a link written on page from points to.
func resolve(from, link string) string {
	dir := ""
	if i := strings.LastIndex(from, "/"); i >= 0 {
		dir = from[:i+1]
	}
	for strings.HasPrefix(link, "../") {
		link = link[3:]
		dir = ""
	}
	return dir + link
}
