package practice

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/yogaflow/yogaflow/internal/library"
	"github.com/yogaflow/yogaflow/internal/platform/validation"
)

// Sequences is where sessions find what they practise.
type Sequences interface {
	Sequence(ctx context.Context, viewer, ref string) (library.Sequence, error)
}

// Service carries out the rules of practice sessions. The server keeps the
// clock: durations come from its time, never from a client's.
type Service struct {
	store     Store
	sequences Sequences
	now       func() time.Time
}

// NewService builds the service; now is the clock.
func NewService(store Store, sequences Sequences, now func() time.Time) *Service {
	return &Service{store: store, sequences: sequences, now: now}
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Now is the service's time, for reporting durations of a session.
func (s *Service) Now() time.Time { return s.clock() }

// Start begins practising a sequence the user may see. A user has one
// active (in progress or paused) session at a time: *ConflictError.
func (s *Service) Start(ctx context.Context, userID, sequenceRef string) (Session, error) {
	seq, err := s.sequences.Sequence(ctx, userID, sequenceRef)
	if errors.Is(err, library.ErrNotFound) {
		return Session{}, validation.New("sequence_id", "no sequence "+strconv.Quote(sequenceRef)+" that you can practise")
	}
	if err != nil {
		return Session{}, err
	}
	now := s.clock()
	sess := Session{ID: uuid.Must(uuid.NewV7()).String(), UserID: userID, SequenceID: &seq.ID, SequenceName: seq.Name,
		Status: InProgress, StartedAt: now, StretchStart: now, CurrentStep: 1, StepCount: len(seq.Steps), UpdatedAt: now}
	if err := s.store.Create(ctx, sess); err != nil {
		return Session{}, err
	}
	return sess, nil
}

// Session returns one of the user's sessions.
func (s *Service) Session(ctx context.Context, userID, id string) (Session, error) {
	return s.store.Session(ctx, userID, id)
}

// Current returns the user's active session, or ErrNotFound.
func (s *Service) Current(ctx context.Context, userID string) (Session, error) {
	return s.store.Current(ctx, userID)
}

// Pause stops the clock of a session in progress.
func (s *Service) Pause(ctx context.Context, userID, id string) (Session, error) {
	return s.transition(ctx, userID, id, []string{InProgress}, func(sess *Session, _ time.Time) error {
		sess.Status = Paused
		return nil
	})
}

// Resume restarts the clock of a paused session.
func (s *Service) Resume(ctx context.Context, userID, id string) (Session, error) {
	return s.transition(ctx, userID, id, []string{Paused}, func(sess *Session, _ time.Time) error {
		sess.Status = InProgress
		return nil
	})
}

// Complete ends an active session as done, with an optional rating (1–5)
// and note.
func (s *Service) Complete(ctx context.Context, userID, id string, rating *int, notes *string) (Session, error) {
	if rating != nil && (*rating < 1 || *rating > 5) {
		return Session{}, validation.New("rating", "must be from 1 to 5")
	}
	return s.transition(ctx, userID, id, []string{InProgress, Paused}, func(sess *Session, now time.Time) error {
		sess.Status, sess.EndedAt, sess.Rating, sess.Notes = Completed, &now, rating, notes
		return nil
	})
}

// Abandon ends an active session as not done.
func (s *Service) Abandon(ctx context.Context, userID, id string) (Session, error) {
	return s.transition(ctx, userID, id, []string{InProgress, Paused}, func(sess *Session, now time.Time) error {
		sess.Status, sess.EndedAt = Abandoned, &now
		return nil
	})
}

// Progress records the step being practised (1-based), so another device
// can resume there.
func (s *Service) Progress(ctx context.Context, userID, id string, step int) (Session, error) {
	return s.transition(ctx, userID, id, []string{InProgress, Paused}, func(sess *Session, _ time.Time) error {
		if step < 1 || step > sess.StepCount {
			return validation.New("step_position", "must be a step of the sequence: 1 to "+strconv.Itoa(sess.StepCount))
		}
		sess.CurrentStep = step
		return nil
	})
}

// transition applies change to a session whose status is one of from,
// banking the running stretch of the clock first, so the time spent in the
// old status is kept. Another status is ErrInvalidTransition.
func (s *Service) transition(ctx context.Context, userID, id string, from []string, change func(*Session, time.Time) error) (Session, error) {
	sess, err := s.store.Session(ctx, userID, id)
	if err != nil {
		return Session{}, err
	}
	if !slices.Contains(from, sess.Status) {
		return Session{}, ErrInvalidTransition
	}
	was := sess.Status
	now := s.clock()
	sess.ActiveBanked, sess.PausedBanked = sess.Durations(now)
	sess.StretchStart, sess.UpdatedAt = now, now
	if err := change(&sess, now); err != nil {
		return Session{}, err
	}
	if err := s.store.Update(ctx, sess, was); err != nil {
		return Session{}, err
	}
	return sess, nil
}
