package storetest_test

import (
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/library"
	"github.com/yogaflow/yogaflow/internal/practice"
	"github.com/yogaflow/yogaflow/internal/store"
	"github.com/yogaflow/yogaflow/internal/store/storetest"
)

func TestPracticeSessionRoundTrip(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		var s practice.Store = db.Practice()
		accounts := accountStore(t, db)
		ana, ben := mustUser(t, accounts, "ana@example.test"), mustUser(t, accounts, "ben@example.test")
		seq := mustCreateSequence(t, db.Library(), newSequence("flow", "Flow", ""))

		sess := newSession("ps1", ana.ID, t0, time.UTC, practice.InProgress)
		sess.SequenceID, sess.Style, sess.CurrentSide, sess.DeviceID = &seq.ID, "vinyasa", "right", "phone-1"
		sess.ActiveBanked, sess.PausedBanked, sess.StepElapsed = 90*time.Second, 15*time.Second, 1500*time.Millisecond
		sess.CurrentStep, sess.StepCount = 2, 3
		sess.Plan = []practice.PlanStep{{Seconds: 30}, {Seconds: 45, Sides: []string{"right", "left"}}, {Seconds: 60, Sides: []string{"left"}}}
		sess.Exposures = map[string]string{"no-such-flag": "a"} // a flag deleted since: skipped, not an error
		mustCreateSession(t, s, sess)

		got, err := s.Session(ctx, ana.ID, "ps1")
		if err != nil {
			t.Fatal(err)
		}
		sess.Exposures = nil // written, never read back
		if !reflect.DeepEqual(got, sess) {
			t.Fatalf("Session =\n%+v\nwant\n%+v", got, sess)
		}
		if cur, err := s.Current(ctx, ana.ID); err != nil || cur.ID != "ps1" {
			t.Fatalf("Current = %+v, %v", cur, err)
		}

		// Without a sequence, a plan, a side or a device: nils and empty strings.
		offline := newSession("ps2", ana.ID, t0.Add(-time.Hour), time.UTC, practice.Completed)
		offline.Rating, offline.Notes = ptr(5), ptr("Lovely.")
		mustCreateSession(t, s, offline)
		got, err = s.Session(ctx, ana.ID, "ps2")
		if err != nil || got.SequenceID != nil || got.Plan != nil || got.Style != "" || got.CurrentSide != "" || got.DeviceID != "" ||
			got.Rating == nil || *got.Rating != 5 || got.Notes == nil || *got.Notes != "Lovely." || got.EndedAt == nil || !got.EndedAt.Equal(t0.Add(-40*time.Minute)) {
			t.Fatalf("an offline session = %+v, %v", got, err)
		}

		for _, c := range []struct{ name, user, id string }{
			{"another user's", ben.ID, "ps1"},
			{"unknown", ana.ID, "nothing"},
		} {
			_, err := s.Session(ctx, c.user, c.id)
			wantErr(t, err, practice.ErrNotFound, "Session of "+c.name)
		}
		_, err = s.Current(ctx, ben.ID)
		wantErr(t, err, practice.ErrNotFound, "Current without an active session")
	})
}

