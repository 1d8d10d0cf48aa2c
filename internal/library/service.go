package library

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/yogaflow/yogaflow/internal/account"
	"github.com/yogaflow/yogaflow/internal/platform/cache"
	"github.com/yogaflow/yogaflow/internal/platform/validation"
)

// Service carries out the library's rules.
type Service struct {
	store   Store
	version cache.Version
	logger  *slog.Logger
	now     func() time.Time
}

// NewService builds the service. version is bumped by every editorial
// write, so cached reads of the library are never stale; now is the clock.
func NewService(store Store, version cache.Version, logger *slog.Logger, now func() time.Time) *Service {
	return &Service{store: store, version: version, logger: logger, now: now}
}

// changed marks the shared library content changed. A failure is logged,
// not returned: the write has happened, and cached reads expire anyway.
func (s *Service) changed(ctx context.Context) {
	if err := s.version.Bump(ctx); err != nil {
		s.logger.ErrorContext(ctx, "library version not bumped: cached reads may be stale until they expire", slog.String("error", err.Error()))
	}
}

// Editor is who makes an editorial change, for the audit log.
type Editor struct {
	Actor     *account.Principal
	RequestID string
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func (s *Service) audit(e Editor, action, targetType, targetID string, details map[string]any) *Audit {
	return &Audit{ID: newID(), At: s.clock(), ActorID: e.Actor.ActorID(), Action: action,
		TargetType: targetType, TargetID: targetID, RequestID: e.RequestID, Details: details}
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// ListPoses lists poses by English name.
func (s *Service) ListPoses(ctx context.Context, f PoseFilter) (Page[Pose], error) {
	if err := checkTags("avoid", f.Avoid); err != nil {
		return Page[Pose]{}, err
	}
	return s.store.ListPoses(ctx, f)
}

// Pose returns a pose by ID or slug.
func (s *Service) Pose(ctx context.Context, ref string) (Pose, error) { return s.store.Pose(ctx, ref) }

// PoseInput is a pose as editors write it; nil fields are left as they are
// by UpdatePose and required by CreatePose.
type PoseInput struct {
	Slug               *string
	EnglishName        *string
	SanskritName       *string
	Category           *string
	Difficulty         *string
	Description        *string
	Instructions       []string
	Benefits           []string
	Contraindications  []string
	TwoSided           *bool
	DefaultHoldSeconds *int
	ImageURL           *string
}

// CreatePose adds a pose to the library.
func (s *Service) CreatePose(ctx context.Context, e Editor, in PoseInput) (Pose, error) {
	now := s.clock()
	p := Pose{ID: newID(), CreatedAt: now, UpdatedAt: now, Instructions: []string{}, Benefits: []string{}, Contraindications: []string{}}
	if in.Slug == nil && in.EnglishName != nil {
		slug := slugify(*in.EnglishName)
		in.Slug = &slug
	}
	if err := applyPose(&p, in, true); err != nil {
		return Pose{}, err
	}
	if err := s.store.CreatePose(ctx, p, s.audit(e, "pose.create", "pose", p.ID, map[string]any{"slug": p.Slug})); err != nil {
		return Pose{}, err
	}
	s.changed(ctx)
	return p, nil
}

// UpdatePose changes the fields given.
func (s *Service) UpdatePose(ctx context.Context, e Editor, ref string, in PoseInput) (Pose, error) {
	p, err := s.store.Pose(ctx, ref)
	if err != nil {
		return Pose{}, err
	}
	if err := applyPose(&p, in, false); err != nil {
		return Pose{}, err
	}
	p.UpdatedAt, p.SeedHash = s.clock(), ""
	if err := s.store.UpdatePose(ctx, p, s.audit(e, "pose.update", "pose", p.ID, map[string]any{"slug": p.Slug})); err != nil {
		return Pose{}, err
	}
	s.changed(ctx)
	return p, nil
}

// DeletePose removes a pose no sequence uses.
func (s *Service) DeletePose(ctx context.Context, e Editor, ref string) error {
	p, err := s.store.Pose(ctx, ref)
	if err != nil {
		return err
	}
	if err := s.store.DeletePose(ctx, p.ID, s.audit(e, "pose.delete", "pose", p.ID, map[string]any{"slug": p.Slug})); err != nil {
		return err
	}
	s.changed(ctx)
	return nil
}

// applyPose copies the set fields of in onto p and checks the result;
// required says every field must be set (creation).
func applyPose(p *Pose, in PoseInput, required bool) error {
	var missing []string
	setString := func(dst *string, src *string, field string, optional bool) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		} else if required && !optional {
			missing = append(missing, field)
		}
	}
	setString(&p.Slug, in.Slug, "slug", false)
	setString(&p.EnglishName, in.EnglishName, "english_name", false)
	setString(&p.SanskritName, in.SanskritName, "sanskrit_name", true)
	setString(&p.Category, in.Category, "category", false)
	setString(&p.Difficulty, in.Difficulty, "difficulty", false)
	setString(&p.Description, in.Description, "description", true)
	if in.Instructions != nil {
		p.Instructions = in.Instructions
	}
	if in.Benefits != nil {
		p.Benefits = in.Benefits
	}
	if in.Contraindications != nil {
		p.Contraindications = sortedUnique(in.Contraindications)
	}
	if in.TwoSided != nil {
		p.TwoSided = *in.TwoSided
	}
	if in.DefaultHoldSeconds != nil {
		p.DefaultHoldSeconds = *in.DefaultHoldSeconds
	} else if required {
		p.DefaultHoldSeconds = 30
	}
	if in.ImageURL != nil {
		if url := strings.TrimSpace(*in.ImageURL); url == "" {
			p.ImageURL = nil
		} else {
			p.ImageURL = &url
		}
	}
	if len(missing) > 0 {
		return validation.New(missing[0], "is required")
	}
	switch {
	case !validSlug(p.Slug):
		return validation.New("slug", "must be lower-case letters, digits and single hyphens, like downward-dog")
	case p.EnglishName == "":
		return validation.New("english_name", "must not be empty")
	case !slices.Contains(Categories, p.Category):
		return validation.New("category", "must be one of "+strings.Join(Categories, ", "))
	case !slices.Contains(Difficulties, p.Difficulty):
		return validation.New("difficulty", "must be one of "+strings.Join(Difficulties, ", "))
	case len(p.Instructions) == 0:
		return validation.New("instructions", "must hold at least one step")
	case p.DefaultHoldSeconds < 1 || p.DefaultHoldSeconds > 3600:
		return validation.New("default_hold_seconds", "must be between 1 and 3600")
	case p.ImageURL != nil && !validImageURL(*p.ImageURL):
		return validation.New("image_url", "must be a path on this site under /media/ or an https:// address")
	}
	for _, err := range []error{
		validation.Line("english_name", p.EnglishName),
		validation.Line("sanskrit_name", p.SanskritName),
		validation.Text("description", p.Description),
		validation.Lines("instructions", p.Instructions),
		validation.Lines("benefits", p.Benefits),
	} {
		if err != nil {
			return err
		}
	}
	return checkTags("contraindications", p.Contraindications)
}

