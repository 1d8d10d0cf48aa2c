package httpapi

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yogaflow/yogaflow/internal/practice"
)

type sessionBody struct {
	ID              string     `json:"id" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a70"`
	SequenceID      *string    `json:"sequence_id" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a62" doc:"Null once the sequence is deleted."`
	SequenceName    string     `json:"sequence_name" example:"Gentle Morning Flow"`
	Status          string     `json:"status" enum:"in_progress,paused,completed,abandoned" example:"in_progress"`
	StartedAt       time.Time  `json:"started_at" example:"2026-01-31T07:15:00Z"`
	EndedAt         *time.Time `json:"ended_at,omitempty" example:"2026-01-31T07:35:00Z"`
	DurationSeconds int        `json:"duration_seconds" example:"1140" doc:"Active time by the server's clock, pauses excluded."`
	PausedSeconds   int        `json:"paused_seconds" example:"60"`
	CurrentStep     int        `json:"current_step" example:"3" doc:"The position of the step being practised."`
	CurrentSide     *string    `json:"current_side" example:"left" doc:"The side of that step being held: left, right, or null for a pose with one side."`
	StepElapsed     int        `json:"step_elapsed_seconds" example:"40" doc:"Active seconds into the current step, from its start (a left side follows the right): where another device resumes."`
	DeviceID        *string    `json:"device_id" example:"7d0c3e4a-phone" doc:"The player that reported progress last, as it named itself; another player seeing a name not its own knows the practice moved."`
	Rating          *int       `json:"rating,omitempty" example:"5"`
	Notes           *string    `json:"notes,omitempty" example:"Hips felt open today."`
}

func toSessionBody(s practice.Session, now time.Time) sessionBody {
	s = s.At(now)
	b := sessionBody{ID: s.ID, SequenceID: s.SequenceID, SequenceName: s.SequenceName, Status: s.Status,
		StartedAt: s.StartedAt, EndedAt: s.EndedAt, DurationSeconds: int(s.ActiveBanked / time.Second),
		PausedSeconds: int(s.PausedBanked / time.Second), CurrentStep: s.CurrentStep,
		StepElapsed: int(s.StepElapsed / time.Second), Rating: s.Rating, Notes: s.Notes}
	if s.CurrentSide != "" {
		b.CurrentSide = &s.CurrentSide
	}
	if s.DeviceID != "" {
		b.DeviceID = &s.DeviceID
	}
	return b
}

// IdempotencyHeader documents the Idempotency-Key a POST honours; the
// idempotent middleware acts on it. Exported so huma reads it when embedded.
type IdempotencyHeader struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" example:"7f3c1e9a-practice-start" doc:"A retry with the same key gets the first response; the same key with another body is a 422. Kept 24 hours."`
}

type (
	sessionOutput struct {
		Body sessionBody
	}
	startSessionInput struct {
		IdempotencyHeader
		Body struct {
			SequenceID string `json:"sequence_id" minLength:"1" maxLength:"100" example:"gentle-morning-flow" doc:"The sequence's ID or slug."`
		}
	}
	sessionIDInput struct {
		ID string `path:"id" maxLength:"64" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a70"`
	}
	sessionActionInput struct {
		ID string `path:"id" maxLength:"64" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a70"`
		IdempotencyHeader
	}
	completeSessionInput struct {
		ID string `path:"id" maxLength:"64" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a70"`
		IdempotencyHeader
		// A pointer: the body is optional.
		Body *completion
	}
	completion struct {
		Rating *int    `json:"rating,omitempty" minimum:"1" maximum:"5" example:"5"`
		Notes  *string `json:"notes,omitempty" maxLength:"2000" example:"Hips felt open today."`
	}
	progressInput struct {
		ID string `path:"id" maxLength:"64" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a70"`
		IdempotencyHeader
		Body struct {
			StepPosition int     `json:"step_position" minimum:"1" maximum:"100" example:"3" doc:"1-based position of the step now being practised."`
			Side         *string `json:"side,omitempty" enum:"left,right" example:"left" doc:"The side of that step being held: one of the sides the step is held on (a 'both' step of a two-sided pose: right, then left); leave it out for a pose with one side."`
			StepElapsed  *int    `json:"step_elapsed_seconds,omitempty" minimum:"0" maximum:"7200" example:"40" doc:"Active seconds into the step, from its start; with side, a value shorter than what comes before that side counts from the side's start (left, 5: five seconds into the left side). Absent: the start of the step (or of the side)."`
			DeviceID     string  `json:"device_id,omitempty" maxLength:"64" pattern:"^[A-Za-z0-9_-]+$" example:"7d0c3e4a-phone" doc:"The reporting player's own name for itself (say a random ID per app instance): it becomes the session's device_id."`
		}
	}
)

