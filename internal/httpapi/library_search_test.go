package httpapi_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

// TestSearchByBestMatch ranks the built-in library's poses for a search:
// the whole name, the start of a name, the start of a word, anywhere, and
// then words with a typo; ties by English name.
func TestSearchByBestMatch(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		if _, _, err := a.Library.Seed(t.Context(), false); err != nil {
			t.Fatal(err)
		}
		search := func(q string, more ...string) []string {
			t.Helper()
			return a.Do(t, "GET", "/api/v1/poses?q="+url.QueryEscape(q)+strings.Join(more, ""), nil).Column(t, "slug")
		}
		for _, tc := range []struct {
			q     string
			first []string // the top of the list, in order
		}{
			{"adho mukha", []string{"downward-facing-dog", "handstand", "dolphin-plank"}},
			{"ADHO MUKHA ŚVĀNĀSANA", []string{"downward-facing-dog", "dolphin-plank"}},
			{"Śavāsana", []string{"corpse-pose"}},
			{"warrior", []string{"warrior-i", "warrior-ii", "warrior-iii", "humble-warrior", "reverse-warrior"}},
			{"trikonasana", []string{"revolved-triangle", "triangle-pose"}}, // both a word's start: by name
			{"trangle", []string{"revolved-triangle", "triangle-pose"}},
			{"savasna", []string{"corpse-pose"}},
			{"virabhadrasna", []string{"humble-warrior", "reverse-warrior", "warrior-i"}},
		} {
			got := search(tc.q)
			if len(got) < len(tc.first) || !slices.Equal(got[:len(tc.first)], tc.first) {
				t.Errorf("q=%q: %v, want it to begin %v", tc.q, got, tc.first)
			}
		}
		if got := search("trngle"); len(got) != 0 {
			t.Errorf("two letters off found %v", got)
		}

		// Pages of a search keep its order and lose nothing.
		pages := func(limit string) []string {
			var out []string
			for cursor := ""; ; {
				res := a.Do(t, "GET", "/api/v1/poses?q=a&limit="+limit+"&cursor="+url.QueryEscape(cursor), nil)
				out = append(out, res.Column(t, "slug")...)
				next, _ := apptest.Field(res.JSON(t), "next_cursor")
				if next == nil {
					return out
				}
				cursor = next.(string)
			}
		}
		if small, large := pages("7"), pages("100"); len(large) < 100 || !slices.Equal(small, large) {
			t.Errorf("in pages of 7: %d poses %v\nin pages of 100: %d %v", len(small), small, len(large), large)
		}
		a.RunScenarios(t, []apptest.Scenario{
			{Name: "another list's cursor", Method: "GET", Path: "/api/v1/poses?q=asana&cursor=" + url.QueryEscape(encodedNameCursor(t, a)), Status: 422},
		})
	})
}

// encodedNameCursor is the cursor of the unfiltered pose list's first page.
func encodedNameCursor(t *testing.T, a *apptest.App) string {
	t.Helper()
	next, _ := apptest.Field(a.Do(t, "GET", "/api/v1/poses?limit=2", nil).JSON(t), "next_cursor")
	return next.(string)
}
