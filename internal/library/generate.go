package library

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/yogaflow/yogaflow/internal/platform/validation"
)

// How a generated practice is built, as data: the arc every practice
// follows, what each focus puts at its peak, how each style holds a pose,
// and which poses counter which. Generate reads only these tables.

// phase is one part of the arc. Its poses are practised in the order of
// their categories here, opening with the first pose that openWith names
// (a slug or a category); gentle categories join only with beginner poses
// (cat-cow and a simple twist warm up; a deep backbend does not); except
// are poses that do not belong (standing folds in a cool-down).
type phase struct {
	name       string
	categories []string
	openWith   []string
	gentle     []string
	except     []string
}

var (
	centring = phase{name: "centring",
		categories: []string{"seated", "supine", "backbend", "prone", "twist", "restorative"},
		openWith:   []string{"seated", "supine"},
		gentle:     []string{"backbend", "twist"}}
	standingPhase = phase{name: "standing and balancing poses", categories: []string{"standing", "balancing"},
		openWith: []string{"mountain-pose"}}
	coolDown = phase{name: "a cool-down", categories: []string{"forward_bend", "hip_opener", "twist", "supine"},
		except: onFeet}
	// onFeet are the folds, twists and hip openers practised standing.
	onFeet = []string{"standing-forward-fold", "wide-legged-forward-fold", "pyramid-pose", "half-standing-forward-fold",
		"big-toe-pose", "hand-under-foot-pose", "revolved-chair", "revolved-triangle", "revolved-side-angle", "side-lunge"}
)

// shares are the parts of the time before the final rest that the phases
// take: centring, standing, peak and cool-down.
type shares [4]float64

var (
	balancedArc = shares{0.15, 0.35, 0.25, 0.25}
	floorArc    = shares{0.15, 0.30, 0.30, 0.25} // hips, back, flexibility: more time on the floor
	quietArc    = shares{0.30, 0, 0.40, 0.30}    // relaxation, sleep: no standing
)

// focusRule is what a focus asks of the practice.
type focusRule struct {
	adjective string   // names the practice: "a 30-minute hip-opening practice"
	peak      []string // the peak's categories, in the order practised
	arc       shares
	style     string   // when none is asked
	except    []string // poses that do not belong in the peak
}

var focusRules = map[string]focusRule{
	"flexibility": {"flexibility", []string{"forward_bend", "hip_opener", "twist"}, floorArc, "hatha", nil},
	"strength":    {"strength", []string{"standing", "core", "arm_balance"}, balancedArc, "hatha", nil},
	"balance":     {"balance", []string{"balancing", "arm_balance"}, balancedArc, "hatha", nil},
	"relaxation":  {"relaxing", []string{"restorative", "supine", "forward_bend"}, quietArc, "gentle", onFeet},
	"core":        {"core", []string{"core", "arm_balance"}, balancedArc, "hatha", nil},
	"hips":        {"hip-opening", []string{"hip_opener"}, floorArc, "hatha", nil},
	"back":        {"back", []string{"backbend", "twist"}, floorArc, "hatha", nil},
	"energy":      {"energising", []string{"standing", "backbend", "inversion"}, balancedArc, "vinyasa", nil},
	"sleep":       {"bedtime", []string{"forward_bend", "supine", "restorative"}, quietArc, "restorative", onFeet},
	"full_body":   {"full-body", []string{"backbend", "core", "balancing", "inversion", "arm_balance"}, balancedArc, "hatha", nil},
}

// styleRule is how long a style holds a pose: its default hold times
// factor, within [minHoldSeconds, maxHold] a side, and how much of the
// standing phase it keeps (yin and restorative stay on the floor).
type styleRule struct {
	factor   float64
	maxHold  int
	standing float64
}

var styleRules = map[string]styleRule{
	"hatha":       {1.0, 120, 1},
	"vinyasa":     {0.6, 60, 1},
	"power":       {0.7, 60, 1},
	"ashtanga":    {0.8, 75, 1},
	"gentle":      {1.2, 150, 0.7},
	"yin":         {3.0, 300, 0.2},
	"restorative": {2.5, 300, 0.2},
}