// ListSequences lists what the viewer may see, by name.
func (s *Service) ListSequences(ctx context.Context, f SequenceFilter) (Page[Sequence], error) {
	if err := checkTags("avoid", f.Avoid); err != nil {
		return Page[Sequence]{}, err
	}
	if (f.Mine || (f.Preset != nil && !*f.Preset)) && f.Viewer == "" {
		return Page[Sequence]{}, ErrSignInRequired
	}
	return s.store.ListSequences(ctx, f)
}

// Sequence returns a sequence the viewer may see: a preset or their own.
// Another user's is ErrNotFound, never a hint that it exists.
func (s *Service) Sequence(ctx context.Context, viewer, ref string) (Sequence, error) {
	seq, err := s.store.Sequence(ctx, ref)
	if err != nil {
		return Sequence{}, err
	}
	if seq.OwnerID != nil && *seq.OwnerID != viewer {
		return Sequence{}, ErrNotFound
	}
	return seq, nil
}

// SequenceInput is a sequence as clients write it; nil fields are left as
// they are by updates and required by creation (but Slug, derived from the
// name when absent).
type SequenceInput struct {
	Slug        *string
	Name        *string
	Description *string
	Difficulty  *string
	Style       *string
	FocusArea   *string
	Steps       []StepInput
}

// CreateSequence makes a user's own sequence.
func (s *Service) CreateSequence(ctx context.Context, owner string, in SequenceInput) (Sequence, error) {
	if in.Name != nil {
		// A user's slug carries a random suffix: names repeat across users.
		slug := slugify(*in.Name) + "-" + randomSuffix()
		in.Slug = &slug
	}
	return s.createSequence(ctx, &owner, in, nil)
}

// AllPoses is the whole library, by English name.
func (s *Service) AllPoses(ctx context.Context) ([]Pose, error) {
	var all []Pose
	f := PoseFilter{Limit: 100}
	for {
		page, err := s.store.ListPoses(ctx, f)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all, nil
		}
		f.Cursor = page.NextCursor
	}
}

