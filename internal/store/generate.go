package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/yogaflow/yogaflow/internal/library"
	"github.com/yogaflow/yogaflow/internal/practice"
)

// Workload describes synthetic people and their practice history, for
// capacity tests and benchmarks.
type Workload struct {
	Users int
	// Sessions are shared evenly among the users (the first ones take the
	// remainder). Each user practises about once a day, newest yesterday,
	// so a long history reaches far back and a recent window holds about
	// as much as anyone's.
	Sessions int
	// EmailPrefix names the users PREFIX-000001@example.test onwards.
	EmailPrefix string
	// PasswordHash is every user's bcrypt hash: hash one password once and
	// any of them can sign in with it.
	PasswordHash string
	// Now is when the data is made.
	Now time.Time
	// Seed makes the data: the same seed gives the same history.
	Seed uint64
	// SequencesEach is how many sequences of their own each user composes
	// (eight steps on the library's poses); their sessions stay on presets.
	SequencesEach int
}

// Generated counts what Generate inserted.
type Generated struct{ Users, Sessions, Sequences int }

// generateTimezones spread the users around the world, both edges of the
// date line among them.
var generateTimezones = []string{"UTC", "Europe/London", "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney",
	"Pacific/Kiritimati", "Asia/Kolkata", "America/Sao_Paulo"}

// generateTxSessions bounds a transaction, so a big load commits as it
// goes and reports progress.
const generateTxSessions = 50_000

type generatedSequence struct {
	id, name, style string
	steps           int
}

// Generate inserts w's users and sessions in batched multi-row statements,
// a transaction for every few tens of thousands of sessions, and calls
// progress after each transaction. It needs the users' emails to be free:
// a second run takes another EmailPrefix.
func (db *DB) Generate(ctx context.Context, w Workload, progress func(Generated)) (Generated, error) {
	if w.Users < 1 || w.Sessions < 0 || w.EmailPrefix == "" || w.PasswordHash == "" {
		return Generated{}, errors.New("generate: needs at least one user, an email prefix and a password hash")
	}
	zones := make([]*time.Location, len(generateTimezones))
	for i, name := range generateTimezones {
		loc, err := time.LoadLocation(name)
		if err != nil {
			return Generated{}, fmt.Errorf("generate: %w", err)
		}
		zones[i] = loc
	}
	sequences, err := queryAll(ctx, db.read, func(r rowScanner) (generatedSequence, error) {
		var s generatedSequence
		var style sql.NullString
		err := r.Scan(&s.id, &s.name, &style, &s.steps)
		s.style = style.String
		return s, err
	}, `SELECT s.id, s.name, s.style, (SELECT COUNT(*) FROM sequence_steps st WHERE st.sequence_id = s.id)
FROM sequences s WHERE s.owner_id IS NULL ORDER BY s.id`)
	if err != nil {
		return Generated{}, fmt.Errorf("generate: reading the presets: %w", err)
	}
	var poses []string
	if w.SequencesEach > 0 {
		if poses, err = queryAll(ctx, db.read, func(r rowScanner) (string, error) {
			var id string
			return id, r.Scan(&id)
		}, `SELECT id FROM poses ORDER BY slug`); err != nil {
			return Generated{}, fmt.Errorf("generate: reading the poses: %w", err)
		}
		if len(poses) == 0 {
			return Generated{}, errors.New("generate: users' own sequences need the pose library: seed it first")
		}
	}
	// A fixed, seeded stream: capacity data need not be unpredictable.
	rng := rand.New(rand.NewPCG(w.Seed, w.Seed^0x9e3779b97f4a7c15)) // #nosec G404 -- synthetic test data, not a secret

	var done Generated
	for first := 0; first < w.Users; {
		// Users in this transaction: as many as fit in its session budget.
		last, sessions := first, 0
		for last < w.Users && (last == first || sessions+sessionsOf(w, last) <= generateTxSessions) {
			sessions += sessionsOf(w, last)
			last++
		}
		err := db.inTx(ctx, func(tx *txn) error {
			return db.generateUsers(ctx, tx, w, first, last, zones, sequences, poses, rng)
		})
		if err != nil {
			return done, fmt.Errorf("generate: %w", err)
		}
		done.Users += last - first
		done.Sessions += sessions
		done.Sequences += (last - first) * w.SequencesEach
		if progress != nil {
			progress(done)
		}
		first = last
	}
	// A both step of a two-sided pose counts twice: the library's rule,
	// applied to the new sequences (and, harmlessly, to any other slug the
	// pattern matches) in one statement.
	if done.Sequences > 0 {
		if _, err := db.write.ExecContext(ctx, deriveTotals+`slug LIKE $1`, w.EmailPrefix+"-flow-%"); err != nil {
			return done, fmt.Errorf("generate: %w", err)
		}
	}
	// PostgreSQL's autovacuum would analyse the new rows at some point; do
	// it now, so plans right after a load are those of production. SQLite
	// gathers no statistics unless asked, and the service never asks.
	if db.engine == Postgres {
		if _, err := db.write.ExecContext(ctx, "ANALYZE users, practice_sessions"); err != nil {
			return done, fmt.Errorf("generate: %w", err)
		}
	}
	return done, nil
}

