package seeddata

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// iastToASCII strips the IAST diacritics used for Sanskrit transliteration.
var iastToASCII = strings.NewReplacer(
	"ā", "a", "ī", "i", "ū", "u", "ṛ", "r", "ṝ", "r", "ḷ", "l", "ṅ", "n", "ñ", "n",
	"ṭ", "t", "ḍ", "d", "ṇ", "n", "ś", "s", "ṣ", "s", "ṃ", "m", "ḥ", "h",
	"Ā", "A", "Ī", "I", "Ū", "U", "Ṛ", "R", "Ṝ", "R", "Ḷ", "L", "Ṅ", "N", "Ñ", "N",
	"Ṭ", "T", "Ḍ", "D", "Ṇ", "N", "Ś", "S", "Ṣ", "S", "Ṃ", "M", "Ḥ", "H",
)

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] > 0x7f {
			return false
		}
	}
	return true
}

func load(t *testing.T) ([]Pose, []Sequence) {
	t.Helper()
	poses, err := Poses()
	if err != nil {
		t.Fatal(err)
	}
	seqs, err := Sequences()
	if err != nil {
		t.Fatal(err)
	}
	return poses, seqs
}

func TestIASTToASCII(t *testing.T) {
	for in, want := range map[string]string{
		"Adho Mukha Śvānāsana":      "Adho Mukha Svanasana",
		"Utthita Pārśvakoṇāsana":    "Utthita Parsvakonasana",
		"Vṛkṣāsana":                 "Vrksasana",
		"Añjaneyāsana":              "Anjaneyasana",
		"Ṭiṭṭibhāsana":              "Tittibhasana",
		"Ūrdhva Prasārita Pādāsana": "Urdhva Prasarita Padasana",
		"ṝ ḷ ṃ ḥ Ṝ Ḷ Ṃ Ḥ Ṅ Ñ Ḍ Ṇ Ṣ": "r l m h R L M H N N D N S",
	} {
		if got := iastToASCII.Replace(in); got != want {
			t.Errorf("iastToASCII(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDecodeStrict(t *testing.T) {
	for name, in := range map[string]string{
		"unknown field": `[{"slug":"x","colour":"red"}]`,
		"trailing data": `[{"slug":"x"}] []`,
		"wrong type":    `[{"slug":1}]`,
		"not JSON":      `[{`,
	} {
		var ps []Pose
		if err := decodeStrict([]byte(in), &ps); err == nil {
			t.Errorf("%s: decodeStrict(%s) succeeded, want an error", name, in)
		}
	}
}

func TestCounts(t *testing.T) {
	poses, seqs := load(t)
	if len(poses) < 80 {
		t.Errorf("%d poses, want at least 80", len(poses))
	}
	if len(seqs) < 12 {
		t.Errorf("%d sequences, want at least 12", len(seqs))
	}
}

func TestSlugs(t *testing.T) {
	poses, seqs := load(t)
	var poseSlugs, seqSlugs []string
	for _, p := range poses {
		poseSlugs = append(poseSlugs, p.Slug)
	}
	for _, s := range seqs {
		seqSlugs = append(seqSlugs, s.Slug)
	}
	for _, tc := range []struct {
		kind  string
		slugs []string
	}{{"pose", poseSlugs}, {"sequence", seqSlugs}} {
		seen := map[string]bool{}
		for _, slug := range tc.slugs {
			if !slugRE.MatchString(slug) {
				t.Errorf("%s slug %q is not lower-case words joined by hyphens", tc.kind, slug)
			}
			if seen[slug] {
				t.Errorf("duplicate %s slug %q", tc.kind, slug)
			}
			seen[slug] = true
		}
	}
}

// checkTags reports tags outside valid and duplicates.
func checkTags(t *testing.T, where, field string, tags, valid []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, tag := range tags {
		if !slices.Contains(valid, tag) {
			t.Errorf("%s: %s %q is not one of %v", where, field, tag, valid)
		}
		if seen[tag] {
			t.Errorf("%s: duplicate %s %q", where, field, tag)
		}
		seen[tag] = true
	}
}

func TestPoses(t *testing.T) {
	poses, _ := load(t)
	for _, p := range poses {
		where := "pose " + p.Slug
		checkTags(t, where, "category", []string{p.Category}, Categories)
		checkTags(t, where, "difficulty", []string{p.Difficulty}, Difficulties)
		checkTags(t, where, "contraindication", p.Contraindications, Contraindications)
		if p.Contraindications == nil {
			t.Errorf("%s: contraindications missing (use [] for none)", where)
		}
		for field, v := range map[string]string{
			"english_name": p.EnglishName, "sanskrit_name": p.SanskritName, "description": p.Description,
		} {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: empty %s", where, field)
			}
		}
		if want := iastToASCII.Replace(p.SanskritName); p.SanskritASCII != want {
			t.Errorf("%s: sanskrit_ascii %q, want %q", where, p.SanskritASCII, want)
		}
		if !isASCII(p.SanskritASCII) {
			t.Errorf("%s: sanskrit_ascii %q is not pure ASCII", where, p.SanskritASCII)
		}
		if len(p.Instructions) < 3 {
			t.Errorf("%s: %d instruction steps, want at least 3", where, len(p.Instructions))
		}
		if len(p.Benefits) == 0 {
			t.Errorf("%s: no benefits", where)
		}
		for _, s := range slices.Concat(p.Instructions, p.Benefits) {
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s: empty instruction or benefit", where)
			}
		}
		if p.DefaultHoldSeconds < 5 || p.DefaultHoldSeconds > 600 {
			t.Errorf("%s: default_hold_seconds %d outside 5..600", where, p.DefaultHoldSeconds)
		}
	}
}

// TestContraindicationRules holds the cautious minimums that people with an
// injury or a pregnancy rely on when they filter with ?avoid=.
func TestContraindicationRules(t *testing.T) {
	poses, _ := load(t)
	rules := []struct {
		name    string
		applies func(Pose) bool
		need    []string
	}{
		{"inversions", func(p Pose) bool { return p.Category == "inversion" },
			[]string{"high_blood_pressure", "glaucoma"}},
		{"prone poses", func(p Pose) bool { return p.Category == "prone" },
			[]string{"pregnancy"}},
		{"arm balances", func(p Pose) bool { return p.Category == "arm_balance" },
			[]string{"pregnancy", "wrist_injury"}},
		{"advanced backbends", func(p Pose) bool { return p.Category == "backbend" && p.Difficulty == "advanced" },
			[]string{"pregnancy"}},
	}
	for _, r := range rules {
		n := 0
		for _, p := range poses {
			if !r.applies(p) {
				continue
			}
			n++
			for _, tag := range r.need {
				if !slices.Contains(p.Contraindications, tag) {
					t.Errorf("%s: pose %s lacks contraindication %q", r.name, p.Slug, tag)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: rule matches no pose", r.name)
		}
	}
}

func TestCoverage(t *testing.T) {
	poses, seqs := load(t)
	var cats, poseDiffs, seqDiffs, styles, focus []string
	for _, p := range poses {
		cats = append(cats, p.Category)
		poseDiffs = append(poseDiffs, p.Difficulty)
	}
	for _, s := range seqs {
		seqDiffs = append(seqDiffs, s.Difficulty)
		styles = append(styles, s.Style)
		focus = append(focus, s.FocusArea)
	}
	for _, tc := range []struct {
		what     string
		got, all []string
		atLeast  int // 0 means every value
	}{
		{"pose categories", cats, Categories, 0},
		{"pose difficulties", poseDiffs, Difficulties, 0},
		{"sequence difficulties", seqDiffs, Difficulties, 0},
		{"sequence styles", styles, Styles, 0},
		{"sequence focus areas", focus, FocusAreas, 8},
	} {
		var missing []string
		for _, v := range tc.all {
			if !slices.Contains(tc.got, v) {
				missing = append(missing, v)
			}
		}
		want := tc.atLeast
		if want == 0 {
			want = len(tc.all)
		}
		if present := len(tc.all) - len(missing); present < want {
			t.Errorf("%s: %d of %d present, want at least %d; missing %v",
				tc.what, present, len(tc.all), want, missing)
		}
	}
}

func TestSequences(t *testing.T) {
	poses, seqs := load(t)
	bySlug := map[string]Pose{}
	for _, p := range poses {
		bySlug[p.Slug] = p
	}
	const minStep, maxStep = 5, 600            // seconds, per side
	const minTotal, maxTotal = 5 * 60, 60 * 60 // seconds
	for _, s := range seqs {
		where := "sequence " + s.Slug
		checkTags(t, where, "difficulty", []string{s.Difficulty}, Difficulties)
		checkTags(t, where, "style", []string{s.Style}, Styles)
		checkTags(t, where, "focus_area", []string{s.FocusArea}, FocusAreas)
		if strings.TrimSpace(s.Name) == "" || strings.TrimSpace(s.Description) == "" {
			t.Errorf("%s: empty name or description", where)
		}
		if len(s.Steps) == 0 {
			t.Errorf("%s: no steps", where)
		}
		total := 0
		for i, st := range s.Steps {
			at := fmt.Sprintf("%s step %d", where, i+1)
			checkTags(t, at, "side", []string{st.Side}, Sides)
			p, ok := bySlug[st.Pose]
			if !ok {
				t.Errorf("%s: unknown pose %q", at, st.Pose)
				continue
			}
			if !p.TwoSided && st.Side != "both" {
				t.Errorf("%s: pose %s is not two-sided but side is %q", at, st.Pose, st.Side)
			}
			if st.DurationSeconds < minStep || st.DurationSeconds > maxStep {
				t.Errorf("%s: duration %d s outside %d..%d", at, st.DurationSeconds, minStep, maxStep)
			}
			if p.TwoSided && st.Side == "both" {
				total += 2 * st.DurationSeconds
			} else {
				total += st.DurationSeconds
			}
		}
		if total < minTotal || total > maxTotal {
			t.Errorf("%s: total %d s outside %d..%d", where, total, minTotal, maxTotal)
		}
	}
}

// TestConditionPresets checks the presets written for a condition against the
// contraindications that condition rules out, and that every contraindication
// leaves at least two presets someone with it can practise whole.
func TestConditionPresets(t *testing.T) {
	poses, seqs := load(t)
	tagsOf := map[string][]string{}
	for _, p := range poses {
		tagsOf[p.Slug] = p.Contraindications
	}
	bySlug := map[string]Sequence{}
	for _, s := range seqs {
		bySlug[s.Slug] = s
	}
	// holds reports whether a step of s is a pose tagged tag.
	holds := func(s Sequence, tag string) bool {
		for _, st := range s.Steps {
			if slices.Contains(tagsOf[st.Pose], tag) {
				return true
			}
		}
		return false
	}

	avoid := map[string][]string{
		// No kneeling, lunges or cross-legged sitting; it says it suits a tender hip too.
		"gentle-knees-and-hips":      {"knee_injury", "hip_injury"},
		"wrist-free-practice":        {"wrist_injury"},
		"lower-back-relief":          {"back_injury"},
		"pregnancy-first-trimester":  {"pregnancy"},
		"pregnancy-second-trimester": {"pregnancy"},
		// Seated, on all fours or propped up: kind to a pregnant lower back too.
		"pregnancy-third-trimester": {"pregnancy", "back_injury"},
		// It promises no kneeling, for a desk break in work clothes.
		"desk-break-neck-and-shoulders": {"neck_injury", "shoulder_injury", "knee_injury"},
		"sleep-wind-down":               {"high_blood_pressure", "low_blood_pressure", "glaucoma", "vertigo", "heart_condition"},
	}
	for slug, tags := range avoid {
		s, ok := bySlug[slug]
		if !ok {
			t.Errorf("preset %s is missing", slug)
			continue
		}
		checkTags(t, "condition preset "+slug, "avoided tag", tags, Contraindications)
		for i, st := range s.Steps {
			for _, tag := range tags {
				if slices.Contains(tagsOf[st.Pose], tag) {
					t.Errorf("preset %s step %d: pose %s is contraindicated for %s", slug, i+1, st.Pose, tag)
				}
			}
		}
	}

	const minFree = 2
	for _, tag := range Contraindications {
		var free []string
		for _, s := range seqs {
			if !holds(s, tag) {
				free = append(free, s.Slug)
			}
		}
		if len(free) < minFree {
			t.Errorf("contraindication %s: %d presets free of it %v, want at least %d", tag, len(free), free, minFree)
		}
	}
}