// GenerateSequence makes a practice for owner from the whole library (see
// Generate). Saved, it is one of owner's own sequences; not saved, it is a
// preview with no ID or slug that owner may save by creating it.
func (s *Service) GenerateSequence(ctx context.Context, owner string, in GenerateInput, save bool) (Generated, error) {
	pool, err := s.AllPoses(ctx)
	if err != nil {
		return Generated{}, err
	}
	gen, err := Generate(pool, in)
	if err != nil {
		return Generated{}, err
	}
	now := s.clock()
	seq := &gen.Sequence
	seq.OwnerID, seq.CreatedAt, seq.UpdatedAt = &owner, now, now
	if !save {
		return gen, nil
	}
	seq.ID, seq.Slug = newID(), slugify(seq.Name)+"-"+randomSuffix()
	steps := make([]NewStep, len(seq.Steps))
	for i, st := range seq.Steps {
		steps[i] = NewStep{PoseID: st.Pose.ID, DurationSeconds: st.DurationSeconds, Side: st.Side, Cue: st.Cue}
	}
	if err := s.store.CreateSequence(ctx, *seq, steps, nil); err != nil {
		return Generated{}, err
	}
	if gen.Sequence, err = s.store.Sequence(ctx, seq.ID); err != nil {
		return Generated{}, err
	}
	return gen, nil
}

// CreatePreset makes a preset sequence.
func (s *Service) CreatePreset(ctx context.Context, e Editor, in SequenceInput) (Sequence, error) {
	if in.Slug == nil && in.Name != nil {
		slug := slugify(*in.Name)
		in.Slug = &slug
	}
	return s.createSequence(ctx, nil, in, &e)
}

func (s *Service) createSequence(ctx context.Context, owner *string, in SequenceInput, e *Editor) (Sequence, error) {
	now := s.clock()
	seq := Sequence{ID: newID(), OwnerID: owner, CreatedAt: now, UpdatedAt: now}
	steps, err := s.applySequence(ctx, &seq, in, true)
	if err != nil {
		return Sequence{}, err
	}
	var audit *Audit
	if e != nil {
		audit = s.audit(*e, "sequence.create", "sequence", seq.ID, map[string]any{"slug": seq.Slug})
	}
	if err := s.store.CreateSequence(ctx, seq, steps, audit); err != nil {
		return Sequence{}, err
	}
	if e != nil {
		s.changed(ctx)
	}
	return s.store.Sequence(ctx, seq.ID)
}

// UpdateSequence changes a user's own sequence.
func (s *Service) UpdateSequence(ctx context.Context, owner, ref string, in SequenceInput) (Sequence, error) {
	return s.updateSequence(ctx, &owner, ref, in, nil)
}

// UpdatePreset changes a preset sequence.
func (s *Service) UpdatePreset(ctx context.Context, e Editor, ref string, in SequenceInput) (Sequence, error) {
	return s.updateSequence(ctx, nil, ref, in, &e)
}

// owned fetches a sequence that belongs to owner (nil: a preset), or
// ErrNotFound.
func (s *Service) owned(ctx context.Context, owner *string, ref string) (Sequence, error) {
	seq, err := s.store.Sequence(ctx, ref)
	if err != nil {
		return Sequence{}, err
	}
	if (owner == nil) != (seq.OwnerID == nil) || (owner != nil && *owner != *seq.OwnerID) {
		return Sequence{}, ErrNotFound
	}
	return seq, nil
}

func (s *Service) updateSequence(ctx context.Context, owner *string, ref string, in SequenceInput, e *Editor) (Sequence, error) {
	seq, err := s.owned(ctx, owner, ref)
	if err != nil {
		return Sequence{}, err
	}
	if owner != nil {
		in.Slug = nil // a user's slug stays as it was made
	}
	steps, err := s.applySequence(ctx, &seq, in, false)
	if err != nil {
		return Sequence{}, err
	}
	seq.UpdatedAt, seq.SeedHash = s.clock(), ""
	var audit *Audit
	if e != nil {
		audit = s.audit(*e, "sequence.update", "sequence", seq.ID, map[string]any{"slug": seq.Slug})
	}
	if err := s.store.UpdateSequence(ctx, seq, steps, audit); err != nil {
		return Sequence{}, err
	}
	if e != nil {
		s.changed(ctx)
	}
	return s.store.Sequence(ctx, seq.ID)
}

// DeleteSequence deletes a user's own sequence.
func (s *Service) DeleteSequence(ctx context.Context, owner, ref string) error {
	seq, err := s.owned(ctx, &owner, ref)
	if err != nil {
		return err
	}
	return s.store.DeleteSequence(ctx, seq.ID, nil)
}

