// Package library is the content people practise with: the pose library and
// sequences of poses, preset (curated by editors) or a user's own.
package library

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/yogaflow/yogaflow/internal/account"
	"github.com/yogaflow/yogaflow/internal/seeddata"
)

// Errors returned by the Service; their text is written for people.
var (
	ErrNotFound  = errors.New("not found")
	ErrSlugTaken = errors.New("that slug is already used")
	ErrPoseInUse = errors.New("a sequence uses this pose; remove it from every sequence first")
	// ErrSignInRequired: only a signed-in caller has sequences of their own.
	ErrSignInRequired = errors.New("sign in to list your own sequences")
)

// The enumerations of API.md, defined once with the built-in data that
// must use them.
var (
	Categories        = seeddata.Categories
	Difficulties      = seeddata.Difficulties
	Contraindications = seeddata.Contraindications
	Styles            = seeddata.Styles
	FocusAreas        = seeddata.FocusAreas
	Sides             = seeddata.Sides
)

// Pose is one pose of the library.
type Pose struct {
	ID                 string
	Slug               string
	EnglishName        string
	SanskritName       string
	Category           string
	Difficulty         string
	Description        string
	Instructions       []string
	Benefits           []string
	Contraindications  []string
	TwoSided           bool
	DefaultHoldSeconds int
	ImageURL           *string
	CreatedAt          time.Time
	UpdatedAt          time.Time
	// SeedHash is the hash of the built-in content the pose was last loaded
	// from, and "" once an editor has changed it: seeding then leaves it be.
	SeedHash string
}

// PoseRef is a pose as a sequence step shows it.
type PoseRef struct {
	ID           string
	Slug         string
	EnglishName  string
	SanskritName string
	ImageURL     *string
	TwoSided     bool
}

// Step is one pose held in a sequence. DurationSeconds is per side.
type Step struct {
	Position        int
	Pose            PoseRef
	DurationSeconds int
	Side            string
	Cue             *string
}

// Sides are the sides a step is held on, in the order practised: a "both"
// step of a two-sided pose on the right and then the left, a step of a
// two-sided pose on its one side, and a symmetric pose on none (once,
// whatever its step says), as TotalDurationSeconds counts them.
func (st Step) Sides() []string {
	switch {
	case !st.Pose.TwoSided:
		return nil
	case st.Side == "both":
		return []string{"right", "left"}
	default:
		return []string{st.Side}
	}
}

// Sequence is an ordered practice of poses.
type Sequence struct {
	ID          string
	Slug        string
	Name        string
	Description string
	Difficulty  string
	Style       string
	FocusArea   string
	OwnerID     *string // nil for presets
	// TotalDurationSeconds is derived by the store whenever the steps or a
	// pose's two_sided change: a "both" step of a two-sided pose is held on
	// each side and counts twice; a symmetric pose has one side and counts
	// once, whatever its step says.
	TotalDurationSeconds int
	Contraindications    []string
	Steps                []Step
	CreatedAt            time.Time
	UpdatedAt            time.Time
	SeedHash             string // as Pose.SeedHash
}

// IsPreset says whether editors curate the sequence (it has no owner).
func (s Sequence) IsPreset() bool { return s.OwnerID == nil }

// Page is one page of a keyset-paginated list.
type Page[T any] struct {
	Items      []T
	NextCursor string
}

// PoseFilter selects poses; every set field must hold (AND).
type PoseFilter struct {
	Category   string
	Difficulty string
	Avoid      []string // contraindication tags to exclude
	Query      string   // English or Sanskrit name, any case, any diacritics
	Limit      int
	Cursor     string
}

// SequenceFilter selects the sequences a viewer may see: presets, and
// their own when signed in.
type SequenceFilter struct {
	Viewer      string // user ID, "" for anonymous
	Difficulty  string
	Style       string
	FocusArea   string
	Preset      *bool // true: presets only; false: the viewer's own only
	Mine        bool  // the viewer's own only
	Avoid       []string
	MaxDuration int // seconds; 0 for no bound
	Limit       int
	Cursor      string
}