// sessionsOf is how many sessions user i (from 0) gets.
func sessionsOf(w Workload, i int) int {
	n := w.Sessions / w.Users
	if i < w.Sessions%w.Users {
		n++
	}
	return n
}

// generateUsers inserts users [first, last) and their sessions.
func (db *DB) generateUsers(ctx context.Context, tx *txn, w Workload, first, last int,
	zones []*time.Location, sequences []generatedSequence, poses []string, rng *rand.Rand) error {
	now := w.Now.UTC().Truncate(time.Millisecond)
	var sessions [][]any
	users := make([][]any, 0, last-first)
	for i := first; i < last; i++ {
		id := uuid.Must(uuid.NewV7()).String()
		loc := zones[i%len(zones)]
		n := sessionsOf(w, i)
		created := now.AddDate(0, 0, -n-2)
		users = append(users, []any{id, fmt.Sprintf("%s-%06d@example.test", w.EmailPrefix, i+1),
			fmt.Sprintf("Practitioner %d", i+1), loc.String(), w.PasswordHash, created, created, created})
		// Newest first: yesterday, then a day back most times, two days
		// sometimes (a broken streak), now and then twice in a day.
		y, m, d := now.In(loc).Date()
		day := time.Date(y, m, d-1, 0, 0, 0, 0, loc)
		for j := range n {
			if j > 0 {
				switch r := rng.IntN(100); {
				case r < 5:
				case r < 85:
					day = day.AddDate(0, 0, -1)
				default:
					day = day.AddDate(0, 0, -2)
				}
			}
			sessions = append(sessions, generatedSession(id, day, loc, sequences, rng))
		}
	}
	if err := db.insertBatched(ctx, tx, "users",
		"id, email, display_name, timezone, password_hash, email_verified_at, created_at, updated_at", len(users),
		func(i int) []any { return users[i] }); err != nil {
		return err
	}
	if err := db.insertBatched(ctx, tx, "user_roles", "user_id, role", len(users),
		func(i int) []any { return []any{users[i][0], "user"} }); err != nil {
		return err
	}
	if err := db.insertBatched(ctx, tx, "practice_sessions", sessionColumns, len(sessions),
		func(i int) []any { return sessions[i] }); err != nil {
		return err
	}
	return db.generateSequences(ctx, tx, w, first, users, poses, rng)
}

// generatedSteps is the length of a generated user's own sequence.
const generatedSteps = 8

