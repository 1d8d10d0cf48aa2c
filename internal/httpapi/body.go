package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humachi"
)

// strictJSON is huma's JSON format with the refusals encoding/json lacks.
// That quietly turns bytes that are not UTF-8, and escaped halves of a
// surrogate pair, into U+FFFD, so what is stored is not what was sent; and
// of a key given twice it keeps the last, where a proxy or a log in front
// of us may have read the first. Here, for every JSON operation, each is
// refused as malformed (400) before the body is decoded.
var strictJSON = huma.Format{
	Marshal: huma.DefaultJSONFormat.Marshal,
	Unmarshal: func(data []byte, v any) error {
		// Not JSON at all: json.Unmarshal's syntax error says it best.
		if err := checkJSONText(data); err != nil && json.Valid(data) {
			return err
		}
		return json.Unmarshal(data, v)
	},
}

// checkJSONText finds the first of the problems strictJSON refuses, in one
// pass over the bytes (json.Decoder's tokens cost twice a whole decode).
// It assumes JSON: of a body that is not, its answer means nothing.
func checkJSONText(data []byte) error {
	if !utf8.Valid(data) {
		return fmt.Errorf("the body is not UTF-8 text (an invalid byte at offset %d)", invalidUTF8At(data))
	}
	var stack []*jsonFrame
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '{':
			stack = append(stack, &jsonFrame{object: true, wantKey: true})
		case '[':
			stack = append(stack, &jsonFrame{})
		case '}', ']':
			if len(stack) == 0 {
				return nil
			}
			stack = stack[:len(stack)-1]
		case ',':
			if n := len(stack); n > 0 {
				if top := stack[n-1]; top.object {
					top.wantKey = true
				} else {
					top.index++
				}
			}
		case '"':
			end, escaped, err := scanString(data, i)
			if err != nil || end < 0 {
				return err // a lone surrogate, or the body ends inside the string
			}
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
				if err := stack[n-1].addKey(data[i:end+1], escaped, stack); err != nil {
					return err
				}
			}
			i = end
		}
	}
	return nil
}

func invalidUTF8At(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}

// scanString reads the string that opens at data[at] and returns the index
// of its closing quote (-1 if there is none) and whether it holds escapes.
// A \uD800–\uDFFF escape must be a high half followed at once by a low half:
// encoding/json turns any other into U+FFFD.
func scanString(data []byte, at int) (end int, escaped bool, err error) {
	for i := at + 1; i < len(data); i++ {
		switch data[i] {
		case '"':
			return i, escaped, nil
		case '\\':
			escaped = true
			r, ok := escapedRune(data, i)
			if !ok || r < 0xD800 || r > 0xDFFF {
				i++ // the escaped byte, so \\ and \" start nothing
				continue
			}
			if lo, ok := escapedRune(data, i+6); r < 0xDC00 && ok && lo >= 0xDC00 && lo <= 0xDFFF {
				i += 11
				continue
			}
			return 0, false, fmt.Errorf("the body escapes half of a UTF-16 surrogate pair at offset %d, which is not a character", i)
		}
	}
	return -1, escaped, nil
}

// escapedRune reads a \uXXXX escape at data[at:].
func escapedRune(data []byte, at int) (rune, bool) {
	if at+6 > len(data) || data[at] != '\\' || data[at+1] != 'u' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(data[at+2:at+6]), 16, 16)
	return rune(n), err == nil // #nosec G115 -- four hex digits, at most 0xFFFF
}

// jsonFrame is an object or array that checkJSONText is inside.
type jsonFrame struct {
	object  bool
	keys    []string            // object: its keys, while they are few
	many    map[string]struct{} // and once they are not
	key     string              // object: the key of the value being read
	wantKey bool                // object: a key (or the end) comes next
	index   int                 // array: the index of the value being read
}

// addKey records the key quoted in raw, refusing one the object already
// has. Keys compare as decoded, so "a" and "\u0061" are the same key.
func (f *jsonFrame) addKey(raw []byte, escaped bool, stack []*jsonFrame) error {
	key := string(raw[1 : len(raw)-1])
	if escaped && json.Unmarshal(raw, &key) != nil {
		return nil // not JSON: json.Unmarshal reports it
	}
	f.key, f.wantKey = key, false
	_, seen := f.many[key]
	if seen || slices.Contains(f.keys, key) {
		return fmt.Errorf("the key %s appears twice in one object, at %s", quoteShort(key), jsonPath(stack))
	}
	// Most objects have a handful of keys: a slice beats a map for them.
	switch {
	case f.many != nil:
		f.many[key] = struct{}{}
	case len(f.keys) < 16:
		f.keys = append(f.keys, key)
	default:
		f.many = make(map[string]struct{}, 2*len(f.keys))
		for _, k := range append(f.keys, key) {
			f.many[k] = struct{}{}
		}
		f.keys = nil
	}
	return nil
}

// jsonPath names where the frames stand, as problem fields are named:
// steps[2].cue.
func jsonPath(stack []*jsonFrame) string {
	var b strings.Builder
	for _, f := range stack {
		if f.object {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		} else {
			fmt.Fprintf(&b, "[%d]", f.index)
		}
	}
	if b.Len() > 200 {
		return b.String()[:200] + "…"
	}
	return b.String()
}

func quoteShort(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return strconv.Quote(s)
}

// requireJSONType refuses a body sent without Content-Type to an operation
// that takes JSON (415), instead of huma's guess that it is JSON: a client
// that names no type may not be sending JSON at all, and a body from a
// page (a form, a beacon) must not pass for it.
func requireJSONType(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		op := ctx.Operation()
		if op.RequestBody != nil && op.RequestBody.Content["application/json"] != nil &&
			strings.TrimSpace(ctx.Header("Content-Type")) == "" && hasBody(ctx) {
			_ = huma.WriteErr(api, ctx, http.StatusUnsupportedMediaType,
				"The request has a body but no Content-Type: send it as application/json")
			return
		}
		next(ctx)
	}
}

// hasBody reports whether the request carries a body. One of unknown length
// (chunked) is peeked at, and the byte read is put back.
func hasBody(ctx huma.Context) bool {
	r, _ := humachi.Unwrap(ctx)
	switch {
	case r.ContentLength > 0:
		return true
	case r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody:
		return false
	}
	var b [1]byte
	n, _ := io.ReadFull(r.Body, b[:])
	if n == 0 {
		return false
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b[:n]), r.Body), r.Body}
	return true
}
