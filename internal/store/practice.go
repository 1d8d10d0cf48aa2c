package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/yogaflow/yogaflow/internal/practice"
)

// Practice is the practice.Store on this database.
type Practice struct{ db *DB }

var _ practice.Store = (*Practice)(nil)

// Practice returns the practice store.
func (db *DB) Practice() *Practice { return &Practice{db: db} }

const sessionColumns = `id, user_id, sequence_id, sequence_name, status, started_at, ended_at, active_ms, paused_ms,
stretch_start, current_step, step_count, rating, notes, updated_at, style, local_day, current_side, step_elapsed_ms, plan, device_id`

// planStep is a practice.PlanStep as the plan column keeps it (JSON).
type planStep struct {
	Seconds int      `json:"seconds"`
	Sides   []string `json:"sides,omitempty"`
}

func encodePlan(plan []practice.PlanStep) (sql.NullString, error) {
	if plan == nil {
		return sql.NullString{}, nil
	}
	rows := make([]planStep, len(plan))
	for i, p := range plan {
		rows[i] = planStep(p)
	}
	b, err := json.Marshal(rows)
	return sql.NullString{String: string(b), Valid: true}, err
}

func decodePlan(col sql.NullString) ([]practice.PlanStep, error) {
	if !col.Valid {
		return nil, nil
	}
	var rows []planStep
	if err := json.Unmarshal([]byte(col.String), &rows); err != nil {
		return nil, err
	}
	plan := make([]practice.PlanStep, len(rows))
	for i, r := range rows {
		plan[i] = practice.PlanStep(r)
	}
	return plan, nil
}

func scanSession(r rowScanner) (practice.Session, error) {
	var s practice.Session
	var seqID, notes, style, side, plan, device sql.NullString
	var ended sql.NullTime
	var rating sql.NullInt64
	var activeMS, pausedMS, stepMS int64
	err := r.Scan(&s.ID, &s.UserID, &seqID, &s.SequenceName, &s.Status, &s.StartedAt, &ended, &activeMS, &pausedMS,
		&s.StretchStart, &s.CurrentStep, &s.StepCount, &rating, &notes, &s.UpdatedAt, &style, &s.LocalDay, &side, &stepMS, &plan, &device)
	if errors.Is(err, sql.ErrNoRows) {
		return practice.Session{}, practice.ErrNotFound
	}
	if err != nil {
		return practice.Session{}, err
	}
	if seqID.Valid {
		s.SequenceID = &seqID.String
	}
	if notes.Valid {
		s.Notes = &notes.String
	}
	s.Style, s.CurrentSide, s.DeviceID = style.String, side.String, device.String
	s.StepElapsed = time.Duration(stepMS) * time.Millisecond
	if s.Plan, err = decodePlan(plan); err != nil {
		return practice.Session{}, err
	}
	if rating.Valid {
		r := int(rating.Int64)
		s.Rating = &r
	}
	s.EndedAt = nullTime(ended)
	s.ActiveBanked, s.PausedBanked = time.Duration(activeMS)*time.Millisecond, time.Duration(pausedMS)*time.Millisecond
	s.StartedAt, s.StretchStart, s.UpdatedAt = s.StartedAt.UTC(), s.StretchStart.UTC(), s.UpdatedAt.UTC()
	return s, nil
}

func (p *Practice) Create(ctx context.Context, s practice.Session) error {
	plan, err := encodePlan(s.Plan)
	if err != nil {
		return err
	}
	err = p.db.inTx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO practice_sessions (`+sessionColumns+`)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
			s.ID, s.UserID, s.SequenceID, s.SequenceName, s.Status, s.StartedAt, s.EndedAt, s.ActiveBanked.Milliseconds(),
			s.PausedBanked.Milliseconds(), s.StretchStart, s.CurrentStep, s.StepCount, s.Rating, s.Notes, s.UpdatedAt,
			nullString(s.Style), s.LocalDay, nullString(s.CurrentSide), s.StepElapsed.Milliseconds(), plan, nullString(s.DeviceID))
		if err != nil {
			return err
		}
		for _, key := range slices.Sorted(maps.Keys(s.Exposures)) {
			// From flags: a flag deleted since it was evaluated is skipped.
			if _, err := tx.ExecContext(ctx, `INSERT INTO session_flag_variants (flag_key, session_id, variant)
SELECT key, $2, $3 FROM flags WHERE key = $1`, key, s.ID, s.Exposures[key]); err != nil {
				return err
			}
		}
		return nil
	})
	if isUniqueViolation(err) {
		active, cerr := p.Current(ctx, s.UserID)
		if cerr != nil {
			// The active session ended between the two statements.
			return &practice.ConflictError{}
		}
		return &practice.ConflictError{ActiveID: active.ID}
	}
	return err
}