// counterRule is what follows a run of poses of one category, to bring
// the spine and the blood back to neutral: the first of slugs that suits,
// else a pose of categories.
type counterRule struct {
	slugs      []string
	categories []string
	cue        string
}

var counterposes = map[string]counterRule{
	"backbend": {
		slugs:      []string{"childs-pose", "knees-to-chest", "supine-spinal-twist", "easy-seated-twist", "seated-forward-bend", "staff-pose"},
		categories: []string{"forward_bend", "twist"},
		cue:        "After the backbend, let the spine rest in the other direction.",
	},
	"inversion": {
		slugs:      []string{"childs-pose", "supported-childs-pose", "crocodile-pose", "knees-to-chest", "seated-forward-bend", "staff-pose"},
		categories: []string{"restorative", "forward_bend", "supine"},
		cue:        "After the inversion, rest the head level and let the breath settle.",
	},
}

func (r counterRule) counters(p Pose) bool {
	return slices.Contains(r.slugs, p.Slug) || slices.Contains(r.categories, p.Category)
}

// The final rest: the first of finalSlugs that suits, else a pose of the
// first of finalCategories that has one.
var (
	finalSlugs      = []string{"corpse-pose"}
	finalCategories = []string{"restorative", "supine"}
	finalCue        = "Let the body be heavy and the breath come as it will."
)

const (
	MinGenerateMinutes = 5
	MaxGenerateMinutes = 90
	// MaxSeed keeps a seed exact in a JSON number (a JavaScript client's
	// integer).
	MaxSeed        = 1<<53 - 1
	minHoldSeconds = 10
	// maxHoldSeconds bounds a hold that a long practice or a phase with few
	// poses stretches; the final rest too.
	maxHoldSeconds = 600
	// generatedSteps leaves room under maxSteps for the counterposes.
	generatedSteps = 80
	// maxRounds is how often a phase repeats its series at most.
	maxRounds = 2
	// A phase is left out rather than given less than half a minute.
	minPhaseSeconds = 30
	// peakPerCategory is how many poses of a category a peak works with: a
	// few done well, not every arm balance in the book.
	peakPerCategory = 3
)

// GenerateInput is the practice asked for. FocusArea and Style may be
// empty (full_body, and the focus's style); Seed nil draws one.
type GenerateInput struct {
	Minutes    int
	Difficulty string
	FocusArea  string
	Style      string
	Avoid      []string
	Seed       *int64
}

// Generated is a sequence made by Generate, not stored, and the seed that
// makes it again from the same library.
type Generated struct {
	Sequence Sequence
	Seed     int64
}

// errNoRestingPose: what the input leaves of the library has no pose to
// end a practice with.
var errNoRestingPose = validation.New("avoid", "leaves no resting pose in the library to end the practice with")

