package practice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/yogaflow/yogaflow/internal/library"
	"github.com/yogaflow/yogaflow/internal/platform/cache"
	"github.com/yogaflow/yogaflow/internal/platform/validation"
)

// Sequences is where sessions find what they practise.
type Sequences interface {
	Sequence(ctx context.Context, viewer, ref string) (library.Sequence, error)
}

// Timezones tells a user's time zone, in which their days are counted.
type Timezones interface {
	Timezone(ctx context.Context, userID string) (*time.Location, error)
}

// Service carries out the rules of practice sessions. The server keeps the
// clock: durations come from its time, never from a client's.
type Service struct {
	store     Store
	sequences Sequences
	timezones Timezones
	observer  Observer
	// experiments, when not nil, gives the exposures a session records.
	experiments Experiments
	// stats caches computed stats per user (nil: no cache). Keys carry the
	// user's generation, which each of their session writes renews, so
	// stats are never stale after the user's own action.
	stats cache.Cache
	now   func() time.Time
}

// NewService builds the service; experiments and statsCache may be nil;
// now is the clock.
func NewService(store Store, sequences Sequences, timezones Timezones, observer Observer, experiments Experiments,
	statsCache cache.Cache, now func() time.Time) *Service {
	return &Service{store: store, sequences: sequences, timezones: timezones, observer: observer, experiments: experiments,
		stats: statsCache, now: now}
}

const (
	statsTTL      = 10 * time.Minute
	generationTTL = 24 * time.Hour
)

func generationKey(userID string) string { return "stats-generation:" + userID }