type (
	historyInput struct {
		ListParams
		From       string `query:"from" maxLength:"40" example:"2026-01-01" doc:"A date (from the start of that day in my time zone) or an RFC 3339 timestamp."`
		To         string `query:"to" maxLength:"40" example:"2026-01-31" doc:"A date (up to the end of that day in my time zone) or an RFC 3339 timestamp."`
		Status     string `query:"status" enum:"in_progress,paused,completed,abandoned" example:"completed"`
		SequenceID string `query:"sequence_id" maxLength:"64" format:"uuid" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a62" doc:"A sequence's ID (not its slug); anything else is a 422."`
	}
	logPracticeInput struct {
		IdempotencyHeader
		Body struct {
			SequenceID      string    `json:"sequence_id,omitempty" maxLength:"100" example:"gentle-morning-flow" doc:"The sequence practised (ID or slug), if any."`
			Title           string    `json:"title,omitempty" maxLength:"100" example:"Yoga in the park" doc:"Without it, the sequence's name, or \"Practice\" when no sequence is given either."`
			StartedAt       time.Time `json:"started_at" example:"2026-01-31T07:15:00Z"`
			DurationSeconds int       `json:"duration_seconds" minimum:"1" maximum:"86400" example:"1200"`
			Rating          *int      `json:"rating,omitempty" minimum:"1" maximum:"5" example:"4"`
			Notes           *string   `json:"notes,omitempty" maxLength:"2000" example:"Windy but lovely."`
		}
	}
)

// canonicalUUID writes an ID that passed format:"uuid" (which also takes
// upper case, braces, urn:uuid: and no hyphens) the way IDs are stored.
func canonicalUUID(s string) string {
	if u, err := uuid.Parse(s); err == nil {
		return u.String()
	}
	return s
}

// bound reads a from/to parameter: a timestamp or a date.
func bound(v string) practice.Bound {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return practice.Bound{Instant: &t}
	}
	return practice.Bound{Date: v}
}

func (h *practiceHandlers) history(ctx context.Context, in *historyInput) (*listOutput[sessionBody], error) {
	page, err := h.svc.History(ctx, practice.HistoryFilter{UserID: viewer(ctx), Status: in.Status, SequenceID: canonicalUUID(in.SequenceID),
		Limit: in.Limit, Cursor: in.Cursor}, bound(in.From), bound(in.To))
	now := h.svc.Now()
	return listOf(page.Items, page.NextCursor, err, func(s practice.Session) sessionBody { return toSessionBody(s, now) })
}

func (h *practiceHandlers) logPractice(ctx context.Context, in *logPracticeInput) (*sessionOutput, error) {
	return h.out(h.svc.LogOffline(ctx, viewer(ctx), practice.OfflineInput{SequenceRef: in.Body.SequenceID, Title: in.Body.Title,
		StartedAt: in.Body.StartedAt, DurationSeconds: in.Body.DurationSeconds, Rating: in.Body.Rating, Notes: in.Body.Notes}))
}

