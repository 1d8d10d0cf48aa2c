// Package figure draws a yoga pose as a stick figure from a few joint
// angles: one skeleton, one style, so that a new pose is one row of data.
// The figure is seen from the side, facing right; a two-sided pose is
// drawn on its right side (the near, darker limbs are the right ones) and
// clients mirror the picture for the left.
package figure

import (
	"bytes"
	"fmt"
	"html"
	"math"
)

// Segment lengths of the skeleton, in the units of the 200 × 200 picture.
const (
	Torso    = 44.0 // hip to shoulder
	Neck     = 6.0
	HeadR    = 8.5 // the head's radius
	UpperArm = 24.0
	Forearm  = 22.0
	Thigh    = 34.0
	Shin     = 32.0
	Foot     = 10.0

	Size   = 200.0 // the picture is Size × Size
	Floor  = 186.0 // the floor line's height from the top
	Margin = 4.0   // nothing is drawn closer than this to an edge
	Stroke = 7.0
)

// Angles place the skeleton: each is the direction of a segment in
// degrees, counter-clockwise from pointing right (the way the figure
// faces): 90 is up, -90 down, 180 back. Index 0 of Arms and Legs is the
// near side (the right side of the body), 1 the far side.
type Angles struct {
	Torso float64       `json:"torso"` // hip → shoulder
	Head  float64       `json:"head"`  // shoulder → head
	Arms  [2][2]float64 `json:"arms"`  // upper arm, forearm
	Legs  [2][3]float64 `json:"legs"`  // thigh, shin, foot
}

// Point is a position in the picture, y down as in SVG.
type Point struct{ X, Y float64 }

// Limb is a chain of joints: shoulder, elbow, wrist; or hip, knee, ankle,
// toe.
type Limb []Point

// Figure is a skeleton placed in the picture: standing on the floor line
// at its lowest point, centred from side to side.
type Figure struct {
	Hip, Shoulder, Head Point // Head is the head's centre
	Arms, Legs          [2]Limb
}

func step(from Point, degrees, length float64) Point {
	r := degrees * math.Pi / 180
	return Point{from.X + length*math.Cos(r), from.Y - length*math.Sin(r)}
}

func chain(from Point, angles []float64, lengths []float64) Limb {
	l := Limb{from}
	for i, a := range angles {
		from = step(from, a, lengths[i])
		l = append(l, from)
	}
	return l
}

// Place builds the skeleton from its angles and sets it on the floor.
func Place(a Angles) Figure {
	var f Figure
	f.Shoulder = step(f.Hip, a.Torso, Torso)
	f.Head = step(f.Shoulder, a.Head, Neck+HeadR)
	for i := range 2 {
		f.Arms[i] = chain(f.Shoulder, a.Arms[i][:], []float64{UpperArm, Forearm})
		f.Legs[i] = chain(f.Hip, a.Legs[i][:], []float64{Thigh, Shin, Foot})
	}
	minX, maxX, _, maxY := f.Bounds()
	f.move(Point{(Size - minX - maxX) / 2, Floor - maxY})
	f.round()
	return f
}

// Points are every joint of the figure, the head's centre last.
func (f *Figure) Points() []*Point {
	ps := []*Point{&f.Hip, &f.Shoulder}
	for _, l := range append(f.Arms[:], f.Legs[:]...) {
		for i := range l {
			ps = append(ps, &l[i])
		}
	}
	return append(ps, &f.Head)
}

// Bounds is the box the figure's lines and head cover, strokes included.
func (f *Figure) Bounds() (minX, maxX, minY, maxY float64) {
	minX, minY = math.Inf(1), math.Inf(1)
	maxX, maxY = math.Inf(-1), math.Inf(-1)
	ps := f.Points()
	for i, p := range ps {
		r := Stroke / 2
		if i == len(ps)-1 {
			r = HeadR
		}
		minX, maxX = min(minX, p.X-r), max(maxX, p.X+r)
		minY, maxY = min(minY, p.Y-r), max(maxY, p.Y+r)
	}
	return minX, maxX, minY, maxY
}

func (f *Figure) move(by Point) {
	for _, p := range f.Points() {
		p.X, p.Y = p.X+by.X, p.Y+by.Y
	}
}

// round keeps one decimal, as the SVG writes it, so that what tests
// measure is what is drawn.
func (f *Figure) round() {
	for _, p := range f.Points() {
		p.X, p.Y = math.Round(p.X*10)/10, math.Round(p.Y*10)/10
	}
}

// The two inks: the near limbs (the body's right side) darker than the far.
const (
	nearInk  = "#2f6b4f"
	farInk   = "#9db8a9"
	floorInk = "#d5dcd7"
)

func polyline(b *bytes.Buffer, ink string, l Limb) {
	fmt.Fprintf(b, `<polyline stroke="%s" points="`, ink)
	for i, p := range l {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(b, "%g,%g", p.X, p.Y)
	}
	b.WriteString(`"/>`)
}

// SVG draws the figure with its title (the pose's name) as its text
// alternative. It holds no script, no style sheet (presentation attributes
// only, so a strict Content-Security-Policy does not undo its look) and
// loads nothing.
func SVG(f Figure, title string) []byte {
	var b bytes.Buffer
	t := html.EscapeString(title)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="%s">`, Size, Size, Size, Size, t)
	fmt.Fprintf(&b, `<title>%s</title>`, t)
	fmt.Fprintf(&b, `<line stroke="%s" stroke-width="2" x1="%g" y1="%g" x2="%g" y2="%g"/>`, floorInk, Margin, Floor, Size-Margin, Floor)
	fmt.Fprintf(&b, `<g fill="none" stroke-width="%g" stroke-linecap="round" stroke-linejoin="round">`, Stroke)
	polyline(&b, farInk, f.Legs[1])
	polyline(&b, farInk, f.Arms[1])
	polyline(&b, nearInk, Limb{f.Hip, f.Shoulder, step(f.Shoulder, angle(f.Shoulder, f.Head), Neck)})
	polyline(&b, nearInk, f.Legs[0])
	polyline(&b, nearInk, f.Arms[0])
	b.WriteString(`</g>`)
	fmt.Fprintf(&b, `<circle fill="%s" cx="%g" cy="%g" r="%g"/>`, nearInk, f.Head.X, f.Head.Y, HeadR)
	b.WriteString(`</svg>`)
	return b.Bytes()
}

// angle is the direction from a to b, in the degrees of Angles.
func angle(a, b Point) float64 {
	return math.Atan2(a.Y-b.Y, b.X-a.X) * 180 / math.Pi
}
