package render

import (
	"bytes"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// IndexPage is the name of the index page among the pages of Pages; the others are under
// PagesDir, next to it.
const (
	IndexPage = "reference.md"
	PagesDir  = "reference"
)

var (
	sectionRE = regexp.MustCompile(`^## <a name="([^"]+)"></a>(.*)$`)
	anchorRE  = regexp.MustCompile(`<a name="([^"]+)"></a>`)
	// inPageLinkRE matches a Markdown link to an anchor of the single-page reference.
	inPageLinkRE = regexp.MustCompile(`\]\(#([^)\s]+)\)`)
	// relLinkRE matches a link relative to docs/, which a page one folder down must climb.
	relLinkRE = regexp.MustCompile(`\]\(\.\./`)
)

// pageOf names the page a section of the single-page reference goes to: the overview
// (contents, servers and authentication, common schemas) stays on the index page, and each
// tag, the webhook payloads, the error codes and the schema index get a page of their own,
// so that a code host renders each one whole and a link lands on its anchor.
func pageOf(section string) string {
	switch {
	case strings.HasPrefix(section, "tag-"):
		return PagesDir + "/" + strings.TrimPrefix(section, "tag-") + ".md"
	case section == "webhooks":
		return PagesDir + "/webhooks.md"
	case section == "error-codes":
		return PagesDir + "/errors.md"
	case section == "schema-index":
		return PagesDir + "/schemas.md"
	}
	return IndexPage
}

// Pages renders the reference split into pages: IndexPage and one page per section of
// pageOf, keyed by their path relative to the folder of the index page. The content is the
// one of Markdown, with links rewritten to point across pages.
func Pages(doc *openapi3.T) (map[string][]byte, error) {
	md, err := Markdown(doc)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(md), "\n")
	// The generated-file comment, kept at the top of every page.
	var head []string
	for _, l := range lines {
		if !strings.HasPrefix(l, "<!--") {
			break
		}
		head = append(head, l)
	}
	type page struct {
		title string
		lines []string
	}
	pages := map[string]*page{IndexPage: {}}
	var order []string
	cur := IndexPage
	for _, l := range lines[len(head):] {
		if m := sectionRE.FindStringSubmatch(l); m != nil {
			cur = pageOf(m[1])
			if pages[cur] == nil {
				pages[cur] = &page{title: m[2]}
				order = append(order, cur)
			}
		}
		pages[cur].lines = append(pages[cur].lines, l)
	}

	// Where each anchor is.
	owner := map[string]string{}
	for name, p := range pages {
		for _, l := range p.lines {
			for _, m := range anchorRE.FindAllStringSubmatch(l, -1) {
				if other, dup := owner[m[1]]; dup && other != name {
					return nil, fmt.Errorf("render: anchor %q is on two pages, %s and %s", m[1], other, name)
				}
				owner[m[1]] = name
			}
		}
	}

	// The navigation line of every page but the index.
	nav := func(from string) string {
		links := []string{"[Index](" + rel(from, IndexPage) + ")"}
		for _, name := range order {
			label := strings.Trim(pages[name].title, "` ")
			if name == from {
				links = append(links, "**"+label+"**")
			} else {
				links = append(links, "["+label+"]("+rel(from, name)+")")
			}
		}
		return strings.Join(links, " · ")
	}

	out := map[string][]byte{}
	for _, name := range slices.Sorted(maps.Keys(pages)) {
		p := pages[name]
		var b bytes.Buffer
		for _, l := range head {
			b.WriteString(l + "\n")
		}
		if name != IndexPage {
			fmt.Fprintf(&b, "\n# WhatsApp Business On-Premises API reference: %s\n\n%s\n\n", p.title, nav(name))
		}
		var missing []string
		for i, l := range p.lines {
			l = inPageLinkRE.ReplaceAllStringFunc(l, func(link string) string {
				anchor := inPageLinkRE.FindStringSubmatch(link)[1]
				target, ok := owner[anchor]
				if !ok {
					missing = append(missing, anchor)
					return link
				}
				if target == name {
					return link
				}
				return "](" + rel(name, target) + "#" + anchor + ")"
			})
			if name != IndexPage {
				l = relLinkRE.ReplaceAllString(l, "](../../")
			}
			if i == len(p.lines)-1 && l == "" {
				continue // the single page's last newline; added below
			}
			b.WriteString(l + "\n")
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("render: %s links to anchors that no page has: %v", name, missing)
		}
		out[name] = bytes.TrimRight(b.Bytes(), "\n")
		out[name] = append(out[name], '\n')
	}
	return out, nil
}

// rel returns the path of page to from page from, both relative to the index's folder.
func rel(from, to string) string {
	fromDir := path.Dir(from)
	switch {
	case fromDir == path.Dir(to):
		return path.Base(to)
	case fromDir == ".":
		return to
	default:
		return "../" + to
	}
}