// Generate makes a practice from pool, the library's poses: centring,
// standing and balancing, a peak for the focus, a cool-down and a final
// rest. No pose is above in.Difficulty or carries a tag of in.Avoid; each
// backbend and inversion is followed by a counterpose; two-sided poses are
// held on both sides; the total is in.Minutes exactly. The same input and
// seed over the same pool give the same sequence.
func Generate(pool []Pose, in GenerateInput) (Generated, error) {
	if err := checkGenerateInput(&in); err != nil {
		return Generated{}, err
	}
	seed := rand.Int64N(MaxSeed + 1) // #nosec G404 -- picks a practice, not a secret
	if in.Seed != nil {
		seed = *in.Seed
	}
	pcgSeed := uint64(seed) // #nosec G115 -- the seed is checked to be from 0 to MaxSeed
	g := generator{style: styleRules[in.Style], pool: suitable(pool, in.Difficulty, in.Avoid)}
	final, ok := g.finalRest()
	if !ok {
		return Generated{}, errNoRestingPose
	}
	total := in.Minutes * 60
	finalSeconds := min(max(round5(float64(total)/10), 60), maxHoldSeconds)
	budget := total - finalSeconds

	focus := focusRules[in.FocusArea]
	phases := []phase{centring, standingPhase, {name: "a peak " + peakPhrase(in.FocusArea), categories: focus.peak, except: focus.except}, coolDown}
	arc := focus.arc
	arc[1] *= g.style.standing
	candidates := make([][]Pose, len(phases))
	var sum float64
	for i, ph := range phases {
		candidates[i] = g.candidates(ph, final.Slug)
		if len(candidates[i]) == 0 || arc[i]*float64(budget) < minPhaseSeconds {
			arc[i] = 0
		}
		sum += arc[i]
	}
	// Too many steps for a sequence: hold every pose longer and draw again.
	var steps []Step
	for scale := g.holdScale(budget); ; scale *= float64(len(steps)) / generatedSteps {
		g.rng = rand.New(rand.NewPCG(pcgSeed, 0x9e3779b97f4a7c15)) // #nosec G404 -- a seeded, repeatable practice, not a secret
		g.scale, g.used, steps = scale, map[string]bool{final.Slug: true}, nil
		for i, ph := range phases {
			if arc[i] > 0 {
				steps = g.fill(steps, ph, candidates[i], i == 2, arc[i]/sum*float64(budget))
			}
		}
		if steps = g.counter(steps); len(steps) < maxSteps {
			break
		}
	}
	// What the phases could not fill goes to the final rest first.
	finalSeconds = min(max(total-held(steps), finalSeconds), max(finalSeconds, maxHoldSeconds))
	finalSeconds = total - g.fit(steps, total-finalSeconds)
	steps = append(steps, Step{Pose: poseRef(final), DurationSeconds: finalSeconds, Side: "both", Cue: &finalCue})

	seq := Sequence{Name: fmt.Sprintf("%d-minute %s practice", in.Minutes, focus.adjective),
		Difficulty: in.Difficulty, Style: in.Style, FocusArea: in.FocusArea, Steps: steps,
		Description: describe(in, phases, arc)}
	tags := map[string]bool{}
	for i := range seq.Steps {
		seq.Steps[i].Position = i + 1
	}
	seq.TotalDurationSeconds = held(seq.Steps)
	for _, p := range g.pool {
		if g.used[p.Slug] {
			for _, t := range p.Contraindications {
				tags[t] = true
			}
		}
	}
	seq.Contraindications = slices.Sorted(maps.Keys(tags))
	return Generated{Sequence: seq, Seed: seed}, nil
}

func checkGenerateInput(in *GenerateInput) error {
	if in.FocusArea == "" {
		in.FocusArea = "full_body"
	}
	focus, ok := focusRules[in.FocusArea]
	switch {
	case in.Minutes < MinGenerateMinutes || in.Minutes > MaxGenerateMinutes:
		return validation.New("minutes", fmt.Sprintf("must be from %d to %d", MinGenerateMinutes, MaxGenerateMinutes))
	case !slices.Contains(Difficulties, in.Difficulty):
		return validation.New("difficulty", "must be one of "+strings.Join(Difficulties, ", "))
	case !ok:
		return validation.New("focus_area", "must be one of "+strings.Join(FocusAreas, ", "))
	case in.Seed != nil && (*in.Seed < 0 || *in.Seed > MaxSeed):
		return validation.New("seed", fmt.Sprintf("must be from 0 to %d", int64(MaxSeed)))
	}
	if in.Style == "" {
		in.Style = focus.style
	}
	if _, ok := styleRules[in.Style]; !ok {
		return validation.New("style", "must be one of "+strings.Join(Styles, ", "))
	}
	return checkTags("avoid", in.Avoid)
}

