package store

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/library"
	"github.com/yogaflow/yogaflow/internal/platform/testdb"
)

// searchPoses is a library ten times the built-in one, so that a plan
// reading poses or their search terms whole shows.
const searchPoses = 3000

// TestPoseSearchUsesIndexes: a search reads the search terms through
// their index and the poses it finds by key, never either table whole.
func TestPoseSearchUsesIndexes(t *testing.T) {
	if testing.Short() {
		t.Skip("loads tens of thousands of rows")
	}
	testdb.Run(t, func(t *testing.T, e testdb.Engine) {
		db := openTestDB(t, e)
		ctx := t.Context()
		// Made-up words of three syllables: each names a pose or two, as
		// the words of real names mostly do.
		syllables := []string{"ka", "lo", "mi", "ru", "sa", "te", "vo", "na", "pi", "dha", "gu", "ya", "shi", "ba"}
		word := func(i int) string {
			n := len(syllables)
			return syllables[i%n] + syllables[(i/n)%n] + syllables[(i/n/n)%n]
		}
		at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		names := func(i int) (string, string) {
			return word(i) + " " + word(i*7+3), word(i+1000) + "asana"
		}
		err := db.inTx(ctx, func(tx *txn) error {
			// Rows as long as the built-in ones, whose description and
			// steps take a kilobyte or so: a whole read costs what it would.
			description := strings.Repeat("Root down through the feet and lengthen the spine. ", 10)
			instructions := `["` + strings.Repeat("Breathe in and lift the chest; breathe out and soften. ", 3) + `", "` +
				strings.Repeat("Hold for five breaths, then come back to stand. ", 3) + `"]`
			err := db.insertBatched(ctx, tx, "poses", "id, slug, english_name, sanskrit_name, category, difficulty, description, instructions, default_hold_seconds, created_at, updated_at",
				searchPoses, func(i int) []any {
					english, sanskrit := names(i)
					return []any{fmt.Sprintf("p%05d", i), fmt.Sprintf("pose-%05d", i), english, sanskrit, "standing", "beginner",
						description, instructions, 30, at, at}
				})
			if err != nil {
				return err
			}
			for i := range searchPoses {
				english, sanskrit := names(i)
				if err := writeSearchTerms(ctx, tx, fmt.Sprintf("p%05d", i), english, sanskrit); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.write.ExecContext(ctx, "ANALYZE"); err != nil {
			t.Fatal(err)
		}
		english, sanskrit := names(1500)
		first, second, _ := strings.Cut(english, " ")
		swapped := first[:2] + first[3:4] + first[2:3] + first[4:] // two letters swapped: a typo
		for _, f := range []library.PoseFilter{
			{Query: english},
			{Query: first[:4]},
			{Query: swapped},
			{Query: second + " " + first},
			{Query: sanskrit},
			{Query: first, Category: "standing", Avoid: []string{"knee_injury"}},
		} {
			f.Limit = 20
			query, args, err := poseListQuery(f)
			if err != nil {
				t.Fatal(err)
			}
			plan := explainPlan(ctx, t, db, query, args)
			if scans := searchScans(e, plan); len(scans) > 0 {
				t.Errorf("q=%q reads all of %s:\n%s\nplan:\n%s", f.Query, strings.Join(scans, ", "), query, strings.Join(plan, "\n"))
			} else if testing.Verbose() {
				t.Logf("q=%q:\n%s", f.Query, strings.Join(plan, "\n"))
			}
		}
		// And the index finds what the rule ranks.
		page, err := db.Library().ListPoses(ctx, library.PoseFilter{Query: swapped + " " + second, Limit: 5})
		if err != nil || len(page.Items) == 0 || page.Items[0].EnglishName != english {
			t.Errorf("%s %s: %v, %v; want %s first", swapped, second, page.Items, err, english)
		}
	})
}

// searchScans are the tables of a search that plan reads whole: on
// PostgreSQL a sequential scan, on SQLite a SCAN without an index.
func searchScans(e testdb.Engine, plan []string) []string {
	var out []string
	for _, line := range plan {
		for _, table := range []string{"poses", "pose_search_terms"} {
			switch {
			case e.Name == "postgres" && strings.Contains(line, "Seq Scan on "+table+" "):
				out = append(out, table)
			case e.Name == "sqlite" && (strings.Contains(line, "SCAN "+table) || table == "poses" && strings.Contains(line, "SCAN p")) &&
				!strings.Contains(line, " USING "):
				out = append(out, table)
			}
		}
	}
	return out
}
