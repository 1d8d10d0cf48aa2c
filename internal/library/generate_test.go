package library_test

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
	"github.com/yogaflow/yogaflow/internal/library"
	"github.com/yogaflow/yogaflow/internal/platform/testdb"
	"github.com/yogaflow/yogaflow/internal/platform/validation"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// builtinPool is the built-in library as engine e stores it.
func builtinPool(tb testing.TB, a *apptest.App) []library.Pose {
	tb.Helper()
	if _, _, err := a.Library.Seed(tb.Context(), false); err != nil {
		tb.Fatal(err)
	}
	pool, err := a.Library.AllPoses(tb.Context())
	if err != nil {
		tb.Fatal(err)
	}
	if len(pool) < 100 {
		tb.Fatalf("%d poses in the library, want the built-in 104", len(pool))
	}
	return pool
}

// randomInput draws an input of the API's ranges, leaving optional fields
// out now and then as clients do.
func randomInput(r *rand.Rand) library.GenerateInput {
	pick := func(from []string) string { return from[r.IntN(len(from))] }
	in := library.GenerateInput{Minutes: library.MinGenerateMinutes + r.IntN(library.MaxGenerateMinutes-library.MinGenerateMinutes+1),
		Difficulty: pick(library.Difficulties)}
	if r.IntN(5) > 0 {
		in.FocusArea = pick(library.FocusAreas)
	}
	if r.IntN(2) == 0 {
		in.Style = pick(library.Styles)
	}
	for range r.IntN(4) {
		in.Avoid = append(in.Avoid, pick(library.Contraindications))
	}
	if r.IntN(3) > 0 {
		seed := r.Int64N(library.MaxSeed + 1)
		in.Seed = &seed
	}
	return in
}

// TestGenerateRules checks every rule of a generated practice over
// thousands of random inputs on each engine's library.
func TestGenerateRules(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		pool := builtinPool(t, a)
		bySlug := map[string]library.Pose{}
		for _, p := range pool {
			bySlug[p.Slug] = p
		}
		r := rand.New(rand.NewPCG(1, 2))
		cases := 3000
		if testing.Short() {
			cases = 300
		}
		for range cases {
			in := randomInput(r)
			gen, err := library.Generate(pool, in)
			if err != nil {
				t.Fatalf("%+v: %v", in, err)
			}
			if problems := checkPractice(in, gen.Sequence, bySlug); len(problems) > 0 {
				t.Fatalf("%+v (seed %d):\n%s\n%s", in, gen.Seed, strings.Join(problems, "\n"), plan(gen.Sequence))
			}
			in.Seed = &gen.Seed
			again, err := library.Generate(pool, in)
			if err != nil || !reflect.DeepEqual(again, gen) {
				t.Fatalf("%+v: seed %d gave another practice the second time (%v)", in, gen.Seed, err)
			}
		}
	})
}

// checkPractice lists the rules seq breaks.
func checkPractice(in library.GenerateInput, seq library.Sequence, bySlug map[string]library.Pose) []string {
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	n := len(seq.Steps)
	if n < 3 || n > 100 {
		fail("%d steps, want 3 to 100", n)
		return problems
	}
	rank := slices.Index(library.Difficulties, in.Difficulty)
	want := in.Minutes * 60
	elapsed, total := 0, 0
	// A run of backbends or of inversions ends in a pose that counters it.
	counters := map[string][]string{"backbend": {"forward_bend", "twist", "restorative", "supine", "seated"},
		"inversion": {"restorative", "forward_bend", "supine", "prone", "seated"}}
	for i, st := range seq.Steps {
		p := bySlug[st.Pose.Slug]
		at := fmt.Sprintf("step %d (%s)", i+1, p.Slug)
		if st.Position != i+1 {
			fail("%s: position %d", at, st.Position)
		}
		if slices.Index(library.Difficulties, p.Difficulty) > rank {
			fail("%s: %s is above %s", at, p.Difficulty, in.Difficulty)
		}
		for _, tag := range p.Contraindications {
			if slices.Contains(in.Avoid, tag) {
				fail("%s: carries %s, which was to be avoided", at, tag)
			}
		}
		if p.TwoSided && st.Side != "both" {
			fail("%s: two-sided but held on the %s only", at, st.Side)
		}
		if st.DurationSeconds < 10 || st.DurationSeconds > 3600 {
			fail("%s: held %d s", at, st.DurationSeconds)
		}
		if next, ok := counters[p.Category]; ok && (i+1 == n || bySlug[seq.Steps[i+1].Pose.Slug].Category != p.Category && !slices.Contains(next, bySlug[seq.Steps[i+1].Pose.Slug].Category)) {
			fail("%s: a %s with no counterpose after it", at, p.Category)
		}
		if i > 0 && seq.Steps[i-1].Pose.Slug == p.Slug {
			fail("%s: the same pose twice in a row", at)
		}
		// Strong work ends before the last fifth: the practice cools down.
		if slices.Contains([]string{"standing", "balancing", "arm_balance", "inversion", "core"}, p.Category) && elapsed > want*4/5 {
			fail("%s: a %s pose at %d s of %d", at, p.Category, elapsed, want)
		}
		held := st.DurationSeconds
		if p.TwoSided {
			held *= 2
		}
		elapsed += held
		total += held
	}
	if first := bySlug[seq.Steps[0].Pose.Slug]; !slices.Contains([]string{"seated", "supine", "prone", "restorative", "backbend", "twist"}, first.Category) {
		fail("begins with a %s pose, not on the floor", first.Category)
	}
	if last := bySlug[seq.Steps[n-1].Pose.Slug]; last.Slug != "corpse-pose" && !slices.Contains([]string{"restorative", "supine"}, last.Category) {
		fail("ends with %s, not a resting pose", last.Slug)
	}
	if beforeRest := bySlug[seq.Steps[n-2].Pose.Slug]; !slices.Contains([]string{"forward_bend", "hip_opener", "twist", "supine", "restorative"}, beforeRest.Category) {
		fail("the pose before the final rest is a %s, not a cool-down", beforeRest.Category)
	}
	if total != seq.TotalDurationSeconds {
		fail("total_duration_seconds %d, the steps take %d", seq.TotalDurationSeconds, total)
	}
	if total*100 < want*95 || total*100 > want*105 {
		fail("takes %d s, asked %d (±5%%)", total, want)
	}
	if seq.Difficulty != in.Difficulty || in.FocusArea != "" && seq.FocusArea != in.FocusArea || in.Style != "" && seq.Style != in.Style {
		fail("labelled %s/%s/%s", seq.Difficulty, seq.FocusArea, seq.Style)
	}
	return problems
}