func TestPracticeOneActiveSession(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		var s practice.Store = db.Practice()
		accounts := accountStore(t, db)
		ana, ben := mustUser(t, accounts, "ana@example.test"), mustUser(t, accounts, "ben@example.test")

		first := mustCreateSession(t, s, newSession("ps1", ana.ID, t0, time.UTC, practice.InProgress))
		for _, status := range []string{practice.InProgress, practice.Paused} {
			err := s.Create(ctx, newSession("ps-"+status, ana.ID, t0, time.UTC, status))
			var conflict *practice.ConflictError
			if !errors.As(err, &conflict) || conflict.ActiveID != "ps1" {
				t.Fatalf("a second %s session: %v, want a *ConflictError naming ps1", status, err)
			}
		}
		// Ended sessions (logged offline) and other users' are no conflict.
		mustCreateSession(t, s, newSession("ps-done", ana.ID, t0.Add(-time.Hour), time.UTC, practice.Completed))
		mustCreateSession(t, s, newSession("ps-gone", ana.ID, t0.Add(-time.Hour), time.UTC, practice.Abandoned))
		mustCreateSession(t, s, newSession("ps-ben", ben.ID, t0, time.UTC, practice.Paused))
		if cur, _ := s.Current(ctx, ben.ID); cur.ID != "ps-ben" {
			t.Fatalf("a paused session is not current: %+v", cur)
		}

		// Once the first ends, another may start.
		ended := first
		ended.Status, ended.EndedAt = practice.Completed, ptr(t0.Add(time.Hour))
		if err := s.Update(ctx, ended, practice.InProgress); err != nil {
			t.Fatal(err)
		}
		_, err := s.Current(ctx, ana.ID)
		wantErr(t, err, practice.ErrNotFound, "Current after the session ended")
		mustCreateSession(t, s, newSession("ps2", ana.ID, t0.Add(2*time.Hour), time.UTC, practice.InProgress))

		// Of concurrent starts, one wins.
		const racers = 4
		errs := make([]error, racers)
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				errs[i] = s.Create(ctx, newSession("race-"+string(rune('a'+i)), ben.ID, t0, time.UTC, practice.InProgress))
			})
		}
		wg.Wait()
		for i, err := range errs {
			var conflict *practice.ConflictError
			if !errors.As(err, &conflict) || conflict.ActiveID != "ps-ben" {
				t.Fatalf("racer %d while ps-ben is active: %v", i, err)
			}
		}
		closed := newSession("ps-ben", ben.ID, t0, time.UTC, practice.Abandoned)
		if err := s.Update(ctx, closed, practice.Paused); err != nil {
			t.Fatal(err)
		}
		for i := range racers {
			wg.Go(func() {
				errs[i] = s.Create(ctx, newSession("race2-"+string(rune('a'+i)), ben.ID, t0, time.UTC, practice.InProgress))
			})
		}
		wg.Wait()
		oneWins(t, errs, func(err error) bool { var c *practice.ConflictError; return errors.As(err, &c) }, "start")
	})
}

func TestPracticeUpdate(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		var s practice.Store = db.Practice()
		accounts := accountStore(t, db)
		ana, ben := mustUser(t, accounts, "ana@example.test"), mustUser(t, accounts, "ben@example.test")
		sess := mustCreateSession(t, s, newSession("ps1", ana.ID, t0, time.UTC, practice.InProgress))

		paused := sess
		at := t0.Add(5 * time.Minute)
		paused.Status, paused.ActiveBanked, paused.StretchStart, paused.UpdatedAt = practice.Paused, 5*time.Minute, at, at
		paused.CurrentStep, paused.CurrentSide, paused.StepElapsed, paused.DeviceID = 2, "left", 10*time.Second, "tablet"
		if err := s.Update(ctx, paused, practice.InProgress); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Session(ctx, ana.ID, "ps1"); !reflect.DeepEqual(got, paused) {
			t.Fatalf("Session after Update =\n%+v\nwant\n%+v", got, paused)
		}

		// The stored status is paused now: a transition from in_progress is stale.
		stale := paused
		stale.Status, stale.ActiveBanked = practice.Completed, time.Hour
		for _, c := range []struct {
			name string
			s    practice.Session
			from string
		}{
			{"from a status it left", stale, practice.InProgress},
			{"of another user", withUser(stale, ben.ID), practice.Paused},
			{"of an unknown session", withID(stale, "nothing"), practice.Paused},
		} {
			wantErr(t, s.Update(ctx, c.s, c.from), practice.ErrInvalidTransition, "Update "+c.name)
		}
		if got, _ := s.Session(ctx, ana.ID, "ps1"); got.Status != practice.Paused || got.ActiveBanked != 5*time.Minute {
			t.Fatalf("a refused Update changed the session: %+v", got)
		}

		// Two racing transitions from paused: one applies.
		const racers = 4
		errs := make([]error, racers)
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				next := paused
				next.Status, next.ActiveBanked = practice.InProgress, time.Duration(i)*time.Second
				errs[i] = s.Update(ctx, next, practice.Paused)
			})
		}
		wg.Wait()
		oneWins(t, errs, func(err error) bool { return errors.Is(err, practice.ErrInvalidTransition) }, "transition")

		// Ending: rating, notes and end time land; it is no longer current.
		done := paused
		done.Status, done.EndedAt, done.Rating, done.Notes = practice.Completed, ptr(t0.Add(time.Hour)), ptr(4), ptr("Good.")
		if err := s.Update(ctx, done, practice.InProgress); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Session(ctx, ana.ID, "ps1")
		if got.Status != practice.Completed || got.EndedAt == nil || !got.EndedAt.Equal(t0.Add(time.Hour)) || *got.Rating != 4 || *got.Notes != "Good." {
			t.Fatalf("an ended session: %+v", got)
		}
		_, err := s.Current(ctx, ana.ID)
		wantErr(t, err, practice.ErrNotFound, "Current after the session ended")
	})
}

