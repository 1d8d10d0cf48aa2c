package store

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Cursors come back from clients, so they are untrusted input: whatever a
// client sends, decoding fails cleanly or yields a key that re-encodes to a
// cursor meaning the same, and no byte of it reaches the SQL text.

func FuzzTimeCursor(f *testing.F) {
	f.Add(int64(1_769_843_700_000_000), "01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a62")
	f.Add(int64(0), "x")
	f.Add(int64(-62_135_596_800_000_000), "|")
	f.Add(int64(9_223_372_036_854_775_807), "id|with|bars")
	f.Add(int64(-1), "'); DROP TABLE users; --")
	f.Fuzz(func(t *testing.T, micros int64, id string) {
		at := time.UnixMicro(micros).UTC()
		c := encodeCursor(at, id)
		gotAt, gotID, err := decodeCursor(c)
		if id == "" {
			if !errors.Is(err, errBadCursor) {
				t.Fatalf("a cursor with no id decoded: %v %q %v", gotAt, gotID, err)
			}
			return
		}
		if err != nil || !gotAt.Equal(at) || gotID != id {
			t.Fatalf("decode(encode(%v, %q)) = %v, %q, %v", at, id, gotAt, gotID, err)
		}
		fuzzKeysetCondition(t, c, id, func(fl *filter, c string) error { return fl.afterTime(c, "started_at") })
	})
}

func FuzzDecodeTimeCursor(f *testing.F) {
	f.Add(encodeCursor(time.Date(2026, 1, 31, 7, 15, 0, 0, time.UTC), "abc"))
	f.Add("")
	f.Add("!!!!")
	f.Add(base64.RawURLEncoding.EncodeToString([]byte("+0017|id")))
	f.Add(base64.RawURLEncoding.EncodeToString([]byte("99999999999999999999|id")))
	f.Add(base64.RawURLEncoding.EncodeToString([]byte("12|")))
	f.Add(base64.StdEncoding.EncodeToString([]byte("12|a")))
	f.Fuzz(func(t *testing.T, c string) {
		at, id, err := decodeCursor(c)
		if err != nil {
			if !errors.Is(err, errBadCursor) || !at.IsZero() || id != "" {
				t.Fatalf("%q: %v, %q, %v; want only errBadCursor", c, at, id, err)
			}
			return
		}
		// A cursor spelt otherwise ("+0017") means what its canonical form does.
		at2, id2, err := decodeCursor(encodeCursor(at, id))
		if err != nil || !at2.Equal(at) || id2 != id || id == "" {
			t.Fatalf("%q decoded to %v, %q, which does not re-encode to itself: %v, %q, %v", c, at, id, at2, id2, err)
		}
	})
}

func FuzzNameCursor(f *testing.F) {
	f.Add("Warrior II", "01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a62")
	f.Add("", "x")
	f.Add(`"],["`, `\u0000`)
	f.Add("Śavāsana", "'; --")
	f.Add("\xff", "id")
	f.Fuzz(func(t *testing.T, name, id string) {
		c := encodeNameCursor(name, id)
		gotName, gotID, err := decodeNameCursor(c)
		switch {
		case id == "":
			if !errors.Is(err, errBadCursor) {
				t.Fatalf("a cursor with no id decoded: %q %q %v", gotName, gotID, err)
			}
			return
		// Names and IDs come from the database as text, so they are valid
		// UTF-8; JSON would replace the bytes of anything else.
		case !utf8.ValidString(name) || !utf8.ValidString(id):
			return
		case err != nil || gotName != name || gotID != id:
			t.Fatalf("decode(encode(%q, %q)) = %q, %q, %v", name, id, gotName, gotID, err)
		}
		fuzzKeysetCondition(t, c, id, func(fl *filter, c string) error { return fl.afterName(c, "name") })
	})
}

func FuzzDecodeNameCursor(f *testing.F) {
	f.Add(encodeNameCursor("Tree", "abc"))
	f.Add("")
	f.Add(base64.RawURLEncoding.EncodeToString([]byte(`["a"]`)))
	f.Add(base64.RawURLEncoding.EncodeToString([]byte(`["a","b","c"]`)))
	f.Add(base64.RawURLEncoding.EncodeToString([]byte(`[1,2]`)))
	f.Add(base64.RawURLEncoding.EncodeToString([]byte(`{"0":"a","1":"b"}`)))
	f.Add(base64.RawURLEncoding.EncodeToString([]byte(`null`)))
	f.Fuzz(func(t *testing.T, c string) {
		name, id, err := decodeNameCursor(c)
		if err != nil {
			if !errors.Is(err, errBadCursor) || name != "" || id != "" {
				t.Fatalf("%q: %q, %q, %v; want only errBadCursor", c, name, id, err)
			}
			return
		}
		name2, id2, err := decodeNameCursor(encodeNameCursor(name, id))
		if err != nil || name2 != name || id2 != id || id == "" {
			t.Fatalf("%q decoded to %q, %q, which does not re-encode to itself: %q, %q, %v", c, name, id, name2, id2, err)
		}
	})
}

// fuzzKeysetCondition checks what a cursor adds to a list query: one
// condition of placeholders only, the cursor's values as arguments.
func fuzzKeysetCondition(t *testing.T, c, id string, after func(*filter, string) error) {
	t.Helper()
	var fl filter
	if err := after(&fl, c); err != nil {
		t.Fatalf("a cursor the store made is refused: %v", err)
	}
	if len(fl.conds) != 1 || len(fl.args) != 2 || fl.args[1] != id {
		t.Fatalf("cursor for %q: conditions %q, arguments %v", id, fl.conds, fl.args)
	}
	if strings.ContainsAny(fl.conds[0], "'\"") || strings.Count(fl.conds[0], "$") != 2 {
		t.Fatalf("the condition holds more than placeholders: %q", fl.conds[0])
	}
	var garbage filter
	if err := after(&garbage, c+"!"); err == nil || len(garbage.conds)+len(garbage.args) != 0 {
		t.Fatalf("a broken cursor added %q %v (err %v)", garbage.conds, garbage.args, err)
	}
}