// suitable is the pool's poses at or below difficulty that carry no tag
// of avoid, by slug so that a seed means one thing.
func suitable(pool []Pose, difficulty string, avoid []string) []Pose {
	rank := slices.Index(Difficulties, difficulty)
	var out []Pose
	for _, p := range pool {
		if r := slices.Index(Difficulties, p.Difficulty); r >= 0 && r <= rank && !slices.ContainsFunc(p.Contraindications, func(t string) bool { return slices.Contains(avoid, t) }) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b Pose) int { return strings.Compare(a.Slug, b.Slug) })
	// A backbend or an inversion stays only if something can follow it.
	return slices.DeleteFunc(out, func(p Pose) bool {
		rule, ok := counterposes[p.Category]
		return ok && !slices.ContainsFunc(out, rule.counters)
	})
}

type generator struct {
	rng   *rand.Rand
	pool  []Pose
	style styleRule
	scale float64         // raises holds where the steps would be too many
	used  map[string]bool // slugs already placed
}

func (g *generator) finalRest() (Pose, bool) {
	for _, slug := range finalSlugs {
		if p, ok := g.bySlug(slug); ok {
			return p, true
		}
	}
	for _, c := range finalCategories {
		if i := slices.IndexFunc(g.pool, func(p Pose) bool { return p.Category == c }); i >= 0 {
			return g.pool[i], true
		}
	}
	return Pose{}, false
}

// hold is a pose's hold a side before fitting, and held its time on every
// side.
func (g *generator) hold(p Pose) (perSide, held int) {
	styled := min(max(float64(p.DefaultHoldSeconds)*g.style.factor, minHoldSeconds), float64(max(g.style.maxHold, minHoldSeconds)))
	perSide = min(round5(styled*g.scale), maxHoldSeconds)
	return perSide, perSide * sidesOf(p)
}

// holdScale is how much longer than the style's holds a practice of
// budget seconds holds its poses, so that it fits in about
// generatedSteps.
func (g *generator) holdScale(budget int) float64 {
	g.scale = 1
	var sum int
	for _, p := range g.pool {
		_, held := g.hold(p)
		sum += held
	}
	if len(g.pool) == 0 {
		return 1
	}
	mean := float64(sum) / float64(len(g.pool))
	return max(1, float64(budget)/(mean*generatedSteps))
}

func (g *generator) candidates(ph phase, final string) []Pose {
	var out []Pose
	for _, p := range g.pool {
		if p.Slug != final && slices.Contains(ph.categories, p.Category) && !slices.Contains(ph.except, p.Slug) &&
			(!slices.Contains(ph.gentle, p.Category) || p.Difficulty == Difficulties[0]) {
			out = append(out, p)
		}
	}
	return out
}

// fill appends to steps poses from candidates until their holds come
// nearest to seconds, in rounds: each round holds every candidate at most
// once, in the phase's order of categories, the way a teacher repeats a
// series, and holds are longer where more than two rounds would be needed.
// A pose is never held straight after itself. The peak leans to the
// hardest poses allowed.
func (g *generator) fill(steps []Step, ph phase, candidates []Pose, peak bool, seconds float64) []Step {
	if peak {
		candidates = g.peakPoses(ph, candidates)
	}
	base := g.scale
	defer func() { g.scale = base }()
	var round float64
	for _, p := range candidates {
		_, held := g.hold(p)
		round += float64(held)
	}
	rounds := float64(maxRounds)
	if len(candidates) == 1 {
		rounds = 1
	}
	g.scale *= max(1, seconds/(rounds*round))

	placed := len(steps)
	var sum float64
	for full := false; !full && (len(steps) == placed || sum < seconds); {
		var next []Step
		order := g.order(candidates, peak)
		if len(steps) == placed {
			toFront(order, ph.opens)
		}
		for _, p := range order {
			perSide, held := g.hold(p)
			if len(steps)+len(next) > placed && sum+float64(held)/2 > seconds {
				full = true // it would overshoot by more than it fills
				break
			}
			g.used[p.Slug] = true
			next = append(next, Step{Pose: poseRef(p), DurationSeconds: perSide, Side: "both"})
			sum += float64(held)
		}
		// In the order of categories, and a peak builds to its hardest pose.
		slices.SortStableFunc(next, func(a, b Step) int {
			pa, pb := g.pose(a), g.pose(b)
			if c := cmp.Compare(slices.Index(ph.categories, pa.Category), slices.Index(ph.categories, pb.Category)); c != 0 || !peak {
				return c
			}
			return cmp.Compare(slices.Index(Difficulties, pa.Difficulty), slices.Index(Difficulties, pb.Difficulty))
		})
		if len(steps) == placed {
			toFront(next, func(st Step) bool { return ph.opens(g.pose(st)) })
		}
		if len(steps) > 0 && len(next) > 0 && next[0].Pose.Slug == steps[len(steps)-1].Pose.Slug {
			if len(next) == 1 {
				break // one pose to repeat: fit holds it longer instead
			}
			next[0], next[1] = next[1], next[0]
		}
		steps = append(steps, next...)
	}
	return steps
}