// changed renews the user's stats generation after a session write.
func (s *Service) changed(ctx context.Context, userID string) {
	if s.stats != nil {
		// A failure leaves cached stats to expire by their TTL.
		_ = s.stats.Set(ctx, generationKey(userID), []byte(uuid.NewString()), generationTTL)
	}
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Now is the service's time, for reporting durations of a session.
func (s *Service) Now() time.Time { return s.clock() }

// Start begins practising a sequence the user may see, recording the
// variants the user holds (their roles may place them in an experiment).
// A user has one active (in progress or paused) session at a time:
// *ConflictError.
func (s *Service) Start(ctx context.Context, userID string, roles []string, sequenceRef string) (Session, error) {
	seq, err := s.sequences.Sequence(ctx, userID, sequenceRef)
	if errors.Is(err, library.ErrNotFound) {
		return Session{}, validation.New("sequence_id", "no sequence "+strconv.Quote(sequenceRef)+" that you can practise")
	}
	if err != nil {
		return Session{}, err
	}
	now := s.clock()
	day, err := s.localDay(ctx, userID, now)
	if err != nil {
		return Session{}, err
	}
	sess := Session{ID: uuid.Must(uuid.NewV7()).String(), UserID: userID, SequenceID: &seq.ID, SequenceName: seq.Name,
		Style: seq.Style, LocalDay: day, Status: InProgress, StartedAt: now, StretchStart: now, CurrentStep: 1,
		StepCount: len(seq.Steps), Plan: PlanOf(seq), UpdatedAt: now}
	if len(sess.Plan) > 0 {
		sess.CurrentSide = sess.Plan[0].sideAt(0)
	}
	if s.experiments != nil {
		sess.Exposures = s.experiments.Exposures(ctx, userID, roles)
	}
	if err := s.store.Create(ctx, sess); err != nil {
		return Session{}, err
	}
	s.changed(ctx, userID)
	s.observer.Started(ctx, sess)
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
	if err := checkNotes(notes); err != nil {
		return Session{}, err
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

// Report is where the player says the practice stands: a step (1-based),
// and optionally its side and the active time into the step.
type Report struct {
	Step    int
	Side    *string
	Elapsed *time.Duration
	// DeviceID, when not "", names the player now playing the practice.
	DeviceID string
}

// Progress records where the practice stands, so another device can resume
// there at the same step, side and second. Elapsed counts from the start
// of the step; with a side, a time shorter than what comes before that side
// counts from the side's start ("left, 5 s" is 5 s into the left side).
// Re-reporting the present step with neither keeps the clock's place.
func (s *Service) Progress(ctx context.Context, userID, id string, r Report) (Session, error) {
	return s.transition(ctx, userID, id, []string{InProgress, Paused}, func(sess *Session, _ time.Time) error {
		if r.Step < 1 || r.Step > sess.StepCount {
			return validation.New("step_position", "must be a step of the sequence: 1 to "+strconv.Itoa(sess.StepCount))
		}
		if r.Side != nil && !slices.Contains([]string{"left", "right"}, *r.Side) {
			return validation.New("side", "must be left or right")
		}
		if r.DeviceID != "" {
			sess.DeviceID = r.DeviceID
		}
		if r.Step == sess.CurrentStep && r.Side == nil && r.Elapsed == nil {
			return nil
		}
		var elapsed time.Duration
		if r.Elapsed != nil {
			elapsed = *r.Elapsed
		}
		if len(sess.Plan) != sess.StepCount {
			sess.CurrentStep, sess.StepElapsed, sess.CurrentSide = r.Step, elapsed, deref(r.Side)
			return nil
		}
		return sess.place(r.Step, r.Side, elapsed)
	})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// transition applies change to a session whose status is one of from,
// banking the running stretch of the clock first, so the time spent in the
// old status is kept. Another status is ErrInvalidTransition.
func (s *Service) transition(ctx context.Context, userID, id string, from []string, change func(*Session, time.Time) error) (Session, error) {
	sess, err := s.store.Session(ctx, userID, id)
	if err != nil {
		return Session{}, err
	}
	was := sess.Status
	now := s.clock()
	sess = sess.At(now)
	if !slices.Contains(from, sess.Status) {
		return Session{}, ErrInvalidTransition
	}
	sess.StretchStart, sess.UpdatedAt = now, now
	if err := change(&sess, now); err != nil {
		return Session{}, err
	}
	if err := s.store.Update(ctx, sess, was); err != nil {
		return Session{}, err
	}
	s.changed(ctx, userID)
	if sess.EndedAt != nil {
		s.observer.Ended(ctx, sess, sess.ActiveBanked)
	}
	return sess, nil
}

// Bound is a from or to of a history query: a date (a whole day in the
// user's time zone) or an instant.
type Bound struct {
	Date    string // YYYY-MM-DD
	Instant *time.Time
}

// History lists the user's sessions, newest first. A date in from counts
// from the start of that day, a date in to up to its end, both in the
// user's time zone.
func (s *Service) History(ctx context.Context, f HistoryFilter, from, to Bound) (Page, error) {
	if f.Status != "" && !slices.Contains([]string{InProgress, Paused, Completed, Abandoned}, f.Status) {
		return Page{}, validation.New("status", "must be in_progress, paused, completed or abandoned")
	}
	// The zone is read when a date needs it, and once for both.
	zone := sync.OnceValues(func() (*time.Location, error) { return s.timezones.Timezone(ctx, f.UserID) })
	var err error
	if f.From, err = bound("from", from, 0, zone); err != nil {
		return Page{}, err
	}
	if f.To, err = bound("to", to, 1, zone); err != nil {
		return Page{}, err
	}
	return s.store.History(ctx, f)
}

// DayNumber is the date of t in loc, as days since 1970-01-01: plain
// integers that both databases group and subtract alike.
func DayNumber(t time.Time, loc *time.Location) int {
	y, m, d := t.In(loc).Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// DayDate is the date of a day number, for showing.
func DayDate(day int) string { return time.Unix(int64(day)*86400, 0).UTC().Format(time.DateOnly) }

func (s *Service) localDay(ctx context.Context, userID string, t time.Time) (int, error) {
	loc, err := s.timezones.Timezone(ctx, userID)
	if err != nil {
		return 0, err
	}
	return DayNumber(t, loc), nil
}

// ByDayWindow is how many days Stats lists minutes for when from is
// absent: the recent picture, of a size that does not grow with a history.
const ByDayWindow = 90

// Stats computes the user's figures over [from, to] (dates in their time
// zone, or instants; either may be absent), by the database.
func (s *Service) Stats(ctx context.Context, userID string, from, to Bound) (Stats, error) {
	loc, err := s.timezones.Timezone(ctx, userID)
	if err != nil {
		return Stats{}, err
	}
	q := StatsQuery{UserID: userID, Today: DayNumber(s.clock(), loc)}
	if q.From, err = boundDay("from", from, loc); err != nil {
		return Stats{}, err
	}
	if q.To, err = boundDay("to", to, loc); err != nil {
		return Stats{}, err
	}
	switch {
	case q.From != nil:
		q.ByDayFrom = *q.From
	case q.To != nil:
		q.ByDayFrom = *q.To - ByDayWindow + 1
	default:
		q.ByDayFrom = q.Today - ByDayWindow + 1
	}
	if s.stats == nil {
		return s.store.Stats(ctx, q)
	}
	gen, _, err := s.stats.Get(ctx, generationKey(userID))
	if err != nil {
		return s.store.Stats(ctx, q) // the cache is away: ask the database
	}
	key := fmt.Sprintf("stats:%s:%s:%d:%s:%s", userID, gen, q.Today, dayKey(q.From), dayKey(q.To))
	if b, ok, err := s.stats.Get(ctx, key); err == nil && ok {
		var st Stats
		if json.Unmarshal(b, &st) == nil {
			return st, nil
		}
	}
	st, err := s.store.Stats(ctx, q)
	if err != nil {
		return Stats{}, err
	}
	if b, err := json.Marshal(st); err == nil {
		_ = s.stats.Set(ctx, key, b, statsTTL)
	}
	return st, nil
}

func dayKey(d *int) string {
	if d == nil {
		return "-"
	}
	return strconv.Itoa(*d)
}

// boundDay is the local day of a bound.
func boundDay(field string, b Bound, loc *time.Location) (*int, error) {
	switch {
	case b.Instant != nil:
		d := DayNumber(*b.Instant, loc)
		return &d, nil
	case b.Date != "":
		t, err := time.ParseInLocation(time.DateOnly, b.Date, loc)
		if err != nil {
			return nil, validation.New(field, "must be a date (2026-01-31) or an RFC 3339 timestamp")
		}
		d := DayNumber(t, loc)
		return &d, nil
	}
	return nil, nil
}

// bound resolves b to an instant; a date is the start of that day plus
// days, in the user's time zone (so "to" includes its whole day).
func bound(field string, b Bound, days int, zone func() (*time.Location, error)) (*time.Time, error) {
	if b.Instant != nil {
		t := b.Instant.UTC()
		return &t, nil
	}
	if b.Date == "" {
		return nil, nil
	}
	loc, err := zone()
	if err != nil {
		return nil, err
	}
	d, err := time.ParseInLocation(time.DateOnly, b.Date, loc)
	if err != nil {
		return nil, validation.New(field, "must be a date (2026-01-31) or an RFC 3339 timestamp")
	}
	t := d.AddDate(0, 0, days).UTC()
	return &t, nil
}

// OfflineInput is a practice done without the app running.
type OfflineInput struct {
	SequenceRef     string
	Title           string
	StartedAt       time.Time
	DurationSeconds int
	Rating          *int
	Notes           *string
}

// checkNotes applies the rules of multi-line text to a session's notes.
func checkNotes(notes *string) error {
	if notes == nil {
		return nil
	}
	return validation.Text("notes", *notes)
}

// maxOfflineSeconds is the longest practice one may log: a day.
const maxOfflineSeconds = 24 * 3600

// DefaultTitle names a logged practice that has neither a sequence nor a title.
const DefaultTitle = "Practice"

// LogOffline records a completed practice that ended by now.
func (s *Service) LogOffline(ctx context.Context, userID string, in OfflineInput) (Session, error) {
	now := s.clock()
	switch {
	case in.DurationSeconds < 1 || in.DurationSeconds > maxOfflineSeconds:
		return Session{}, validation.New("duration_seconds", "must be between 1 and 86400")
	case in.Rating != nil && (*in.Rating < 1 || *in.Rating > 5):
		return Session{}, validation.New("rating", "must be from 1 to 5")
	}
	if err := validation.Line("title", strings.TrimSpace(in.Title)); err != nil {
		return Session{}, err
	}
	if err := checkNotes(in.Notes); err != nil {
		return Session{}, err
	}
	started := in.StartedAt.UTC().Truncate(time.Millisecond)
	ended := started.Add(time.Duration(in.DurationSeconds) * time.Second)
	if ended.After(now.Add(time.Minute)) { // a minute's grace for clocks that differ
		return Session{}, validation.New("started_at", "a practice must have ended by now")
	}
	sess := Session{ID: uuid.Must(uuid.NewV7()).String(), UserID: userID, Status: Completed, StartedAt: started,
		EndedAt: &ended, ActiveBanked: time.Duration(in.DurationSeconds) * time.Second, StretchStart: ended,
		Rating: in.Rating, Notes: in.Notes, UpdatedAt: now, SequenceName: strings.TrimSpace(in.Title)}
	if in.SequenceRef != "" {
		seq, err := s.sequences.Sequence(ctx, userID, in.SequenceRef)
		if errors.Is(err, library.ErrNotFound) {
			return Session{}, validation.New("sequence_id", "no sequence "+strconv.Quote(in.SequenceRef)+" that you can practise")
		}
		if err != nil {
			return Session{}, err
		}
		sess.SequenceID, sess.Style, sess.StepCount, sess.CurrentStep = &seq.ID, seq.Style, len(seq.Steps), len(seq.Steps)
		if sess.SequenceName == "" {
			sess.SequenceName = seq.Name
		}
	}
	if sess.SequenceName == "" {
		sess.SequenceName = DefaultTitle
	}
	day, err := s.localDay(ctx, userID, started)
	if err != nil {
		return Session{}, err
	}
	sess.LocalDay = day
	if err := s.store.Create(ctx, sess); err != nil {
		return Session{}, err
	}
	s.changed(ctx, userID)
	s.observer.Ended(ctx, sess, sess.ActiveBanked)
	return sess, nil
}
