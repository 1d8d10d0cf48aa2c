package httpapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// checkJSONText's scans, case by case; the HTTP tests show the answers.
func TestCheckJSONText(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       string // a part of the error; "" when it passes
	}{
		{name: "plain", body: `{"a":1,"b":[1,2,{"a":3}],"c":{"a":{"a":null}}}`},
		{name: "not JSON", body: `{"a":`},
		{name: "big number", body: `{"a":1e400,"b":2}`},
		{name: "top-level array", body: `[{"a":1},{"a":1}]`},
		{name: "escaped backslash before u", body: `{"a":"\\ud800"}`},
		{name: "three backslashes", body: `{"a":"\\\ud83e\uddd8"}`},
		{name: "surrogate pair", body: `{"a":"\uD83E\uDDD8"}`},
		{name: "escaped quote then u", body: `{"a":"\"ud800"}`},
		{name: "escape at the very end", body: `{"a":"\`},
		{name: "short escape at the end", body: `{"a":"\ud8`},
		{name: "three backslashes, lone", body: `{"a":"\\\ud800"}`, want: "surrogate pair at offset 8"},
		{name: "high then not low", body: `{"a":"\ud800\u0041"}`, want: "surrogate"},
		{name: "high then high", body: `{"a":"\ud800\ud800"}`, want: "surrogate"},
		{name: "high at the end of the string", body: `{"a":"x\udbff"}`, want: "surrogate"},
		{name: "surrogate in a key", body: `{"\udfff":1}`, want: "surrogate"},
		{name: "invalid UTF-8", body: "{\"a\":\"ok\xed\xa0\x80\"}", want: "offset 8"},
		{name: "overlong encoding", body: "{\"a\":\"\xc0\xaf\"}", want: "not UTF-8"},
		{name: "duplicate at the top", body: `{"a":1,"b":2,"a":3}`, want: `"a" appears twice in one object, at a`},
		{name: "duplicate in an array item", body: `{"steps":[{"cue":"x"},{"cue":"x","cue":"y"}]}`, want: "at steps[1].cue"},
		{name: "duplicate in nested arrays", body: `[[1],[{"k":[{"z":1,"z":2}]}]]`, want: "at [1][0].k[0].z"},
		{name: "duplicate after an empty object and array", body: `{"a":{},"b":[],"c":[[]],"a":0}`, want: "at a"},
		{name: "duplicate by escape", body: `{"\u0061":1,"a":2}`, want: `"a" appears twice`},
		{name: "many keys, none twice", body: manyKeys(40, "")},
		{name: "many keys, the first again at the end", body: manyKeys(40, "k0"), want: `"k0" appears twice`},
		{name: "many keys, one again among the first", body: manyKeys(40, "k3")[:len(`{"k0":0,"k1":0,"k2":0,"k3":0,"k4":0`)] + `,"k3":1}`, want: `"k3" appears twice`},
		{name: "a long key is cut", body: `{"` + strings.Repeat("k", 100) + `":1,"` + strings.Repeat("k", 100) + `":2}`, want: "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkJSONText([]byte(tc.body))
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("checkJSONText(%s) = %v, want nil", tc.body, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("checkJSONText(%s) = %v, want an error saying %q", tc.body, err, tc.want)
			}
		})
	}
}

// BenchmarkStrictJSON measures the checks on a body at the content limit.
func BenchmarkStrictJSON(b *testing.B) {
	steps := make([]map[string]any, 0)
	for len(steps) < 5000 {
		steps = append(steps, map[string]any{"pose_slug": "downward-facing-dog", "duration_seconds": 30, "side": "both",
			"cue": "Press the floor away; let the head hang. Ś✓ " + strings.Repeat("x", 100)})
	}
	body, _ := json.Marshal(map[string]any{"name": "Big", "steps": steps})
	b.SetBytes(int64(len(body)))
	b.Run("checks", func(b *testing.B) {
		for b.Loop() {
			if err := checkJSONText(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// A body that is not JSON gets json.Unmarshal's syntax error, whatever
// else is wrong with it.
func TestStrictJSONReportsSyntaxFirst(t *testing.T) {
	var v any
	err := strictJSON.Unmarshal([]byte(`{"a":1,,"a":2}`), &v)
	if _, ok := err.(*json.SyntaxError); !ok {
		t.Errorf("got %v, want a *json.SyntaxError", err)
	}
	if err := strictJSON.Unmarshal([]byte(`{"a":1,"a":2}`), &v); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("got %v, want the duplicate reported", err)
	}
}

// manyKeys is an object of n keys, k0 to k(n-1), and again if not "".
func manyKeys(n int, again string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, `"k%d":0,`, i)
	}
	if again != "" {
		fmt.Fprintf(&b, `%q:1,`, again)
	}
	return strings.TrimSuffix(b.String(), ",") + "}"
}
