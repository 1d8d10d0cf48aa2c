package library_test

import (
	"testing"

	"github.com/yogaflow/yogaflow/internal/library"
)

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		q, english, sanskrit string
		rank                 int // -1: no match
	}{
		{"downward-facing dog", "Downward-Facing Dog", "Adho Mukha Śvānāsana", library.MatchName},
		{"adho mukha svanasana", "Downward-Facing Dog", "Adho Mukha Śvānāsana", library.MatchName},
		{"adho mukha", "Downward-Facing Dog", "Adho Mukha Śvānāsana", library.MatchNamePrefix},
		{"adho mukha", "Dolphin Plank", "Makara Adho Mukha Śvānāsana", library.MatchWordPrefix},
		{"facing", "Downward-Facing Dog", "", library.MatchWordPrefix},
		{"svana", "Dolphin Plank", "Makara Adho Mukha Śvānāsana", library.MatchWordPrefix},
		{"asana", "Dolphin Plank", "Makara Adho Mukha Śvānāsana", library.MatchSubstring},
		{"ward-fac", "Downward-Facing Dog", "", library.MatchSubstring},
		// A word starts later even where the first occurrence is inside one.
		{"ka", "Kakasana", "Baka kakasana", library.MatchNamePrefix},
		{"ka", "Crow", "Baka kakasana", library.MatchWordPrefix},
		// Words in another order, and typos in words of five letters or more.
		{"dog downward", "Downward-Facing Dog", "", library.MatchTypo},
		{"trangle", "Triangle Pose", "Utthita Trikoṇāsana", library.MatchTypo},   // a letter left out
		{"triangles", "Triangle Pose", "Utthita Trikoṇāsana", library.MatchTypo}, // one added
		{"trisngle", "Triangle Pose", "", library.MatchTypo},                     // one changed
		{"tirangle pose", "Triangle Pose", "", library.MatchTypo},                // two swapped
		{"savasna", "Corpse Pose", "Śavāsana", library.MatchTypo},
		{"trngle", "Triangle Pose", "", -1}, // two letters off
		{"crw", "Crow Pose", "", -1},        // too short to forgive
		{"lotsu", "Lotus", "", library.MatchTypo},
		{"lotu", "Lotus", "", library.MatchNamePrefix},
		{"dog cat", "Downward-Facing Dog", "", -1}, // every word must match
		{"", "Downward-Facing Dog", "", -1},
		{"%_", "Downward-Facing Dog", "", -1},
	} {
		rank, ok := library.Match(library.FoldQuery(tc.q), tc.english, tc.sanskrit)
		if !ok {
			rank = -1
		}
		if rank != tc.rank {
			t.Errorf("%q against %q / %q: rank %d, want %d", tc.q, tc.english, tc.sanskrit, rank, tc.rank)
		}
	}
}