func TestGenerateRejects(t *testing.T) {
	seed := int64(library.MaxSeed) + 1
	for _, tc := range []struct {
		field string
		in    library.GenerateInput
	}{
		{"minutes", library.GenerateInput{Minutes: 4, Difficulty: "beginner"}},
		{"minutes", library.GenerateInput{Minutes: 91, Difficulty: "beginner"}},
		{"difficulty", library.GenerateInput{Minutes: 30}},
		{"focus_area", library.GenerateInput{Minutes: 30, Difficulty: "beginner", FocusArea: "toes"}},
		{"style", library.GenerateInput{Minutes: 30, Difficulty: "beginner", Style: "hot"}},
		{"avoid", library.GenerateInput{Minutes: 30, Difficulty: "beginner", Avoid: []string{"sore_toe"}}},
		{"seed", library.GenerateInput{Minutes: 30, Difficulty: "beginner", Seed: &seed}},
		// Nothing left to rest in.
		{"avoid", library.GenerateInput{Minutes: 30, Difficulty: "beginner"}},
	} {
		pool := []library.Pose{{Slug: "mountain-pose", Category: "standing", Difficulty: "beginner", DefaultHoldSeconds: 30}}
		_, err := library.Generate(pool, tc.in)
		var v *validation.Error
		if !errors.As(err, &v) || v.Field != tc.field {
			t.Errorf("%+v: %v, want a validation error on %s", tc.in, err, tc.field)
		}
	}
}

// TestGeneratePlans keeps a few fixed seeds' practices in testdata, to be
// read as a teacher would read a plan; -update rewrites them after a rule
// changes.
func TestGeneratePlans(t *testing.T) {
	a := apptest.New(t, testdb.New(t, "sqlite"))
	pool := builtinPool(t, a)
	seed := func(n int64) *int64 { return &n }
	var b strings.Builder
	for _, in := range []library.GenerateInput{
		{Minutes: 20, Difficulty: "beginner", FocusArea: "hips", Seed: seed(7)},
		{Minutes: 45, Difficulty: "intermediate", FocusArea: "strength", Style: "vinyasa", Seed: seed(11)},
		{Minutes: 30, Difficulty: "beginner", FocusArea: "back", Avoid: []string{"knee_injury"}, Seed: seed(3)},
		{Minutes: 15, Difficulty: "beginner", FocusArea: "sleep", Seed: seed(5)},
		{Minutes: 60, Difficulty: "advanced", FocusArea: "full_body", Seed: seed(1)},
		{Minutes: 30, Difficulty: "intermediate", FocusArea: "flexibility", Avoid: []string{"pregnancy"}, Seed: seed(9)},
	} {
		gen, err := library.Generate(pool, in)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "## %d min, %s, focus %q, style %q, avoid %v, seed %d\n\n", in.Minutes, in.Difficulty, in.FocusArea, in.Style, in.Avoid, *in.Seed)
		b.WriteString(plan(gen.Sequence))
		b.WriteString("\n")
	}
	golden := filepath.Join("testdata", "generated-plans.md")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("the plans differ from %s (go test -run TestGeneratePlans -update rewrites it):\n%s", golden, b.String())
	}
}

// plan writes seq as a teacher's plan: when each pose starts, for how long.
func plan(seq library.Sequence) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%d:%02d)\n%s\n\n", seq.Name, seq.TotalDurationSeconds/60, seq.TotalDurationSeconds%60, seq.Description)
	at := 0
	for _, st := range seq.Steps {
		sides := max(len(st.Sides()), 1)
		each := ""
		if sides == 2 {
			each = " each side"
		}
		fmt.Fprintf(&b, "  %2d:%02d  %-34s %3d s%s\n", at/60, at%60, st.Pose.EnglishName, st.DurationSeconds, each)
		if st.Cue != nil {
			fmt.Fprintf(&b, "         ↳ %s\n", *st.Cue)
		}
		at += st.DurationSeconds * sides
	}
	return b.String()
}

// BenchmarkGenerate60 makes a 60-minute practice from the built-in
// library; the target is under 5 ms.
func BenchmarkGenerate60(b *testing.B) {
	pool := builtinPool(b, apptest.New(b, testdb.New(b, "sqlite")))
	in := library.GenerateInput{Minutes: 60, Difficulty: "intermediate", FocusArea: "full_body"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := library.Generate(pool, in); err != nil {
			b.Fatal(err)
		}
	}
}