func withUser(s practice.Session, userID string) practice.Session { s.UserID = userID; return s }
func withID(s practice.Session, id string) practice.Session       { s.ID = id; return s }

func TestPracticeHistory(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		var s practice.Store = db.Practice()
		accounts := accountStore(t, db)
		ana, ben := mustUser(t, accounts, "ana@example.test"), mustUser(t, accounts, "ben@example.test")
		list := func(f practice.HistoryFilter) lister {
			return func(limit int, cursor string) ([]string, string, error) {
				f.Limit, f.Cursor = limit, cursor
				p, err := s.History(ctx, f)
				return keysOf(p.Items, func(s practice.Session) string { return s.ID }), p.NextCursor, err
			}
		}
		checkPages(t, nil, list(practice.HistoryFilter{UserID: ana.ID}))

		kiri := mustLoad(t, "Pacific/Kiritimati") // UTC+14: its day starts at 10:00 UTC the day before
		localMidnight := time.Date(2026, time.March, 8, 0, 0, 0, 0, kiri).UTC()
		seqA := mustCreateSequence(t, db.Library(), newSequence("a", "A", ""))
		for _, c := range []struct {
			id      string
			started time.Time
			status  string
			seq     bool
		}{
			{"h-01", localMidnight.Add(-26 * time.Hour), practice.Completed, true},
			{"h-02", localMidnight.Add(-time.Millisecond), practice.Abandoned, false}, // the last instant of 7 March there
			{"h-03", localMidnight, practice.Completed, true},                         // the first of 8 March
			{"h-04", localMidnight, practice.Completed, false},                        // the same instant: by ID, descending
			{"h-05", localMidnight.Add(23 * time.Hour), practice.InProgress, true},
		} {
			sess := newSession(c.id, ana.ID, c.started, kiri, c.status)
			if c.seq {
				sess.SequenceID = &seqA.ID
			}
			mustCreateSession(t, s, sess)
		}
		mustCreateSession(t, s, newSession("ben-1", ben.ID, localMidnight, kiri, practice.Completed))

		nextDay := localMidnight.Add(24 * time.Hour)
		for _, c := range []struct {
			name string
			f    practice.HistoryFilter
			want []string
		}{
			{"all, newest first", practice.HistoryFilter{}, []string{"h-05", "h-04", "h-03", "h-02", "h-01"}},
			{"from is inclusive", practice.HistoryFilter{From: &localMidnight}, []string{"h-05", "h-04", "h-03"}},
			{"to is exclusive", practice.HistoryFilter{To: &localMidnight}, []string{"h-02", "h-01"}},
			{"one local day", practice.HistoryFilter{From: &localMidnight, To: &nextDay}, []string{"h-05", "h-04", "h-03"}},
			{"an empty range", practice.HistoryFilter{From: &localMidnight, To: &localMidnight}, nil},
			{"status", practice.HistoryFilter{Status: practice.Completed}, []string{"h-04", "h-03", "h-01"}},
			{"sequence", practice.HistoryFilter{SequenceID: seqA.ID}, []string{"h-05", "h-03", "h-01"}},
			{"status and range", practice.HistoryFilter{Status: practice.Completed, To: &localMidnight}, []string{"h-01"}},
			{"unknown sequence", practice.HistoryFilter{SequenceID: "nothing"}, nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				c.f.UserID = ana.ID
				checkPages(t, c.want, list(c.f))
			})
		}
		t.Run("local days", func(t *testing.T) {
			p, _ := s.History(ctx, practice.HistoryFilter{UserID: ana.ID, Limit: 10})
			day := practice.DayNumber(localMidnight.In(kiri), kiri)
			want := map[string]int{"h-05": day, "h-04": day, "h-03": day, "h-02": day - 1, "h-01": day - 2}
			for _, it := range p.Items {
				if it.LocalDay != want[it.ID] {
					t.Errorf("%s is on local day %d, want %d", it.ID, it.LocalDay, want[it.ID])
				}
			}
		})
		t.Run("a cursor inside a tie, under other filters", func(t *testing.T) {
			p, _ := s.History(ctx, practice.HistoryFilter{UserID: ana.ID, Limit: 2})
			// The cursor of the newest two, applied to a filter with nothing older.
			last, err := s.History(ctx, practice.HistoryFilter{UserID: ana.ID, Limit: 2, Cursor: p.NextCursor, From: &localMidnight})
			if err != nil || len(last.Items) != 1 || last.Items[0].ID != "h-03" || last.NextCursor != "" {
				t.Fatalf("after the cursor: %+v, %v", last, err)
			}
			// Another user's cursor reads only one's own.
			other, err := s.History(ctx, practice.HistoryFilter{UserID: ben.ID, Limit: 2, Cursor: p.NextCursor})
			if err != nil || len(other.Items) != 1 || other.Items[0].ID != "ben-1" {
				t.Fatalf("ben with ana's cursor: %+v, %v", other, err)
			}
		})
		t.Run("forged cursor", func(t *testing.T) {
			for _, c := range forgedCursors {
				_, err := s.History(ctx, practice.HistoryFilter{UserID: ana.ID, Limit: 2, Cursor: c})
				wantBadCursor(t, err, "History")
			}
		})
	})
}

