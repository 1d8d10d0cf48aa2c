// Package seeddata holds YogaFlow's built-in pose library and preset
// sequences. The data lives in poses.json and sequences.json, embedded in the
// binary; `yogaflow serve` loads it into an empty database and `yogaflow seed`
// (re)loads it.
//
// The enum slices below are the values fixed by the API contract
// (API.md, "Pose library" and "Sequences"); the package test checks every
// datum against them.
package seeddata

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/yogaflow/yogaflow/internal/library/figure"
)

//go:embed poses.json sequences.json figures.json
var files embed.FS

// Valid enum values, in the order API.md lists them. Treat them as read-only.
var (
	Categories = []string{"standing", "seated", "balancing", "backbend", "forward_bend", "twist",
		"inversion", "hip_opener", "arm_balance", "core", "supine", "prone", "restorative"}
	Difficulties      = []string{"beginner", "intermediate", "advanced"}
	Contraindications = []string{"pregnancy", "knee_injury", "hip_injury", "back_injury", "neck_injury",
		"shoulder_injury", "wrist_injury", "high_blood_pressure", "low_blood_pressure", "glaucoma",
		"heart_condition", "vertigo"}
	Styles     = []string{"hatha", "vinyasa", "yin", "restorative", "power", "ashtanga", "gentle"}
	FocusAreas = []string{"flexibility", "strength", "balance", "relaxation", "core", "hips", "back",
		"energy", "sleep", "full_body"}
	Sides = []string{"left", "right", "both"}
)

// Pose is one entry of the built-in pose library.
type Pose struct {
	Slug               string   `json:"slug"`
	EnglishName        string   `json:"english_name"`
	SanskritName       string   `json:"sanskrit_name"`  // IAST, with diacritics
	SanskritASCII      string   `json:"sanskrit_ascii"` // SanskritName without diacritics, for search
	Category           string   `json:"category"`
	Difficulty         string   `json:"difficulty"`
	TwoSided           bool     `json:"two_sided"` // held on each side in turn
	DefaultHoldSeconds int      `json:"default_hold_seconds"`
	Description        string   `json:"description"`
	Instructions       []string `json:"instructions"`
	Benefits           []string `json:"benefits"`
	Contraindications  []string `json:"contraindications"`
}

// Step is one position in a preset sequence.
type Step struct {
	Pose            string `json:"pose"`             // a Pose slug
	DurationSeconds int    `json:"duration_seconds"` // per side
	Side            string `json:"side"`             // left, right or both
	Cue             string `json:"cue,omitempty"`    // optional teacher's cue
}

// Sequence is a preset sequence. Its total duration counts a "both" step on a
// two-sided pose twice.
type Sequence struct {
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Difficulty  string `json:"difficulty"`
	Style       string `json:"style"`
	FocusArea   string `json:"focus_area"`
	Steps       []Step `json:"steps"`
}

// Figure is the picture of a built-in pose: the joint angles of the
// figure model (package figure) that draw it.
type Figure struct {
	Slug string `json:"slug"` // a Pose slug
	figure.Angles
}

// Figures decodes the embedded figures, one for each built-in pose.
func Figures() ([]Figure, error) {
	var figures []Figure
	if err := decodeFile("figures.json", &figures); err != nil {
		return nil, err
	}
	return figures, nil
}

// Poses decodes the embedded pose library. Each call returns a fresh slice.
func Poses() ([]Pose, error) {
	var poses []Pose
	if err := decodeFile("poses.json", &poses); err != nil {
		return nil, err
	}
	return poses, nil
}

// Sequences decodes the embedded preset sequences. Each call returns a fresh
// slice.
func Sequences() ([]Sequence, error) {
	var seqs []Sequence
	if err := decodeFile("sequences.json", &seqs); err != nil {
		return nil, err
	}
	return seqs, nil
}

func decodeFile(name string, v any) error {
	data, err := files.ReadFile(name)
	if err == nil {
		err = decodeStrict(data, v)
	}
	if err != nil {
		return fmt.Errorf("seeddata: %s: %w", name, err)
	}
	return nil
}

// decodeStrict decodes exactly one JSON value, rejecting unknown fields and
// trailing data.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("unexpected data after the top-level value")
	}
	return nil
}