// DeletePreset deletes a preset sequence.
func (s *Service) DeletePreset(ctx context.Context, e Editor, ref string) error {
	seq, err := s.owned(ctx, nil, ref)
	if err != nil {
		return err
	}
	if err := s.store.DeleteSequence(ctx, seq.ID, s.audit(e, "sequence.delete", "sequence", seq.ID, map[string]any{"slug": seq.Slug})); err != nil {
		return err
	}
	s.changed(ctx)
	return nil
}

const maxSteps = 100

// applySequence copies the set fields of in onto seq, checks them, and
// resolves the steps' poses. It returns the steps to store (nil when the
// steps are unchanged).
func (s *Service) applySequence(ctx context.Context, seq *Sequence, in SequenceInput, required bool) ([]NewStep, error) {
	fields := []struct {
		dst     *string
		src     *string
		name    string
		allowed []string
	}{
		{&seq.Slug, in.Slug, "slug", nil},
		{&seq.Name, in.Name, "name", nil},
		{&seq.Description, in.Description, "description", nil},
		{&seq.Difficulty, in.Difficulty, "difficulty", Difficulties},
		{&seq.Style, in.Style, "style", Styles},
		{&seq.FocusArea, in.FocusArea, "focus_area", FocusAreas},
	}
	for _, f := range fields {
		switch {
		case f.src != nil:
			*f.dst = strings.TrimSpace(*f.src)
		case required && f.name != "description":
			return nil, validation.New(f.name, "is required")
		}
		if f.allowed != nil && !slices.Contains(f.allowed, *f.dst) {
			return nil, validation.New(f.name, "must be one of "+strings.Join(f.allowed, ", "))
		}
	}
	if !validSlug(seq.Slug) {
		return nil, validation.New("slug", "must be lower-case letters, digits and single hyphens, like morning-flow")
	}
	if seq.Name == "" {
		return nil, validation.New("name", "must not be empty")
	}
	if err := validation.Line("name", seq.Name); err != nil {
		return nil, err
	}
	if err := validation.Text("description", seq.Description); err != nil {
		return nil, err
	}
	if in.Steps == nil {
		if required {
			return nil, validation.New("steps", "is required")
		}
		return nil, nil
	}
	return s.resolveSteps(ctx, seq, in.Steps)
}

func (s *Service) resolveSteps(ctx context.Context, seq *Sequence, in []StepInput) ([]NewStep, error) {
	if len(in) == 0 || len(in) > maxSteps {
		return nil, validation.New("steps", fmt.Sprintf("must hold 1 to %d steps", maxSteps))
	}
	refs := make([]string, len(in))
	for i, st := range in {
		refs[i] = strings.TrimSpace(st.Pose)
	}
	ids, err := s.store.PoseIDs(ctx, refs)
	if err != nil {
		return nil, err
	}
	steps := make([]NewStep, len(in))
	for i, st := range in {
		field := fmt.Sprintf("steps[%d]", i)
		id, ok := ids[refs[i]]
		if !ok {
			return nil, validation.New(field+".pose", fmt.Sprintf("no pose %q in the library", refs[i]))
		}
		side := st.Side
		if side == "" {
			side = "both"
		}
		if !slices.Contains(Sides, side) {
			return nil, validation.New(field+".side", "must be left, right or both")
		}
		if st.DurationSeconds < 1 || st.DurationSeconds > 3600 {
			return nil, validation.New(field+".duration_seconds", "must be between 1 and 3600")
		}
		if st.Cue != nil {
			if err := validation.Line(field+".cue", *st.Cue); err != nil {
				return nil, err
			}
		}
		steps[i] = NewStep{PoseID: id, DurationSeconds: st.DurationSeconds, Side: side, Cue: st.Cue}
	}
	return steps, nil
}

func checkTags(field string, tags []string) error {
	for _, t := range tags {
		if !slices.Contains(Contraindications, t) {
			return validation.New(field, fmt.Sprintf("%q is not a contraindication tag; use %s", t, strings.Join(Contraindications, ", ")))
		}
	}
	return nil
}

func validSlug(s string) bool {
	if s == "" || len(s) > 100 || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// slugify makes a URL-safe slug of a name: "Adho Mukha Śvānāsana" becomes
// "adho-mukha-svanasana".
func slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, c := range fold(name) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	slug := strings.TrimSuffix(b.String(), "-")
	if len(slug) > 80 {
		slug = strings.TrimSuffix(slug[:80], "-")
	}
	if slug == "" {
		slug = "sequence"
	}
	return slug
}

func randomSuffix() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

func sortedUnique(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}