type (
	statsInput struct {
		From string `query:"from" maxLength:"40" example:"2026-01-01" doc:"A date in my time zone, or an RFC 3339 timestamp (its day in my time zone)."`
		To   string `query:"to" maxLength:"40" example:"2026-01-31" doc:"Inclusive, as from."`
	}
	dayMinutes struct {
		Date    string  `json:"date" example:"2026-01-31" doc:"A day in my time zone."`
		Minutes float64 `json:"minutes" example:"42.5"`
	}
	sequenceCount struct {
		SequenceID string `json:"sequence_id" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a62"`
		Name       string `json:"name" example:"Gentle Morning Flow"`
		Sessions   int    `json:"sessions" example:"12"`
	}
	styleCount struct {
		Style           string `json:"style" example:"vinyasa"`
		Sessions        int    `json:"sessions" example:"7"`
		DurationSeconds int    `json:"duration_seconds" example:"8400"`
	}
	statsBody struct {
		TotalSessions          int             `json:"total_sessions" example:"30"`
		CompletedSessions      int             `json:"completed_sessions" example:"26"`
		AbandonedSessions      int             `json:"abandoned_sessions" example:"3"`
		CompletionRate         float64         `json:"completion_rate" example:"0.897" doc:"Completed over ended (completed or abandoned); 0 with none."`
		TotalDurationSeconds   int             `json:"total_duration_seconds" example:"36000"`
		AverageDurationSeconds int             `json:"average_duration_seconds" example:"1300" doc:"Of completed sessions."`
		CurrentStreakDays      int             `json:"current_streak_days" example:"4" doc:"Days in a row with a completed practice, up to today or yesterday, in my time zone."`
		LongestStreakDays      int             `json:"longest_streak_days" example:"11"`
		LastPracticedAt        *time.Time      `json:"last_practiced_at" example:"2026-01-31T07:15:00Z"`
		MinutesByDay           []dayMinutes    `json:"minutes_by_day" doc:"Days with practice, oldest first: those of [from, to], or without from the 90 days up to to (or today)."`
		TopSequences           []sequenceCount `json:"top_sequences" doc:"The five most practised."`
		ByStyle                []styleCount    `json:"by_style"`
	}
	statsOutput struct {
		Body statsBody
	}
)

func (h *practiceHandlers) stats(ctx context.Context, in *statsInput) (*statsOutput, error) {
	st, err := h.svc.Stats(ctx, viewer(ctx), bound(in.From), bound(in.To))
	if err != nil {
		return nil, err
	}
	b := statsBody{TotalSessions: st.TotalSessions, CompletedSessions: st.CompletedSessions, AbandonedSessions: st.AbandonedSessions,
		TotalDurationSeconds: int(st.TotalActive / time.Second), AverageDurationSeconds: int(st.AverageCompleted / time.Second),
		CurrentStreakDays: st.CurrentStreakDays, LongestStreakDays: st.LongestStreakDays, LastPracticedAt: st.LastPracticedAt,
		MinutesByDay: mapSlice(st.ByDay, func(d practice.DayMinutes) dayMinutes {
			return dayMinutes{Date: practice.DayDate(d.Day), Minutes: math.Round(d.Active.Minutes()*10) / 10}
		}),
		TopSequences: mapSlice(st.TopSequences, func(c practice.SequenceCount) sequenceCount { return sequenceCount(c) }),
		ByStyle: mapSlice(st.ByStyle, func(c practice.StyleCount) styleCount {
			return styleCount{Style: c.Style, Sessions: c.Sessions, DurationSeconds: int(c.Active / time.Second)}
		}),
	}
	if ended := st.CompletedSessions + st.AbandonedSessions; ended > 0 {
		b.CompletionRate = math.Round(float64(st.CompletedSessions)/float64(ended)*1000) / 1000
	}
	return &statsOutput{Body: b}, nil
}

// clockRule is how the server keeps a session's clock, for the operations
// that show it.
var clockRule = "The server keeps the clock: from the last report (start, progress, pause, resume) it walks the practice along " +
	"the sequence as it was when the session started (current_step, current_side, step_elapsed_seconds move on by themselves), " +
	"and it counts active time for at most what is left of the sequence plus " + strconv.Itoa(int(practice.IdleTolerance/time.Second)) +
	" seconds: past that, a practice left open " +
	"is paused, from the moment it reached that bound, and the rest counts as paused time."

type practiceHandlers struct {
	svc *practice.Service
}

