// Package practice is people practising: timed sessions of a sequence with
// a clock the server keeps, and their history.
package practice

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/yogaflow/yogaflow/internal/library"
	"github.com/yogaflow/yogaflow/internal/platform/validation"
)

// Statuses of a session.
const (
	InProgress = "in_progress"
	Paused     = "paused"
	Completed  = "completed"
	Abandoned  = "abandoned"
)

// Errors returned by the Service; their text is written for people.
var (
	ErrNotFound          = errors.New("not found")
	ErrInvalidTransition = errors.New("the session cannot do that in its present state")
)

// ConflictError says the user already has an active session.
type ConflictError struct{ ActiveID string }

func (e *ConflictError) Error() string {
	return "you already have a session in progress or paused: finish or abandon it first"
}

// Session is one practice of a sequence.
type Session struct {
	ID           string
	UserID       string
	SequenceID   *string // nil once the sequence is deleted
	SequenceName string
	Style        string // the sequence's; "" for a practice logged without one
	// LocalDay is the day the session started, in the user's time zone
	// then, as days since 1970-01-01: days and streaks count in it.
	LocalDay  int
	Status    string
	StartedAt time.Time
	EndedAt   *time.Time
	// The clock: active and paused time banked so far, and when the
	// present stretch (active or paused) began.
	ActiveBanked time.Duration
	PausedBanked time.Duration
	StretchStart time.Time
	// Where the practice stands as of StretchStart: the step (1-based),
	// its side ("" for a pose with one side) and the active time into the
	// step.
	CurrentStep int
	CurrentSide string
	StepElapsed time.Duration
	StepCount   int
	// Plan is what the session follows, copied from the sequence at the
	// start; nil for a practice logged offline or started before plans
	// were kept, which the clock then neither walks nor bounds.
	Plan []PlanStep
	// DeviceID is the player that reported last, as it named itself.
	DeviceID  string
	Rating    *int
	Notes     *string
	UpdatedAt time.Time
	// Exposures holds, by flag key, the variant the user held of each
	// running experiment when the session started; written with it.
	Exposures map[string]string
}

// PlanStep is one step of a session's plan: held Seconds on each of its
// Sides in turn, or once when Sides is empty (a pose with one side).
type PlanStep struct {
	Seconds int
	Sides   []string
}

// PlanOf is the plan of a sequence: the library's rule of which steps are
// held on each side.
func PlanOf(seq library.Sequence) []PlanStep {
	plan := make([]PlanStep, len(seq.Steps))
	for i, st := range seq.Steps {
		plan[i] = PlanStep{Seconds: st.DurationSeconds, Sides: st.Sides()}
	}
	return plan
}

// Length is how long the step is held in all.
func (p PlanStep) Length() time.Duration {
	return time.Duration(p.Seconds*max(1, len(p.Sides))) * time.Second
}

// sideAt is the side being held at elapsed into the step.
func (p PlanStep) sideAt(elapsed time.Duration) string {
	if len(p.Sides) == 0 {
		return ""
	}
	i := 0
	if p.Seconds > 0 {
		i = int(elapsed / (time.Duration(p.Seconds) * time.Second))
	}
	return p.Sides[min(i, len(p.Sides)-1)]
}

// IdleTolerance is how long past the end of its plan a session in progress
// keeps counting active time without a word from the player (a start,
// progress, pause or resume). Past it the session counts as paused from
// then on: a practice left open is not practice.
const IdleTolerance = time.Minute

// At is the session as it stands at now: the present stretch banked, the
// practice walked along its plan by the active time since the last report,
// and the idle bound applied (a session past it is paused, from the moment
// it reached it).
func (s Session) At(now time.Time) Session {
	if !now.After(s.StretchStart) {
		return s
	}
	stretch := now.Sub(s.StretchStart)
	s.StretchStart = now
	switch s.Status {
	case Paused:
		s.PausedBanked += stretch
	case InProgress:
		active := stretch
		if limit, ok := s.activeLimit(); ok && active >= limit {
			active, s.Status = limit, Paused
		}
		s.ActiveBanked += active
		s.PausedBanked += stretch - active
		s.walk(active)
	}
	return s
}

// activeLimit is how much more active time the session may count without
// a report: what is left of its plan, and the tolerance.
func (s Session) activeLimit() (time.Duration, bool) {
	if len(s.Plan) == 0 || s.CurrentStep < 1 || s.CurrentStep > len(s.Plan) {
		return 0, false
	}
	left := s.Plan[s.CurrentStep-1].Length() - s.StepElapsed
	for _, p := range s.Plan[s.CurrentStep:] {
		left += p.Length()
	}
	return max(0, left) + IdleTolerance, true
}

// walk moves the practice on by active time along its plan, step by step,
// stopping at the end of the last.
func (s *Session) walk(active time.Duration) {
	if len(s.Plan) == 0 || s.CurrentStep < 1 || s.CurrentStep > len(s.Plan) {
		return
	}
	elapsed := s.StepElapsed + active
	for s.CurrentStep < len(s.Plan) && elapsed >= s.Plan[s.CurrentStep-1].Length() {
		elapsed -= s.Plan[s.CurrentStep-1].Length()
		s.CurrentStep++
	}
	step := s.Plan[s.CurrentStep-1]
	s.StepElapsed = min(elapsed, step.Length())
	s.CurrentSide = step.sideAt(s.StepElapsed)
}

