package extract

import "strings"

// Word-pasted report pages spend three quarters of their bytes on attributes
// the HTML walker never reads (style="mso-…", class="MsoNormal", lang=…), and
// x/net/html copies and unescapes every one of them. slimHTML drops those
// attributes before parsing, in one pass that follows the HTML tokenizer's
// own rules for tags, attributes, comments and raw-text elements, so that
// what the parser sees differs only by attributes nobody looks at: text,
// tags and the attributes in keepAttrs come through byte for byte.

// keepAttrs are the attributes the walker (html.go) reads.
var keepAttrs = map[string]bool{
	"href": true, "src": true, "name": true, "content": true, "http-equiv": true,
	"charset": true, "rowspan": true, "colspan": true,
}

// rawText are the elements whose content the tokenizer reads as raw text up
// to their end tag; nothing inside them is a tag.
var rawText = map[string]bool{
	"script": true, "style": true, "textarea": true, "title": true, "xmp": true,
	"iframe": true, "noembed": true, "noframes": true, "noscript": true,
	"plaintext": true, // to the end of the page
}

// slimHTML returns s without the attributes that are not in keepAttrs. It
// returns s itself when dropping would save little.
func slimHTML(s string) string {
	if len(s) < 4096 || strings.Count(s, "=")*400 < len(s) {
		return s // hardly any attributes: parsing them costs less than copying the page
	}
	return dropAttrs(s)
}

// dropAttrs is slimHTML on any page.
func dropAttrs(s string) string {
	var b strings.Builder
	b.Grow(len(s) / 2)
	i := 0
	for i < len(s) {
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		b.WriteString(s[i : i+j])
		i += j
		i = slimMarkup(&b, s, i)
	}
	return b.String()
}

// slimMarkup copies what starts at s[i] == '<' and returns where it ends.
func slimMarkup(b *strings.Builder, s string, i int) int {
	rest := s[i:]
	switch {
	case strings.HasPrefix(rest, "<!--"):
		return copyThrough(b, s, i, "-->", 4)
	case strings.HasPrefix(rest, "<!") || strings.HasPrefix(rest, "<?"):
		return copyThrough(b, s, i, ">", 2)
	case len(rest) > 2 && rest[1] == '/' && isASCIILetter(rest[2]):
		return slimTag(b, s, i, true) // its quoted "attributes" may hold a '>'
	case strings.HasPrefix(rest, "</"):
		return copyThrough(b, s, i, ">", 2)
	case len(rest) > 1 && isASCIILetter(rest[1]):
		return slimTag(b, s, i, false)
	}
	b.WriteByte('<')
	return i + 1
}

// copyThrough copies s[i:] up to and including the first end found at or
// after i+skip, or the rest of s when there is none.
func copyThrough(b *strings.Builder, s string, i int, end string, skip int) int {
	if i+skip > len(s) {
		b.WriteString(s[i:])
		return len(s)
	}
	k := strings.Index(s[i+skip:], end)
	if k < 0 {
		b.WriteString(s[i:])
		return len(s)
	}
	stop := i + skip + k + len(end)
	b.WriteString(s[i:stop])
	return stop
}

// slimTag copies a start tag at s[i] with only the kept attributes; after a
// raw-text element's start tag it copies the element's content unchanged. An
// end tag (</name …>) is read the same way, as the tokenizer reads it, and
// copied whole.
func slimTag(b *strings.Builder, s string, i int, end bool) int {
	from := i + 1
	if end {
		from++
	}
	j := from
	for j < len(s) && !isTagSpace(s[j]) && s[j] != '/' && s[j] != '>' {
		j++
	}
	name := strings.ToLower(s[from:j])
	b.WriteString(s[i:j])
	for j < len(s) {
		switch c := s[j]; {
		case c == '>':
			b.WriteByte('>')
			j++
			if !end && rawText[name] {
				return copyRaw(b, s, j, name)
			}
			return j
		case isTagSpace(c) || c == '/':
			b.WriteByte(c)
			j++
		default:
			j = slimAttr(b, s, j, end)
		}
	}
	return j
}

// slimAttr reads one attribute at s[j] as the tokenizer does (a name up to
// space, '/', '>' or '=', then an optional '=' and a quoted or unquoted
// value) and copies it when its name is kept.
func slimAttr(b *strings.Builder, s string, j int, keepAll bool) int {
	start := j
	j++ // the first character belongs to the name, even '='
	for j < len(s) && !isTagSpace(s[j]) && s[j] != '/' && s[j] != '>' && s[j] != '=' {
		j++
	}
	name := s[start:j]
	k := j
	for k < len(s) && isTagSpace(s[k]) {
		k++
	}
	if k < len(s) && s[k] == '=' {
		k++
		for k < len(s) && isTagSpace(s[k]) {
			k++
		}
		j = attrValueEnd(s, k)
	}
	if keepAll || keepAttrs[strings.ToLower(name)] {
		b.WriteString(s[start:j])
	} else {
		b.WriteByte(' ') // the attribute's place stays a separator
	}
	return j
}

// attrValueEnd is where the attribute value that starts at s[k] ends.
func attrValueEnd(s string, k int) int {
	if k >= len(s) {
		return k
	}
	if q := s[k]; q == '"' || q == '\'' {
		e := strings.IndexByte(s[k+1:], q)
		if e < 0 {
			return len(s)
		}
		return k + 1 + e + 1
	}
	for k < len(s) && !isTagSpace(s[k]) && s[k] != '>' {
		k++
	}
	return k
}

// copyRaw copies a raw-text element's content, up to its end tag, unchanged.
func copyRaw(b *strings.Builder, s string, j int, name string) int {
	if name == "plaintext" {
		b.WriteString(s[j:])
		return len(s)
	}
	end := "</" + name
	for k := j; k < len(s); {
		e := strings.Index(s[k:], "</")
		if e < 0 {
			break
		}
		k += e
		if len(s)-k >= len(end) && strings.EqualFold(s[k:k+len(end)], end) {
			if n := k + len(end); n == len(s) || isTagSpace(s[n]) || s[n] == '/' || s[n] == '>' {
				b.WriteString(s[j:k])
				return k
			}
		}
		k += 2
	}
	b.WriteString(s[j:])
	return len(s)
}

func isTagSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

func isASCIILetter(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}
