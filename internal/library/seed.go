package library

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/yogaflow/yogaflow/internal/seeddata"
)

// SeedResult counts what Seed did.
type SeedResult struct {
	Added, Updated, Unchanged, KeptEdited int
}

func (r SeedResult) String() string {
	return fmt.Sprintf("%d added, %d updated, %d unchanged, %d kept as an editor left them", r.Added, r.Updated, r.Unchanged, r.KeptEdited)
}

// Seed loads the built-in poses and preset sequences. It is idempotent: an
// item is matched by slug, added when missing, updated when the built-in
// content changed, and left alone when an editor changed it — unless force.
func (s *Service) Seed(ctx context.Context, force bool) (poses, sequences SeedResult, err error) {
	builtinPoses, err := seeddata.Poses()
	if err != nil {
		return poses, sequences, err
	}
	builtinSequences, err := seeddata.Sequences()
	if err != nil {
		return poses, sequences, err
	}
	for _, bp := range builtinPoses {
		if err := s.seedPose(ctx, bp, force, &poses); err != nil {
			return poses, sequences, fmt.Errorf("seeding pose %s: %w", bp.Slug, err)
		}
	}
	for _, bs := range builtinSequences {
		if err := s.seedSequence(ctx, bs, force, &sequences); err != nil {
			return poses, sequences, fmt.Errorf("seeding sequence %s: %w", bs.Slug, err)
		}
	}
	if poses.Added+poses.Updated+sequences.Added+sequences.Updated > 0 {
		s.changed(ctx)
	}
	return poses, sequences, nil
}

// SeedIfEmpty seeds a library that has no pose at all (a new database).
func (s *Service) SeedIfEmpty(ctx context.Context) (bool, error) {
	page, err := s.store.ListPoses(ctx, PoseFilter{Limit: 1})
	if err != nil || len(page.Items) > 0 {
		return false, err
	}
	_, _, err = s.Seed(ctx, false)
	return err == nil, err
}

func contentHash(v any) string {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// decide says what to do with an item already stored under a built-in
// slug: nothing (same content, or an editor's change to keep), or update.
func decide(storedHash, builtinHash string, force bool, r *SeedResult) bool {
	switch {
	case storedHash == builtinHash:
		r.Unchanged++
		return false
	case storedHash == "" && !force:
		r.KeptEdited++
		return false
	}
	r.Updated++
	return true
}

func (s *Service) seedPose(ctx context.Context, bp seeddata.Pose, force bool, r *SeedResult) error {
	// The picture is part of the built-in content: a pose that gains one
	// is updated by the next seed, unless an editor has changed it.
	var image *string
	if _, ok, err := BuiltinPicture(bp.Slug); err != nil {
		return err
	} else if ok {
		path := FigurePath(bp.Slug)
		image = &path
	}
	hash := contentHash(struct {
		seeddata.Pose
		ImageURL *string
	}{bp, image})
	now := s.clock()
	p := Pose{ImageURL: image, ID: newID(), Slug: bp.Slug, EnglishName: bp.EnglishName, SanskritName: bp.SanskritName, Category: bp.Category,
		Difficulty: bp.Difficulty, Description: bp.Description, Instructions: bp.Instructions, Benefits: bp.Benefits,
		Contraindications: sortedUnique(bp.Contraindications), TwoSided: bp.TwoSided, DefaultHoldSeconds: bp.DefaultHoldSeconds,
		SeedHash: hash, CreatedAt: now, UpdatedAt: now}
	stored, err := s.store.Pose(ctx, bp.Slug)
	switch {
	case errors.Is(err, ErrNotFound):
		err := s.store.CreatePose(ctx, p, nil)
		if errors.Is(err, ErrSlugTaken) {
			r.Unchanged++ // another instance seeded it a moment ago
			return nil
		}
		if err == nil {
			r.Added++
		}
		return err
	case err != nil:
		return err
	}
	if !decide(stored.SeedHash, hash, force, r) {
		return nil
	}
	p.ID, p.CreatedAt = stored.ID, stored.CreatedAt
	return s.store.UpdatePose(ctx, p, nil)
}

func (s *Service) seedSequence(ctx context.Context, bs seeddata.Sequence, force bool, r *SeedResult) error {
	hash := contentHash(bs)
	stored, err := s.store.Sequence(ctx, bs.Slug)
	exists := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if exists && !decide(stored.SeedHash, hash, force, r) {
		return nil
	}
	now := s.clock()
	seq := Sequence{ID: newID(), Slug: bs.Slug, Name: bs.Name, Description: bs.Description, Difficulty: bs.Difficulty,
		Style: bs.Style, FocusArea: bs.FocusArea, SeedHash: hash, CreatedAt: now, UpdatedAt: now}
	in := make([]StepInput, len(bs.Steps))
	for i, st := range bs.Steps {
		in[i] = StepInput{Pose: st.Pose, DurationSeconds: st.DurationSeconds, Side: st.Side}
		if st.Cue != "" {
			in[i].Cue = &st.Cue
		}
	}
	steps, err := s.resolveSteps(ctx, &seq, in)
	if err != nil {
		return err
	}
	if exists {
		seq.ID, seq.CreatedAt = stored.ID, stored.CreatedAt
		return s.store.UpdateSequence(ctx, seq, steps, nil)
	}
	err = s.store.CreateSequence(ctx, seq, steps, nil)
	if errors.Is(err, ErrSlugTaken) {
		r.Unchanged++
		return nil
	}
	if err == nil {
		r.Added++
	}
	return err
}