func (p *Practice) Session(ctx context.Context, userID, id string) (practice.Session, error) {
	return scanSession(p.db.read.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM practice_sessions WHERE id = $1 AND user_id = $2`, id, userID))
}

func (p *Practice) Current(ctx context.Context, userID string) (practice.Session, error) {
	return scanSession(p.db.read.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM practice_sessions
WHERE user_id = $1 AND status IN ('in_progress', 'paused')`, userID))
}

func (p *Practice) Update(ctx context.Context, s practice.Session, from string) error {
	res, err := p.db.write.ExecContext(ctx, `UPDATE practice_sessions SET status = $3, ended_at = $4, active_ms = $5,
paused_ms = $6, stretch_start = $7, current_step = $8, rating = $9, notes = $10, updated_at = $11,
current_side = $13, step_elapsed_ms = $14, device_id = $15
WHERE id = $1 AND user_id = $2 AND status = $12`,
		s.ID, s.UserID, s.Status, s.EndedAt, s.ActiveBanked.Milliseconds(), s.PausedBanked.Milliseconds(), s.StretchStart,
		s.CurrentStep, s.Rating, s.Notes, s.UpdatedAt, from, nullString(s.CurrentSide), s.StepElapsed.Milliseconds(), nullString(s.DeviceID))
	return affectedOne(res, err, practice.ErrInvalidTransition)
}

func (p *Practice) History(ctx context.Context, hf practice.HistoryFilter) (practice.Page, error) {
	query, args, err := historyQuery(hf)
	if err != nil {
		return practice.Page{}, err
	}
	sessions, err := queryAll(ctx, p.db.read, scanSession, query, args...)
	if err != nil {
		return practice.Page{}, err
	}
	page := pageOf(sessions, hf.Limit, func(s practice.Session) string { return encodeCursor(s.StartedAt, s.ID) })
	return practice.Page{Items: page.Items, NextCursor: page.NextCursor}, nil
}

// historyQuery reads one page of a user's sessions, newest first, along
// practice_sessions_history.
func historyQuery(hf practice.HistoryFilter) (string, []any, error) {
	var f filter
	f.where("user_id = " + f.arg(hf.UserID))
	if hf.From != nil {
		f.where("started_at >= " + f.arg(*hf.From))
	}
	if hf.To != nil {
		f.where("started_at < " + f.arg(*hf.To))
	}
	if hf.Status != "" {
		f.where("status = " + f.arg(hf.Status))
	}
	if hf.SequenceID != "" {
		f.where("sequence_id = " + f.arg(hf.SequenceID))
	}
	if err := f.afterTime(hf.Cursor, "started_at"); err != nil {
		return "", nil, badCursor()
	}
	query := "SELECT " + sessionColumns + " FROM practice_sessions" + f.clause() +
		" ORDER BY started_at DESC, id DESC LIMIT " + f.arg(hf.Limit+1)
	return query, f.args, nil
}

// ActiveUsers counts the people who started a session at or after since.
func (p *Practice) ActiveUsers(ctx context.Context, since time.Time) (int, error) {
	var n int
	err := p.db.read.QueryRowContext(ctx, activeUsersQuery, since).Scan(&n)
	return n, err
}

const activeUsersQuery = `SELECT COUNT(DISTINCT user_id) FROM practice_sessions WHERE started_at >= $1`

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// statsSQL are the queries of Stats over one user's days: args go with
// each of them but streaks and byDay, which take their own.
type statsSQL struct {
	totals, last, streaks, byDay, topSequences, byStyle string
	args, streakArgs, byDayArgs                         []any
}

