package figure_test

import (
	"bytes"
	"fmt"
	"math"
	"testing"

	"github.com/yogaflow/yogaflow/internal/library/figure"
	"github.com/yogaflow/yogaflow/internal/seeddata"
)

func dist(a, b figure.Point) float64 { return math.Hypot(a.X-b.X, a.Y-b.Y) }

// checkFigure fails for a figure outside its picture, below the floor, or
// with a limb of another length than the model's.
func checkFigure(t *testing.T, name string, f figure.Figure) {
	t.Helper()
	minX, maxX, minY, maxY := f.Bounds()
	if minX < figure.Margin || minY < figure.Margin || maxX > figure.Size-figure.Margin {
		t.Errorf("%s: drawn over x %.1f..%.1f, y from %.1f: outside the %g-unit picture", name, minX, maxX, minY, figure.Size)
	}
	if maxY > figure.Floor+0.2 {
		t.Errorf("%s: reaches %.1f, below the floor at %g", name, maxY, figure.Floor)
	}
	const tolerance = 0.15 // each point is rounded to 0.1
	check := func(what string, a, b figure.Point, want float64) {
		if d := dist(a, b); math.Abs(d-want) > tolerance {
			t.Errorf("%s: %s is %.2f long, want %g", name, what, d, want)
		}
	}
	check("the torso", f.Hip, f.Shoulder, figure.Torso)
	check("the neck and head", f.Shoulder, f.Head, figure.Neck+figure.HeadR)
	for i, side := range []string{"near", "far"} {
		check(side+" upper arm", f.Arms[i][0], f.Arms[i][1], figure.UpperArm)
		check(side+" forearm", f.Arms[i][1], f.Arms[i][2], figure.Forearm)
		check(side+" thigh", f.Legs[i][0], f.Legs[i][1], figure.Thigh)
		check(side+" shin", f.Legs[i][1], f.Legs[i][2], figure.Shin)
		check(side+" foot", f.Legs[i][2], f.Legs[i][3], figure.Foot)
		if f.Arms[i][0] != f.Shoulder || f.Legs[i][0] != f.Hip {
			t.Errorf("%s: the %s limbs are not joined to the body", name, side)
		}
	}
}

// TestEveryBuiltInPoseHasItsOwnFigure: one figure per built-in pose, each
// inside its picture, on the floor, with the model's limbs, and no two
// drawn alike.
func TestEveryBuiltInPoseHasItsOwnFigure(t *testing.T) {
	poses, err := seeddata.Poses()
	if err != nil {
		t.Fatal(err)
	}
	figs, err := seeddata.Figures()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, p := range poses {
		names[p.Slug] = p.EnglishName
	}
	drawn := map[string]string{}
	for _, g := range figs {
		if _, ok := names[g.Slug]; !ok {
			t.Errorf("a figure for %q, which is not a built-in pose", g.Slug)
			continue
		}
		if _, twice := drawn[g.Slug]; twice {
			t.Errorf("two figures for %s", g.Slug)
		}
		f := figure.Place(g.Angles)
		checkFigure(t, g.Slug, f)
		geometry := fmt.Sprint(f)
		for slug, other := range drawn {
			if other == geometry {
				t.Errorf("%s and %s are drawn the same", g.Slug, slug)
			}
		}
		drawn[g.Slug] = geometry
		_, _, _, maxY := f.Bounds()
		if math.Abs(maxY-figure.Floor) > 0.2 {
			t.Errorf("%s: its lowest point is at %.1f, not on the floor at %g", g.Slug, maxY, figure.Floor)
		}
	}
	for slug := range names {
		if _, ok := drawn[slug]; !ok {
			t.Errorf("no figure for %s", slug)
		}
	}
}

// The checks fail where they should: a figure too big for its picture and
// a limb of the wrong length.
func TestCheckFigureCatchesWhatIsWrong(t *testing.T) {
	off := figure.Place(figure.Angles{Torso: 180, Head: 180, Arms: [2][2]float64{{180, 180}, {180, 180}}, Legs: [2][3]float64{{0, 0, 0}, {0, 0, 0}}})
	for _, p := range off.Points() {
		p.X += 30
	}
	stretched := figure.Place(figure.Angles{Torso: 90, Head: 90, Legs: [2][3]float64{{-90, -90, 0}, {-90, -90, 0}}})
	stretched.Arms[0][2].Y += 5
	for name, f := range map[string]figure.Figure{"off-centre": off, "stretched": stretched} {
		inner := &testing.T{}
		done := make(chan struct{})
		go func() { defer close(done); checkFigure(inner, name, f) }()
		<-done
		if !inner.Failed() {
			t.Errorf("the %s figure passes the checks", name)
		}
	}
}

func TestSVGIsSafeAndTitled(t *testing.T) {
	svg := figure.SVG(figure.Place(figure.Angles{Torso: 90, Head: 90}), `Tree <Pose> & "friends"`)
	for _, want := range []string{`<title>Tree &lt;Pose&gt; &amp; &#34;friends&#34;</title>`, `viewBox="0 0 200 200"`, `role="img"`} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("the SVG lacks %s:\n%s", want, svg)
		}
	}
	for _, bad := range []string{"<script", "<style", "href", "<Pose>"} {
		if bytes.Contains(svg, []byte(bad)) {
			t.Errorf("the SVG holds %s:\n%s", bad, svg)
		}
	}
}