// peakPoses draws the peak's poses: of each category, peakPerCategory of
// the hardest allowed.
func (g *generator) peakPoses(ph phase, candidates []Pose) []Pose {
	var out []Pose
	for _, c := range ph.categories {
		var of []Pose
		for _, p := range candidates {
			if p.Category == c {
				of = append(of, p)
			}
		}
		ordered := g.order(of, true)
		out = append(out, ordered[:min(len(ordered), peakPerCategory)]...)
	}
	return out
}

// opens says whether p may open the phase.
func (ph phase) opens(p Pose) bool {
	return slices.Contains(ph.openWith, p.Slug) || slices.Contains(ph.openWith, p.Category)
}

// toFront moves the first element of s that matches to the front.
func toFront[T any](s []T, match func(T) bool) {
	if i := slices.IndexFunc(s, match); i > 0 {
		first := s[i]
		copy(s[1:i+1], s[:i])
		s[0] = first
	}
}

// order shuffles candidates, those not yet placed first; for a peak, the
// hardest first within each.
func (g *generator) order(candidates []Pose, peak bool) []Pose {
	out := slices.Clone(candidates)
	g.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	slices.SortStableFunc(out, func(a, b Pose) int {
		if c := cmp.Compare(b2i(g.used[a.Slug]), b2i(g.used[b.Slug])); c != 0 || !peak {
			return c
		}
		return cmp.Compare(slices.Index(Difficulties, b.Difficulty), slices.Index(Difficulties, a.Difficulty))
	})
	return out
}

// counter places a counterpose after every run of backbends and of
// inversions that is not already followed by one.
func (g *generator) counter(steps []Step) []Step {
	var out []Step
	for i, st := range steps {
		out = append(out, st)
		cat := g.category(st)
		rule, ok := counterposes[cat]
		if !ok || i+1 < len(steps) && (g.category(steps[i+1]) == cat || rule.counters(g.pose(steps[i+1]))) {
			continue
		}
		p, ok := g.counterpose(rule)
		if !ok {
			continue // suitable left no pose of cat without a counterpose
		}
		g.used[p.Slug] = true
		perSide, _ := g.hold(p)
		out = append(out, Step{Pose: poseRef(p), DurationSeconds: perSide, Side: "both", Cue: &rule.cue})
	}
	return out
}

func (g *generator) counterpose(rule counterRule) (Pose, bool) {
	for _, slug := range rule.slugs {
		if p, ok := g.bySlug(slug); ok {
			return p, true
		}
	}
	// A counterpose neutralises: a beginner's pose where there is one.
	var choices, simple []Pose
	for _, p := range g.pool {
		if slices.Contains(rule.categories, p.Category) {
			choices = append(choices, p)
			if p.Difficulty == Difficulties[0] {
				simple = append(simple, p)
			}
		}
	}
	if len(simple) > 0 {
		choices = simple
	}
	if len(choices) == 0 {
		return Pose{}, false
	}
	return g.order(choices, false)[0], true
}