// generateSequences inserts w.SequencesEach sequences for each of users
// (numbered from first), named like the presets so they sort among them.
func (db *DB) generateSequences(ctx context.Context, tx *txn, w Workload, first int, users [][]any, poses []string, rng *rand.Rand) error {
	n := len(users) * w.SequencesEach
	if n == 0 {
		return nil
	}
	levels, styles, areas := library.Difficulties, library.Styles, library.FocusAreas
	names := []string{"Gentle", "Morning", "My", "Power", "Evening"}
	now := w.Now.UTC().Truncate(time.Millisecond)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = uuid.Must(uuid.NewV7()).String()
	}
	err := db.insertBatched(ctx, tx, "sequences",
		"id, slug, name, difficulty, style, focus_area, owner_id, total_duration_seconds, created_at, updated_at", n,
		func(i int) []any {
			k := first*w.SequencesEach + i
			return []any{ids[i], fmt.Sprintf("%s-flow-%07d", w.EmailPrefix, k), fmt.Sprintf("%s Flow %05d", names[k%len(names)], k),
				levels[k%len(levels)], styles[k%len(styles)], areas[k%len(areas)], users[i/w.SequencesEach][0],
				0, now, now} // totals are derived once all are in
		})
	if err != nil {
		return err
	}
	return db.insertBatched(ctx, tx, "sequence_steps", "sequence_id, position, pose_id, duration_seconds, side",
		n*generatedSteps, func(i int) []any {
			return []any{ids[i/generatedSteps], i%generatedSteps + 1, poses[rng.IntN(len(poses))], 60, "both"}
		})
}

// generatedSession is one ended session of userID on day (local midnight
// in loc), as the values of sessionColumns.
func generatedSession(userID string, day time.Time, loc *time.Location, sequences []generatedSequence, rng *rand.Rand) []any {
	started := day.Add(6*time.Hour + time.Duration(rng.IntN(15*60))*time.Minute).UTC()
	status, active := practice.Completed, time.Duration(10+rng.IntN(66))*time.Minute
	if rng.IntN(100) < 8 {
		status, active = practice.Abandoned, time.Duration(3+rng.IntN(18))*time.Minute
	}
	var paused time.Duration
	if rng.IntN(100) < 30 {
		paused = time.Duration(rng.IntN(300)) * time.Second
	}
	ended := started.Add(active + paused)
	var seqID, style sql.NullString
	name, steps := "Practice on my own", 1
	if len(sequences) > 0 {
		s := sequences[rng.IntN(len(sequences))]
		seqID, style, name, steps = sql.NullString{String: s.id, Valid: true}, nullString(s.style), s.name, max(1, s.steps)
	}
	step := steps
	var rating sql.NullInt64
	if status == practice.Abandoned {
		step = 1 + rng.IntN(steps)
	} else if rng.IntN(100) < 60 {
		rating = sql.NullInt64{Int64: int64(3 + rng.IntN(3)), Valid: true}
	}
	return []any{uuid.Must(uuid.NewV7()).String(), userID, seqID, name, status, started, ended, active.Milliseconds(),
		paused.Milliseconds(), ended, step, steps, rating, nil, ended, style, practice.DayNumber(started, loc), nil, 0, nil, nil}
}

// insertBatched inserts n rows into table, as many to a statement as fit
// in the engine's budget of parameters.
func (db *DB) insertBatched(ctx context.Context, tx *txn, table, cols string, n int, row func(i int) []any) error {
	// modernc.org/sqlite looks a "$N" parameter up by name in a list, so a
	// statement's cost grows with the square of its parameters: a few
	// hundred there. PostgreSQL takes up to 65,535.
	maxParams := 20_000
	if db.engine == SQLite {
		maxParams = 200
	}
	width := len(strings.Split(cols, ","))
	per := max(1, maxParams/width)
	for from := 0; from < n; from += per {
		to := min(n, from+per)
		var b strings.Builder
		args := make([]any, 0, (to-from)*width)
		fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, cols)
		for i := from; i < to; i++ {
			if i > from {
				b.WriteString(", ")
			}
			b.WriteString("(" + placeholders(len(args)+1, width) + ")")
			args = append(args, row(i)...)
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("inserting into %s: %w", table, err)
		}
	}
	return nil
}

// placeholders returns "$from, $from+1, ..." for n values.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}
