package validation

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Line checks free text meant to be one line (a display name, a title, a
// pose's name): it must be UTF-8 and hold no control character and no
// bidirectional override or isolate. It returns an *Error naming field, or
// nil. Such characters are invisible or reorder what is shown around them,
// so a name holding one can pass for another ("Trojan Source" spoofing) or
// break the logs and exports it lands in.
func Line(field, s string) error { return checkText(field, s, false) }

// Text is Line for multi-line text (notes, descriptions): line feeds and
// tabs are allowed too.
func Text(field, s string) error { return checkText(field, s, true) }

// Lines applies Line to each item of a list, naming the item (field[2]).
func Lines(field string, items []string) error {
	for i, s := range items {
		if err := Line(fmt.Sprintf("%s[%d]", field, i), s); err != nil {
			return err
		}
	}
	return nil
}

func checkText(field, s string, multiline bool) error {
	if !utf8.ValidString(s) {
		return New(field, "must be valid UTF-8 text")
	}
	for _, r := range s {
		switch {
		case multiline && (r == '\n' || r == '\t'):
		case unicode.IsControl(r):
			if multiline {
				return New(field, fmt.Sprintf("must not contain control characters other than line feed and tab (found U+%04X)", r))
			}
			return New(field, fmt.Sprintf("must not contain control characters such as line breaks or tabs (found U+%04X)", r))
		case isBidiControl(r):
			return New(field, fmt.Sprintf("must not contain bidirectional override or isolate characters (found U+%04X)", r))
		}
	}
	return nil
}

// isBidiControl reports the embeddings and overrides (U+202A–U+202E) and
// the isolates (U+2066–U+2069). The marks (U+200E, U+200F, U+061C) stay
// allowed: right-to-left text needs them and they reorder nothing.
func isBidiControl(r rune) bool {
	return r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069'
}