// fit scales the holds of steps so that they take budget seconds, in
// steps of five seconds a side, and returns the seconds they take: within
// five of budget unless the holds' bounds stop it.
func (g *generator) fit(steps []Step, budget int) int {
	sum := held(steps)
	if sum == 0 {
		return 0
	}
	k := float64(budget) / float64(sum)
	sum = 0
	for i := range steps {
		steps[i].DurationSeconds = min(max(round5(float64(steps[i].DurationSeconds)*k), minHoldSeconds), 3600)
		sum += steps[i].DurationSeconds * sidesOfStep(steps[i])
	}
	// Rounding leaves a few seconds over or under: take them from, or give
	// them to, the steps in a random order, five seconds a side at a time.
	for changed := true; changed && abs(budget-sum) >= 5; {
		changed = false
		for _, i := range g.rng.Perm(len(steps)) {
			n := sidesOfStep(steps[i])
			d := 5
			if budget < sum {
				d = -5
			}
			if abs(budget-sum) < 5*n || steps[i].DurationSeconds+d < minHoldSeconds || steps[i].DurationSeconds+d > 3600 {
				continue
			}
			steps[i].DurationSeconds += d
			sum += d * n
			changed = true
		}
	}
	return sum
}

// bySlug finds a pose of the pool, which suitable sorted by slug.
func (g *generator) bySlug(slug string) (Pose, bool) {
	i, ok := slices.BinarySearchFunc(g.pool, slug, func(p Pose, slug string) int { return strings.Compare(p.Slug, slug) })
	if !ok {
		return Pose{}, false
	}
	return g.pool[i], true
}

// pose is the pool's pose of a step the generator placed.
func (g *generator) pose(st Step) Pose {
	p, _ := g.bySlug(st.Pose.Slug)
	return p
}

func (g *generator) category(st Step) string { return g.pose(st).Category }

func describe(in GenerateInput, phases []phase, arc shares) string {
	var parts []string
	for i, ph := range phases {
		if arc[i] > 0 {
			parts = append(parts, ph.name)
		}
	}
	parts = append(parts, "a final rest")
	last := len(parts) - 1
	s := fmt.Sprintf("Made for you: %d minutes of %s %s, with %s and %s.", in.Minutes, in.Difficulty, in.Style,
		strings.Join(parts[:last], ", "), parts[last])
	if avoid := sortedUnique(in.Avoid); len(avoid) > 0 {
		names := make([]string, len(avoid))
		for i, t := range avoid {
			names[i] = strings.ReplaceAll(t, "_", " ")
		}
		s += " It leaves out every pose not advised with " + strings.Join(names, ", ") + "."
	}
	if arc[2] == 0 { // every focus has a peak; none of its poses suits
		s += " No pose of a peak " + peakPhrase(in.FocusArea) + " suits this level and what it avoids, so its time goes to the rest."
	}
	return s
}

func peakPhrase(focus string) string {
	switch focus {
	case "hips", "back", "core":
		return "for the " + focus
	case "full_body":
		return "for the whole body"
	case "relaxation":
		return "to relax"
	case "sleep":
		return "to wind down"
	}
	return "for " + focus
}

func poseRef(p Pose) PoseRef {
	return PoseRef{ID: p.ID, Slug: p.Slug, EnglishName: p.EnglishName, SanskritName: p.SanskritName, ImageURL: p.ImageURL, TwoSided: p.TwoSided}
}

func sidesOf(p Pose) int {
	if p.TwoSided {
		return 2
	}
	return 1
}

func sidesOfStep(st Step) int { return max(len(st.Sides()), 1) }

// held is the seconds steps take, every side counted.
func held(steps []Step) int {
	sum := 0
	for _, st := range steps {
		sum += st.DurationSeconds * sidesOfStep(st)
	}
	return sum
}

func round5(x float64) int { return int(math.Round(x/5)) * 5 }

func abs(x int) int { return max(x, -x) }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