// TestPracticeStats: the figures of a user's practice, in UTC.
func TestPracticeStats(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		var s practice.Store = db.Practice()
		var lib library.Store = db.Library()
		accounts := accountStore(t, db)
		ana, ben := mustUser(t, accounts, "ana@example.test"), mustUser(t, accounts, "ben@example.test")

		empty, err := s.Stats(ctx, practice.StatsQuery{UserID: ana.ID, Today: practice.DayNumber(t0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		if empty.TotalSessions != 0 || empty.TotalActive != 0 || empty.AverageCompleted != 0 || empty.CurrentStreakDays != 0 ||
			empty.LongestStreakDays != 0 || empty.LastPracticedAt != nil || len(empty.ByDay) != 0 || len(empty.TopSequences) != 0 || len(empty.ByStyle) != 0 {
			t.Fatalf("Stats without sessions = %+v", empty)
		}

		seqs := map[string]library.Sequence{}
		for _, name := range []string{"Alpha", "Bravo", "Cobra", "Dusk"} {
			seqs[name] = mustCreateSequence(t, lib, newSequence(name, name, ""))
		}
		day := func(month time.Month, d int) time.Time { return time.Date(2026, month, d, 8, 0, 0, 0, time.UTC) }
		for _, c := range []struct {
			id      string
			started time.Time
			status  string
			active  time.Duration
			seq     string
			style   string
		}{
			{"c0", day(time.February, 28), practice.Completed, 15 * time.Minute, "Cobra", "power"},
			{"d1", day(time.February, 28).Add(2 * time.Hour), practice.Completed, 5 * time.Minute, "Dusk", "power"},
			{"c1", day(time.March, 1), practice.Completed, 20 * time.Minute, "Alpha", "hatha"},
			{"c2", day(time.March, 2), practice.Completed, 30 * time.Minute, "Alpha", "hatha"},
			{"a1", day(time.March, 3), practice.Abandoned, 5 * time.Minute, "Bravo", "yin"}, // breaks the streak
			{"c3", day(time.March, 5), practice.Completed, 40 * time.Minute, "Bravo", "yin"},
			{"c4", day(time.March, 6), practice.Completed, 10 * time.Minute, "", ""},
			{"ip", day(time.March, 7), practice.InProgress, 0, "Alpha", "hatha"},
		} {
			sess := newSession(c.id, ana.ID, c.started, time.UTC, c.status)
			sess.ActiveBanked, sess.Style = c.active, c.style
			if c.seq != "" {
				q := seqs[c.seq]
				sess.SequenceID, sess.SequenceName = &q.ID, q.Name
			}
			mustCreateSession(t, s, sess)
		}
		mustCreateSession(t, s, newSession("ben", ben.ID, day(time.March, 4), time.UTC, practice.Completed))

		dn := func(month time.Month, d int) int { return practice.DayNumber(day(month, d), time.UTC) }
		today := dn(time.March, 7)
		st, err := s.Stats(ctx, practice.StatsQuery{UserID: ana.ID, Today: today, ByDayFrom: dn(time.March, 1)})
		if err != nil {
			t.Fatal(err)
		}
		want := practice.Stats{
			TotalSessions: 8, CompletedSessions: 6, AbandonedSessions: 1,
			TotalActive: 125 * time.Minute, AverageCompleted: 20 * time.Minute, // (15+5+20+30+40+10)/6
			CurrentStreakDays: 2, LongestStreakDays: 3, // 5–6 March, alive on the 7th; 28 February – 2 March
			LastPracticedAt: ptr(day(time.March, 7)),
			ByDay: []practice.DayMinutes{
				{Day: dn(time.March, 1), Active: 20 * time.Minute}, {Day: dn(time.March, 2), Active: 30 * time.Minute},
				{Day: dn(time.March, 3), Active: 5 * time.Minute}, {Day: dn(time.March, 5), Active: 40 * time.Minute},
				{Day: dn(time.March, 6), Active: 10 * time.Minute}, {Day: dn(time.March, 7), Active: 0},
			},
			TopSequences: []practice.SequenceCount{ // by count, then name; none without a sequence
				{SequenceID: seqs["Alpha"].ID, Name: "Alpha", Sessions: 3}, {SequenceID: seqs["Bravo"].ID, Name: "Bravo", Sessions: 2},
				{SequenceID: seqs["Cobra"].ID, Name: "Cobra", Sessions: 1}, {SequenceID: seqs["Dusk"].ID, Name: "Dusk", Sessions: 1},
			},
			ByStyle: []practice.StyleCount{ // by style; none without one
				{Style: "hatha", Sessions: 3, Active: 50 * time.Minute}, {Style: "power", Sessions: 2, Active: 20 * time.Minute},
				{Style: "yin", Sessions: 2, Active: 45 * time.Minute},
			},
		}
		if !reflect.DeepEqual(st, want) {
			t.Fatalf("Stats =\n%+v\nwant\n%+v", st, want)
		}

		for _, c := range []struct {
			name          string
			today         int
			current, long int
		}{
			{"yesterday keeps the streak", dn(time.March, 7), 2, 3},
			{"two days ago ends it", dn(time.March, 8), 0, 3},
			{"on its last day", dn(time.March, 6), 2, 3},
		} {
			t.Run(c.name, func(t *testing.T) {
				st, err := s.Stats(ctx, practice.StatsQuery{UserID: ana.ID, Today: c.today})
				if err != nil || st.CurrentStreakDays != c.current || st.LongestStreakDays != c.long {
					t.Fatalf("streaks %d current, %d longest (%v); want %d, %d", st.CurrentStreakDays, st.LongestStreakDays, err, c.current, c.long)
				}
			})
		}

		t.Run("a range of days", func(t *testing.T) {
			st, err := s.Stats(ctx, practice.StatsQuery{UserID: ana.ID, From: ptr(dn(time.March, 2)), To: ptr(dn(time.March, 5)), Today: today})
			if err != nil {
				t.Fatal(err)
			}
			// c2, a1 and c3; From and To inclusive.
			if st.TotalSessions != 3 || st.CompletedSessions != 2 || st.AbandonedSessions != 1 || st.TotalActive != 75*time.Minute ||
				st.LongestStreakDays != 1 || st.CurrentStreakDays != 0 || st.LastPracticedAt == nil || !st.LastPracticedAt.Equal(day(time.March, 5)) ||
				len(st.ByDay) != 3 || len(st.TopSequences) != 2 {
				t.Fatalf("Stats over 2–5 March = %+v", st)
			}
		})
		t.Run("ByDayFrom bounds ByDay alone", func(t *testing.T) {
			st, _ := s.Stats(ctx, practice.StatsQuery{UserID: ana.ID, Today: today, ByDayFrom: dn(time.March, 6)})
			if len(st.ByDay) != 2 || st.ByDay[0].Day != dn(time.March, 6) || st.TotalSessions != 8 {
				t.Fatalf("ByDay from 6 March: %+v (total %d)", st.ByDay, st.TotalSessions)
			}
		})
	})
}

// TestPracticeStatsTimeZones: days and streaks count in the user's local
// days, whatever the UTC dates: across UTC+14 and a daylight-saving change.
func TestPracticeStatsTimeZones(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		var s practice.Store = db.Practice()
		accounts := accountStore(t, db)
		for _, c := range []struct {
			zone string
			// Local wall-clock starts of completed sessions.
			starts []string
			// The local day Stats is asked on, and the answers.
			today                  string
			days, current, longest int
			utcDates               int // how many distinct UTC dates the sessions fall on
		}{
			{
				// Four local days on two UTC dates (5 and 7 March).
				zone:   "Pacific/Kiritimati",
				starts: []string{"2026-03-05 23:30", "2026-03-06 00:30", "2026-03-07 23:59", "2026-03-08 01:00"},
				today:  "2026-03-08", days: 4, current: 4, longest: 4, utcDates: 2,
			},
			{
				// Over the spring-forward night of 8 March (a 23-hour day): the
				// last two are the same UTC date, 9 March.
				zone:   "America/Los_Angeles",
				starts: []string{"2026-03-07 23:30", "2026-03-08 23:30", "2026-03-09 00:15", "2026-03-10 17:00"},
				today:  "2026-03-11", days: 4, current: 4, longest: 4, utcDates: 3,
			},
			{
				// The autumn-back day (1 November, 25 hours) and its repeated hour.
				zone:   "America/Los_Angeles",
				starts: []string{"2026-10-31 23:00", "2026-11-01 01:30", "2026-11-01 23:30", "2026-11-03 00:10"},
				today:  "2026-11-05", days: 3, current: 0, longest: 2, utcDates: 3,
			},
		} {
			t.Run(c.zone+" "+c.today, func(t *testing.T) {
				loc := mustLoad(t, c.zone)
				u := newUser("tz-" + c.today + "@example.test")
				u.Timezone = c.zone
				mustCreateUser(t, accounts, u)
				utcDates := map[string]bool{}
				for i, local := range c.starts {
					started, err := time.ParseInLocation("2006-01-02 15:04", local, loc)
					if err != nil {
						t.Fatal(err)
					}
					utcDates[started.UTC().Format(time.DateOnly)] = true
					mustCreateSession(t, s, newSession(u.ID+"-"+string(rune('a'+i)), u.ID, started.UTC(), loc, practice.Completed))
				}
				if len(utcDates) != c.utcDates {
					t.Fatalf("the case's sessions fall on %d UTC dates, want %d: fix the case", len(utcDates), c.utcDates)
				}
				todayTime, _ := time.ParseInLocation(time.DateOnly, c.today, loc)
				today := practice.DayNumber(todayTime, loc)
				st, err := s.Stats(ctx, practice.StatsQuery{UserID: u.ID, Today: today, ByDayFrom: today - 30})
				if err != nil {
					t.Fatal(err)
				}
				if len(st.ByDay) != c.days || st.CurrentStreakDays != c.current || st.LongestStreakDays != c.longest || st.TotalSessions != len(c.starts) {
					t.Fatalf("in %s: %d days %+v, streaks %d current and %d longest; want %d days, %d and %d",
						c.zone, len(st.ByDay), st.ByDay, st.CurrentStreakDays, st.LongestStreakDays, c.days, c.current, c.longest)
				}
				// A range of local days takes whole local days.
				first := st.ByDay[0].Day
				one, err := s.Stats(ctx, practice.StatsQuery{UserID: u.ID, From: &first, To: &first, Today: today})
				if err != nil || one.TotalSessions != countOn(c.starts, c.starts[0][:10]) {
					t.Fatalf("Stats of the first local day: %d sessions (%v), want %d", one.TotalSessions, err, countOn(c.starts, c.starts[0][:10]))
				}
			})
		}
	})
}

// countOn counts the local starts on date.
func countOn(starts []string, date string) int {
	n := 0
	for _, s := range starts {
		if s[:10] == date {
			n++
		}
	}
	return n
}