// StepInput is a step as clients write it; Pose is an ID or a slug.
type StepInput struct {
	Pose            string
	DurationSeconds int
	Side            string
	Cue             *string
}

// NewStep is a step ready to store: its pose resolved to an ID.
type NewStep struct {
	PoseID          string
	DurationSeconds int
	Side            string
	Cue             *string
}

// Audit is what the store records of an editorial write.
type Audit = account.AuditEntry

// Store is the persistence the Service needs. Lookups by "ref" accept an
// ID or a slug. Methods return ErrNotFound for a missing row.
type Store interface {
	// ListPoses pages poses by English name, then ID; with a Query, by how
	// well they match it (library.Match), then name and ID, and only those
	// that match. f.Limit must be at least 1; a cursor this list did not
	// give out is a *validation.Error on "cursor".
	ListPoses(ctx context.Context, f PoseFilter) (Page[Pose], error)
	// Pose returns the pose with its contraindications, sorted;
	// ErrNotFound for an unknown ref.
	Pose(ctx context.Context, ref string) (Pose, error)
	// PoseIDs resolves refs (IDs or slugs) to IDs; a missing one is absent
	// from the map.
	PoseIDs(ctx context.Context, refs []string) (map[string]string, error)
	// CreatePose stores p with its tags and search terms, and audit when
	// not nil, in one transaction. Returns ErrSlugTaken for a used slug,
	// and then writes nothing.
	CreatePose(ctx context.Context, p Pose, audit *Audit) error
	// UpdatePose rewrites pose p.ID whole (tags and search terms too) and
	// re-derives the totals of the sequences using it. ErrNotFound for an
	// unknown pose, ErrSlugTaken for another pose's slug; either way
	// nothing is written.
	UpdatePose(ctx context.Context, p Pose, audit *Audit) error
	// DeletePose returns ErrPoseInUse while a sequence uses it and
	// ErrNotFound for an unknown pose; either way nothing is written.
	DeletePose(ctx context.Context, id string, audit *Audit) error

	// ListSequences pages, by name then ID, the presets and (when signed
	// in) the viewer's own, never another user's: Preset true keeps
	// presets, false the viewer's own; Mine keeps the viewer's own, over
	// Preset. Anonymous with Mine or Preset false: an empty page. f.Limit
	// must be at least 1; a cursor this list did not give out is a
	// *validation.Error on "cursor".
	ListSequences(ctx context.Context, f SequenceFilter) (Page[Sequence], error)
	// Sequence returns any sequence, whoever owns it, with its steps in
	// order and the sorted union of their poses' contraindications;
	// ErrNotFound for an unknown ref.
	Sequence(ctx context.Context, ref string) (Sequence, error)
	// CreateSequence stores s with steps (numbered from 1; total derived)
	// and audit when not nil. ErrSlugTaken for a used slug, ErrNotFound for
	// a step's unknown pose; either way nothing is written.
	CreateSequence(ctx context.Context, s Sequence, steps []NewStep, audit *Audit) error
	// UpdateSequence rewrites sequence s.ID; steps replace its steps and
	// re-derive the total, while nil steps keep the steps and store
	// s.TotalDurationSeconds as given. ErrNotFound for an unknown sequence
	// or a step's unknown pose, ErrSlugTaken for another's slug; either way
	// nothing is written.
	UpdateSequence(ctx context.Context, s Sequence, steps []NewStep, audit *Audit) error
	// DeleteSequence removes the sequence and its steps; practice sessions
	// of it stay, without the link. ErrNotFound for an unknown sequence.
	DeleteSequence(ctx context.Context, id string, audit *Audit) error
}

// fold lower-cases s and strips its diacritics, so "Śavāsana" and
// "savasana" match.
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// SearchText is what q is matched against: both names, folded.
func SearchText(english, sanskrit string) string { return fold(english + " " + sanskrit) }

// FoldQuery folds a search query the same way.
func FoldQuery(q string) string { return fold(strings.TrimSpace(q)) }