// practiceDocs are the pages of practice sessions and their history.
func practiceDocs() map[string]huma.Operation {
	op := func(summary, description string, status int, errs ...int) huma.Operation {
		return huma.Operation{Summary: summary, Description: description, DefaultStatus: status, Errors: errs}
	}
	docs := map[string]huma.Operation{
		"start-session": op("Start practising a sequence",
			"409 session_conflict, with the active session's id, while another session is in progress or paused; this holds under concurrent requests. "+clockRule,
			http.StatusCreated, http.StatusConflict),
		"current-session": op("My active session", "404 when there is none. "+clockRule, 0, http.StatusNotFound),
		"get-session":     op("A session of mine", "Another user's session is a 404.", 0, http.StatusNotFound),
		"complete-session": op("Complete, with a rating and a note",
			"From in_progress or paused, else 409 invalid_transition.", 0, http.StatusNotFound, http.StatusConflict),
		"history": op("My practice history", "Newest first.", 0),
		"stats": op("My practice figures",
			"Computed by the database. Days and streaks count in my time zone. The figures cover [from, to] (either may be absent); "+
				"minutes_by_day lists the last 90 days of it unless from is given, so its size does not grow with years of practice.", 0),
		"log-practice": op("Log a practice done offline",
			"Recorded as completed; it must have ended by now and last at most a day.", http.StatusCreated),
		"session-progress": op("Record where the practice stands",
			"The step, and optionally the side and the active seconds into the step, so another device resumes at the same step, side and second. "+
				"Re-reporting the present step with neither side nor step_elapsed_seconds keeps the server's place. "+
				"422 for a position outside the sequence, a side the step is not held on, or a time beyond the step (or that side). "+clockRule,
			0, http.StatusNotFound, http.StatusConflict),
	}
	for _, t := range []struct{ verb, summary, from string }{
		{"pause", "Pause: the clock stops", "in_progress"},
		{"resume", "Resume: the clock runs again", "paused"},
		{"abandon", "Abandon: end without completing", "in_progress or paused"},
	} {
		docs[t.verb+"-session"] = op(t.summary, "Only from "+t.from+", else 409 invalid_transition.", 0, http.StatusNotFound, http.StatusConflict)
	}
	return docs
}

// transition is the handler of a move of the caller's session: pause,
// resume or abandon.
func (h *practiceHandlers) transition(do func(context.Context, string, string) (practice.Session, error)) func(context.Context, *sessionActionInput) (*sessionOutput, error) {
	return func(ctx context.Context, in *sessionActionInput) (*sessionOutput, error) {
		return h.out(do(ctx, viewer(ctx), in.ID))
	}
}

func (h *practiceHandlers) out(s practice.Session, err error) (*sessionOutput, error) {
	if err != nil {
		return nil, err
	}
	return &sessionOutput{Body: toSessionBody(s, h.svc.Now())}, nil
}

func (h *practiceHandlers) start(ctx context.Context, in *startSessionInput) (*sessionOutput, error) {
	var roles []string
	if p := principalFrom(ctx); p != nil {
		roles = p.Roles
	}
	return h.out(h.svc.Start(ctx, viewer(ctx), roles, in.Body.SequenceID))
}

func (h *practiceHandlers) current(ctx context.Context, _ *struct{}) (*sessionOutput, error) {
	return h.out(h.svc.Current(ctx, viewer(ctx)))
}

func (h *practiceHandlers) get(ctx context.Context, in *sessionIDInput) (*sessionOutput, error) {
	return h.out(h.svc.Session(ctx, viewer(ctx), in.ID))
}

func (h *practiceHandlers) complete(ctx context.Context, in *completeSessionInput) (*sessionOutput, error) {
	var c completion
	if in.Body != nil {
		c = *in.Body
	}
	return h.out(h.svc.Complete(ctx, viewer(ctx), in.ID, c.Rating, c.Notes))
}

func (h *practiceHandlers) progress(ctx context.Context, in *progressInput) (*sessionOutput, error) {
	r := practice.Report{Step: in.Body.StepPosition, Side: in.Body.Side, DeviceID: in.Body.DeviceID}
	if in.Body.StepElapsed != nil {
		d := time.Duration(*in.Body.StepElapsed) * time.Second
		r.Elapsed = &d
	}
	return h.out(h.svc.Progress(ctx, viewer(ctx), in.ID, r))
}
