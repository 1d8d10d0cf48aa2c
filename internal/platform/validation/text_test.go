package validation_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/yogaflow/yogaflow/internal/platform/validation"
)

func TestText(t *testing.T) {
	tests := []struct {
		name     string
		s        string
		lineOK   bool // accepted as one line
		textOK   bool // accepted as multi-line text
		wantPart string
	}{
		{name: "plain", s: "Gentle Morning Flow", lineOK: true, textOK: true},
		{name: "empty", s: "", lineOK: true, textOK: true},
		{name: "letters outside ASCII", s: "Adho Mukha Śvānāsana 🧘", lineOK: true, textOK: true},
		{name: "right-to-left with marks", s: "יוגה\u200f בוקר\u200e 2", lineOK: true, textOK: true},
		{name: "zero width joiner", s: "👩\u200d🦰", lineOK: true, textOK: true},
		{name: "line feed", s: "first\nsecond", textOK: true, wantPart: "U+000A"},
		{name: "tab", s: "a\tb", textOK: true, wantPart: "U+0009"},
		{name: "carriage return", s: "a\r\nb", wantPart: "U+000D"},
		{name: "NUL", s: "Ana\x00", wantPart: "U+0000"},
		{name: "escape", s: "Ana\x1b[31m", wantPart: "U+001B"},
		{name: "delete", s: "Ana\x7f", wantPart: "U+007F"},
		{name: "C1 control", s: "Ana\u0085", wantPart: "U+0085"},
		{name: "right-to-left override", s: "Ana\u202Egnp.exe", wantPart: "U+202E"},
		{name: "left-to-right embedding", s: "\u202AAna", wantPart: "U+202A"},
		{name: "first strong isolate", s: "Ana\u2068x", wantPart: "U+2068"},
		{name: "pop directional isolate", s: "Ana\u2069", wantPart: "U+2069"},
		{name: "invalid UTF-8", s: "\xff\xfe@x.y", wantPart: "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				kind  string
				check func(string, string) error
				ok    bool
			}{{"Line", validation.Line, tt.lineOK}, {"Text", validation.Text, tt.textOK}} {
				err := c.check("display_name", tt.s)
				if c.ok {
					if err != nil {
						t.Errorf("%s(%q) = %v, want nil", c.kind, tt.s, err)
					}
					continue
				}
				var ve *validation.Error
				if !errors.As(err, &ve) {
					t.Fatalf("%s(%q) = %v, want a *validation.Error", c.kind, tt.s, err)
				}
				if ve.Field != "display_name" || !strings.Contains(ve.Message, tt.wantPart) {
					t.Errorf("%s(%q) = {%q, %q}, want field display_name and a message naming %s", c.kind, tt.s, ve.Field, ve.Message, tt.wantPart)
				}
			}
		})
	}
}

func TestLinesNamesTheItem(t *testing.T) {
	if err := validation.Lines("instructions", []string{"Stand tall.", "Breathe."}); err != nil {
		t.Fatalf("good items refused: %v", err)
	}
	var ve *validation.Error
	if !errors.As(validation.Lines("instructions", []string{"Stand tall.", "Bre\x00athe."}), &ve) || ve.Field != "instructions[1]" {
		t.Errorf("got %v, want a *validation.Error naming instructions[1]", ve)
	}
}
