// Package practice is people practising: timed sessions of a sequence with
// a clock the server keeps, and their history.
package practice

import (
	"context"
	"errors"
	"time"
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
	CurrentStep  int
	StepCount    int
	Rating       *int
	Notes        *string
	UpdatedAt    time.Time
	// Exposures holds, by flag key, the variant the user held of each
	// running experiment when the session started; written with it.
	Exposures map[string]string
}

// Durations returns the active and paused time of the session at now: what
// is banked, plus the present stretch while it runs.
func (s Session) Durations(now time.Time) (active, paused time.Duration) {
	active, paused = s.ActiveBanked, s.PausedBanked
	switch s.Status {
	case InProgress:
		active += max(0, now.Sub(s.StretchStart))
	case Paused:
		paused += max(0, now.Sub(s.StretchStart))
	}
	return active, paused
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
	// Create inserts an active session with its exposures; the schema
	// allows one per user, so a second returns a *ConflictError naming the
	// active one.
	Create(ctx context.Context, s Session) error
	// Session returns the user's session; another user's is ErrNotFound.
	Session(ctx context.Context, userID, id string) (Session, error)
	// Current returns the user's active session, or ErrNotFound.
	Current(ctx context.Context, userID string) (Session, error)
	// Update writes s if the stored session still has status from (so two
	// racing transitions cannot both apply); otherwise ErrInvalidTransition.
	Update(ctx context.Context, s Session, from string) error
	// History lists sessions, newest first.
	History(ctx context.Context, f HistoryFilter) (Page, error)
	// Stats aggregates a user's sessions, in the database.
	Stats(ctx context.Context, q StatsQuery) (Stats, error)
}