// place puts the practice at step, side and elapsed along its plan.
func (s *Session) place(step int, side *string, elapsed time.Duration) error {
	p := s.Plan[step-1]
	if side != nil {
		i := slices.Index(p.Sides, *side)
		if i < 0 {
			return validation.New("side", sideRule(step, p))
		}
		start := time.Duration(i*p.Seconds) * time.Second
		if elapsed < start {
			elapsed += start
		}
		if end := start + time.Duration(p.Seconds)*time.Second; elapsed > end {
			return validation.New("step_elapsed_seconds", fmt.Sprintf("must be within the %s side of step %d: at most %d",
				*side, step, int(end/time.Second)))
		}
	}
	if elapsed > p.Length() {
		return validation.New("step_elapsed_seconds", fmt.Sprintf("must be within step %d: 0 to %d", step, int(p.Length()/time.Second)))
	}
	s.CurrentStep, s.StepElapsed, s.CurrentSide = step, elapsed, p.sideAt(elapsed)
	if side != nil {
		s.CurrentSide = *side // at the very end of the right side, still the right
	}
	return nil
}

func sideRule(step int, p PlanStep) string {
	switch len(p.Sides) {
	case 0:
		return fmt.Sprintf("step %d holds a pose with no sides: leave side out", step)
	case 1:
		return fmt.Sprintf("step %d is held on the %s side only", step, p.Sides[0])
	}
	return fmt.Sprintf("step %d is held on the right side, then the left", step)
}

// Observer hears of sessions starting and ending: the business events that
// logs and metrics report.
type Observer interface {
	Started(ctx context.Context, s Session)
	// Ended is told of a session completed or abandoned, with its active
	// time.
	Ended(ctx context.Context, s Session, active time.Duration)
}

// Experiments tells the variant a user holds of each running experiment,
// so that a session records what its practitioner was shown.
type Experiments interface {
	Exposures(ctx context.Context, userID string, roles []string) map[string]string
}

// HistoryFilter selects a user's sessions, newest first.
type HistoryFilter struct {
	UserID     string
	From, To   *time.Time // started at or after From, before To
	Status     string
	SequenceID string
	Limit      int
	Cursor     string
}

// Page is one page of a keyset-paginated list.
type Page struct {
	Items      []Session
	NextCursor string
}

// Stats are the figures of a user's practice over a range of days.
type Stats struct {
	TotalSessions     int
	CompletedSessions int
	AbandonedSessions int
	TotalActive       time.Duration
	AverageCompleted  time.Duration
	CurrentStreakDays int
	LongestStreakDays int
	LastPracticedAt   *time.Time
	ByDay             []DayMinutes
	TopSequences      []SequenceCount
	ByStyle           []StyleCount
}

// DayMinutes is the practice of one local day.
type DayMinutes struct {
	Day    int // days since 1970-01-01
	Active time.Duration
}

// SequenceCount is how often a sequence was practised.
type SequenceCount struct {
	SequenceID string
	Name       string
	Sessions   int
}

// StyleCount is the practice of one style.
type StyleCount struct {
	Style    string
	Sessions int
	Active   time.Duration
}

// StatsQuery selects the days of a user's stats; today anchors the current
// streak (alive while the last practice day is today or yesterday).
type StatsQuery struct {
	UserID   string
	From, To *int // local days, inclusive
	Today    int
	// ByDayFrom is the first day of ByDay, which would otherwise grow with
	// the user's whole history.
	ByDayFrom int
}

// Store is the persistence the Service needs.
type Store interface {
	// Create inserts a session with its exposures (those of flags since
	// deleted are skipped); the schema allows one active (in progress or
	// paused) per user, so a second returns a *ConflictError naming the
	// active one. Ended sessions (logged offline) never conflict.
	Create(ctx context.Context, s Session) error
	// Session returns the user's session; another user's is ErrNotFound.
	Session(ctx context.Context, userID, id string) (Session, error)
	// Current returns the user's active (in progress or paused) session,
	// or ErrNotFound.
	Current(ctx context.Context, userID string) (Session, error)
	// Update writes s if the stored session still has status from (so two
	// racing transitions cannot both apply); otherwise ErrInvalidTransition,
	// which is also the answer for another user's or an unknown session.
	Update(ctx context.Context, s Session, from string) error
	// History lists the user's sessions, newest first (started_at, then
	// ID, descending): From inclusive, To exclusive. f.Limit must be at
	// least 1; a cursor this list did not give out is a *validation.Error
	// on "cursor".
	History(ctx context.Context, f HistoryFilter) (Page, error)
	// Stats aggregates a user's sessions, in the database, by the local
	// days stored with them (From and To inclusive): counts and active
	// time of every status, streaks of days with a completed session (the
	// current one alive when its last day is Today or the day before),
	// ByDay from ByDayFrom, the top five sequences by sessions then name,
	// and styles by name. No sessions is zeros, not ErrNotFound.
	Stats(ctx context.Context, q StatsQuery) (Stats, error)
}