// statsQueries builds the queries of Stats. Each reads one user's range of
// practice_sessions_days, whatever the size of the table.
func statsQueries(q practice.StatsQuery) statsSQL {
	var f filter
	f.where("user_id = " + f.arg(q.UserID))
	if q.From != nil {
		f.where("local_day >= " + f.arg(*q.From))
	}
	if q.To != nil {
		f.where("local_day <= " + f.arg(*q.To))
	}
	where, args := f.clause(), slices.Clone(f.args)
	days := filter{args: slices.Clone(args)}
	byDayFrom := days.arg(q.ByDayFrom)
	today := f.arg(q.Today)
	return statsSQL{
		args: args, streakArgs: f.args, byDayArgs: days.args,
		totals: `SELECT COUNT(*),
COALESCE(SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), 0),
COALESCE(SUM(CASE WHEN status = 'abandoned' THEN 1 ELSE 0 END), 0),
SUM(active_ms), AVG(CASE WHEN status = 'completed' THEN active_ms END)
FROM practice_sessions` + where,
		// Not MAX(started_at): SQLite loses a column's type in an aggregate.
		last: `SELECT started_at FROM practice_sessions` + where + ` ORDER BY started_at DESC LIMIT 1`,
		// Days with a completed practice, grouped into runs of consecutive
		// days (a day minus its rank is constant along a run).
		streaks: `SELECT COALESCE(MAX(days), 0),
COALESCE(MAX(CASE WHEN last_day >= ` + today + ` - 1 THEN days END), 0)
FROM (SELECT COUNT(*) AS days, MAX(local_day) AS last_day
      FROM (SELECT local_day, local_day - ROW_NUMBER() OVER (ORDER BY local_day) AS run
            FROM (SELECT DISTINCT local_day FROM practice_sessions` + where + ` AND status = 'completed') AS d) AS r
      GROUP BY run) AS runs`,
		byDay: `SELECT local_day, SUM(active_ms) FROM practice_sessions` + where + ` AND local_day >= ` + byDayFrom + `
GROUP BY local_day ORDER BY local_day`,
		topSequences: `SELECT sequence_id, MAX(sequence_name), COUNT(*) FROM practice_sessions` + where + `
AND sequence_id IS NOT NULL GROUP BY sequence_id ORDER BY COUNT(*) DESC, MAX(sequence_name) LIMIT 5`,
		byStyle: `SELECT style, COUNT(*), SUM(active_ms) FROM practice_sessions` + where + `
AND style IS NOT NULL GROUP BY style ORDER BY style`,
	}
}

// Stats aggregates in the database: a few grouped queries, whatever the
// number of sessions.
func (p *Practice) Stats(ctx context.Context, q practice.StatsQuery) (practice.Stats, error) {
	sq := statsQueries(q)
	var st practice.Stats
	var totalMS, avgMS sql.NullFloat64
	var last sql.NullTime
	err := p.db.read.QueryRowContext(ctx, sq.totals, sq.args...).Scan(&st.TotalSessions, &st.CompletedSessions,
		&st.AbandonedSessions, &totalMS, &avgMS)
	if err != nil {
		return practice.Stats{}, err
	}
	err = p.db.read.QueryRowContext(ctx, sq.last, sq.args...).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return practice.Stats{}, err
	}
	st.TotalActive = time.Duration(totalMS.Float64) * time.Millisecond
	st.AverageCompleted = time.Duration(avgMS.Float64) * time.Millisecond
	st.LastPracticedAt = nullTime(last)

	err = p.db.read.QueryRowContext(ctx, sq.streaks, sq.streakArgs...).Scan(&st.LongestStreakDays, &st.CurrentStreakDays)
	if err != nil {
		return practice.Stats{}, err
	}

	if st.ByDay, err = queryAll(ctx, p.db.read, func(r rowScanner) (practice.DayMinutes, error) {
		var d practice.DayMinutes
		var ms int64
		err := r.Scan(&d.Day, &ms)
		d.Active = time.Duration(ms) * time.Millisecond
		return d, err
	}, sq.byDay, sq.byDayArgs...); err != nil {
		return practice.Stats{}, err
	}
	if st.TopSequences, err = queryAll(ctx, p.db.read, func(r rowScanner) (practice.SequenceCount, error) {
		var c practice.SequenceCount
		return c, r.Scan(&c.SequenceID, &c.Name, &c.Sessions)
	}, sq.topSequences, sq.args...); err != nil {
		return practice.Stats{}, err
	}
	st.ByStyle, err = queryAll(ctx, p.db.read, func(r rowScanner) (practice.StyleCount, error) {
		var c practice.StyleCount
		var ms int64
		err := r.Scan(&c.Style, &c.Sessions, &ms)
		c.Active = time.Duration(ms) * time.Millisecond
		return c, err
	}, sq.byStyle, sq.args...)
	return st, err
}
