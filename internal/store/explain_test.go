package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/account"
	"github.com/yogaflow/yogaflow/internal/library"
	"github.com/yogaflow/yogaflow/internal/platform/testdb"
	"github.com/yogaflow/yogaflow/internal/practice"
)

// The sizes of the data the list queries must not read. They are small
// enough to load in a few seconds and large beside what one viewer sees
// (the presets, their own sequences, one page of users or audit entries),
// so a plan that scans a whole table shows.
const (
	explainPoses        = 300
	explainUsers        = 20000
	explainOtherOwners  = 2000 // users with sequences of their own
	explainPerOwner     = 10   // so 20,000 sequences of other people
	explainPresets      = 100
	explainViewerOwn    = 20
	explainStepsPerSeq  = 5
	explainAuditEntries = 20000
	explainAuditActors  = 200
	explainAPIKeys      = 2000
	explainViewer       = "u00000"
	// Staff roles are a handful of people however many sign up. (A role
	// held by a few percent of a small users table is a different case:
	// there PostgreSQL rightly prefers one sequential read of users to a
	// lookup per role holder. With 50 editors in 5,000 users it does.)
	explainEditors         = 20
	explainAdmins          = 5
	explainSequenceMinutes = 90
	explainPractitioners   = 400
	explainSessionsEach    = 100
)

var explainTags = []string{"pregnancy", "knee_injury", "wrist_injury", "high_blood_pressure", "back_injury", "glaucoma"}

// explainLarge are the tables that grow with the number of people and of
// what they do: no list query may read one of them whole. poses and
// pose_contraindications are the curated library (a few hundred rows), so
// reading them whole is fine, and the planners rightly do it for a
// substring search or a small NOT EXISTS.
var explainLarge = map[string]bool{
	"sequences": true, "sequence_steps": true, "users": true, "user_roles": true,
	"audit_log": true, "api_keys": true, "practice_sessions": true,
}

// explainAliases maps the aliases the list queries use to their tables;
// SQLite's query plans name a table by its alias.
var explainAliases = map[string]string{
	"s": "sequences", "st": "sequence_steps", "p": "poses", "pc": "pose_contraindications",
}

// shape is one query the test explains.
type shape struct {
	name  string
	build func() (string, []any, error)
}

// TestListQueriesUseIndexes loads a database with far more of what a list
// must not read than of what it shows, and checks that the plan of every
// list query, in its usual shapes, reads no large table whole.
func TestListQueriesUseIndexes(t *testing.T) {
	if testing.Short() {
		t.Skip("loads tens of thousands of rows")
	}
	testdb.Run(t, func(t *testing.T, e testdb.Engine) {
		// The time is loading the data, not waiting: the engines load side by
		// side, SQLite in this process and PostgreSQL mostly in its own.
		t.Parallel()
		db := openTestDB(t, e)
		ctx := t.Context()
		start := time.Now()
		loadExplainData(t, db)
		t.Logf("%s: loaded and analysed in %v", e.Name, time.Since(start).Round(time.Millisecond))

		base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		userCursor := encodeCursor(base.Add(explainUsers/2*time.Minute), fmt.Sprintf("u%05d", explainUsers/2))
		auditCursor := encodeCursor(base.Add(10000*time.Second), fmt.Sprintf("a%05d", 10000))
		keyCursor := encodeCursor(base.Add(1000*time.Hour), fmt.Sprintf("k%05d", 1000))
		seqCursor := encodeNameCursor("Flow 0050", "s000050")

		seqs := func(f library.SequenceFilter) func() (string, []any, error) {
			f.Limit = 20
			return func() (string, []any, error) { return sequenceListQuery(f) }
		}
		poses := func(f library.PoseFilter) func() (string, []any, error) {
			f.Limit = 20
			return func() (string, []any, error) { return poseListQuery(f) }
		}
		users := func(f account.UserFilter) func() (string, []any, error) {
			f.Limit = 20
			return func() (string, []any, error) { return userListQuery(f) }
		}
		audit := func(f account.AuditFilter) func() (string, []any, error) {
			f.Limit = 50
			return func() (string, []any, error) { return auditListQuery(f) }
		}
		keys := func(cursor string) func() (string, []any, error) {
			return func() (string, []any, error) { return apiKeyListQuery(20, cursor) }
		}
		avoid := []string{"pregnancy", "knee_injury"}
		yes, no := true, false
		// Not here: the users search (UserFilter.Query), a substring match
		// on email and display name that no B-tree index can serve, so
		// both engines read users whole when few match.
		shapes := []shape{
			{"sequences/anonymous", seqs(library.SequenceFilter{})},
			{"sequences/anonymous avoid", seqs(library.SequenceFilter{Avoid: avoid})},
			{"sequences/viewer", seqs(library.SequenceFilter{Viewer: explainViewer})},
			{"sequences/viewer avoid", seqs(library.SequenceFilter{Viewer: explainViewer, Avoid: avoid})},
			{"sequences/viewer max_duration", seqs(library.SequenceFilter{Viewer: explainViewer, MaxDuration: 1800})},
			{"sequences/viewer cursor", seqs(library.SequenceFilter{Viewer: explainViewer, Cursor: seqCursor})},
			{"sequences/viewer difficulty style", seqs(library.SequenceFilter{Viewer: explainViewer, Difficulty: "beginner", Style: "vinyasa"})},
			{"sequences/viewer everything", seqs(library.SequenceFilter{Viewer: explainViewer, Difficulty: "beginner",
				Style: "vinyasa", FocusArea: "hips", Avoid: avoid, MaxDuration: 1800, Cursor: seqCursor})},
			{"sequences/mine", seqs(library.SequenceFilter{Viewer: explainViewer, Mine: true})},
			{"sequences/mine avoid cursor", seqs(library.SequenceFilter{Viewer: explainViewer, Mine: true, Avoid: avoid, Cursor: seqCursor})},
			{"sequences/preset=true", seqs(library.SequenceFilter{Viewer: explainViewer, Preset: &yes})},
			{"sequences/preset=false", seqs(library.SequenceFilter{Viewer: explainViewer, Preset: &no})},
			{"poses/all", poses(library.PoseFilter{})},
			{"poses/category", poses(library.PoseFilter{Category: "standing"})},
			{"poses/difficulty", poses(library.PoseFilter{Difficulty: "advanced"})},
			{"poses/avoid", poses(library.PoseFilter{Avoid: avoid})},
			{"poses/q", poses(library.PoseFilter{Query: "warrior"})},
			{"poses/category cursor", poses(library.PoseFilter{Category: "standing", Cursor: encodeNameCursor("Pose 0100", "p0100")})},
			{"users/all", users(account.UserFilter{})},
			{"users/role common", users(account.UserFilter{Role: "user"})},
			{"users/role rare", users(account.UserFilter{Role: "admin"})},
			{"users/cursor", users(account.UserFilter{Cursor: userCursor})},
			{"users/role cursor", users(account.UserFilter{Role: "editor", Cursor: userCursor})},
			{"audit/all", audit(account.AuditFilter{})},
			{"audit/actor", audit(account.AuditFilter{ActorID: "u00007"})},
			{"audit/action", audit(account.AuditFilter{Action: "user.roles_changed"})},
			{"audit/cursor", audit(account.AuditFilter{Cursor: auditCursor})},
			{"audit/actor cursor", audit(account.AuditFilter{ActorID: "u00007", Cursor: auditCursor})},
			{"audit/action cursor", audit(account.AuditFilter{Action: "user.roles_changed", Cursor: auditCursor})},
			{"audit/actor action", audit(account.AuditFilter{ActorID: "u00007", Action: "user.roles_changed"})},
			{"api keys/all", keys("")},
			{"api keys/cursor", keys(keyCursor)},
		}
		shapes = append(shapes, practiceShapes(t, db)...)
		for _, s := range shapes {
			query, args, err := s.build()
			if err != nil || query == "" {
				t.Fatalf("%s: no query (%v)", s.name, err)
			}
			plan := explainPlan(ctx, t, db, query, args)
			if scans := fullScans(db.engine, plan); len(scans) > 0 {
				t.Errorf("%s reads all of %s:\n%s\nplan:\n%s", s.name, strings.Join(scans, ", "), query, strings.Join(plan, "\n"))
			} else if testing.Verbose() {
				t.Logf("%s:\n%s", s.name, strings.Join(plan, "\n"))
			}
		}
		t.Logf("%s: done in %v", e.Name, time.Since(start).Round(time.Millisecond))
	})
}

var (
	sqliteAccess = regexp.MustCompile(`^\s*(SCAN|SEARCH|BLOOM FILTER ON) (\w+)`)
	postgresScan = regexp.MustCompile(`Seq Scan on (\w+)`)
)

// fullScans returns the large tables plan reads whole.
func fullScans(engine Engine, plan []string) []string {
	var out []string
	for _, line := range plan {
		var table string
		if engine == SQLite {
			m := sqliteAccess.FindStringSubmatch(line)
			switch {
			case m == nil:
				continue
			// "SCAN t USING [COVERING] INDEX x" walks an index in the
			// order the query wants and stops at the LIMIT; a bare
			// "SCAN t" reads the table. An automatic index or a Bloom
			// filter is built from the whole table.
			case m[1] == "SCAN" && !strings.Contains(line, " USING "),
				m[1] == "SEARCH" && strings.Contains(line, " AUTOMATIC "),
				m[1] == "BLOOM FILTER ON":
				table = m[2]
			default:
				continue
			}
			if real, ok := explainAliases[table]; ok {
				table = real
			}
		} else if m := postgresScan.FindStringSubmatch(line); m != nil {
			table = m[1]
		}
		if explainLarge[table] {
			out = append(out, table)
		}
	}
	return out
}

// explainPlan returns the plan of query as text lines, read through the
// pool the store runs list queries on.
func explainPlan(ctx context.Context, t *testing.T, db *DB, query string, args []any) []string {
	t.Helper()
	if db.engine == Postgres {
		rows, err := db.read.QueryContext(ctx, "EXPLAIN "+query, args...)
		if err != nil {
			t.Fatalf("EXPLAIN %s: %v", query, err)
		}
		plan, err := collect(rows, func(r rowScanner) (string, error) {
			var line string
			return line, r.Scan(&line)
		})
		if err != nil {
			t.Fatal(err)
		}
		return plan
	}
	rows, err := db.read.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("EXPLAIN QUERY PLAN %s: %v", query, err)
	}
	type node struct {
		id, parent int
		detail     string
	}
	nodes, err := collect(rows, func(r rowScanner) (node, error) {
		var n node
		var unused int
		return n, r.Scan(&n.id, &n.parent, &unused, &n.detail)
	})
	if err != nil {
		t.Fatal(err)
	}
	depth := map[int]int{0: -1}
	plan := make([]string, len(nodes))
	for i, n := range nodes {
		depth[n.id] = depth[n.parent] + 1
		plan[i] = strings.Repeat("  ", depth[n.id]) + n.detail
	}
	return plan
}

// loadExplainData fills db in one transaction with multi-row inserts, then
// updates the planner's statistics.
func loadExplainData(t *testing.T, db *DB) {
	t.Helper()
	ctx := t.Context()
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	categories := []string{"standing", "seated", "balancing", "backbend", "inversion", "restorative"}
	levels := []string{"beginner", "intermediate", "advanced"}
	styles := []string{"vinyasa", "hatha", "yin", "restorative"}
	areas := []string{"hips", "back", "core", "full_body", "shoulders"}
	actions := []string{"user.roles_changed", "user.deleted", "apikey.created", "apikey.revoked", "pose.created",
		"pose.updated", "pose.deleted", "sequence.created", "sequence.updated", "sequence.deleted"}

	err := db.inTx(ctx, func(tx *txn) error {
		ins := func(table, cols string, n int, row func(i int) []any) error {
			return db.insertBatched(ctx, tx, table, cols, n, row)
		}
		err := ins("poses", "id, slug, english_name, category, difficulty, default_hold_seconds, created_at, updated_at",
			explainPoses, func(i int) []any {
				name := fmt.Sprintf("Pose %04d", i)
				at := base.Add(time.Duration(i) * time.Minute)
				return []any{fmt.Sprintf("p%04d", i), fmt.Sprintf("pose-%04d", i), name,
					categories[i%len(categories)], levels[i%len(levels)], 30, at, at}
			})
		if err != nil {
			return err
		}
		// Two tags for every third pose.
		tagged := explainPoses / 3
		err = ins("pose_contraindications", "pose_id, tag", 2*tagged, func(i int) []any {
			pose := (i / 2) * 3
			return []any{fmt.Sprintf("p%04d", pose), explainTags[(pose+i%2)%len(explainTags)]}
		})
		if err != nil {
			return err
		}
		err = ins("users", "id, email, password_hash, created_at, updated_at", explainUsers, func(i int) []any {
			at := base.Add(time.Duration(i) * time.Minute)
			return []any{fmt.Sprintf("u%05d", i), fmt.Sprintf("u%05d@example.com", i), "x", at, at}
		})
		if err != nil {
			return err
		}
		var roles [][2]string
		for i := range explainUsers {
			id := fmt.Sprintf("u%05d", i)
			roles = append(roles, [2]string{id, "user"})
			if i%(explainUsers/explainEditors) == 1 {
				roles = append(roles, [2]string{id, "editor"})
			}
			if i%(explainUsers/explainAdmins) == 2 {
				roles = append(roles, [2]string{id, "admin"})
			}
		}
		if err := ins("user_roles", "user_id, role", len(roles), func(i int) []any { return []any{roles[i][0], roles[i][1]} }); err != nil {
			return err
		}

		// Presets first, then the viewer's own, then everybody else's.
		nSeqs := explainPresets + explainViewerOwn + explainOtherOwners*explainPerOwner
		seqID := func(i int) string { return fmt.Sprintf("s%06d", i) }
		err = ins("sequences", "id, slug, name, difficulty, style, focus_area, owner_id, total_duration_seconds, created_at, updated_at",
			nSeqs, func(i int) []any {
				var owner any
				switch {
				case i < explainPresets:
				case i < explainPresets+explainViewerOwn:
					owner = explainViewer
				default:
					owner = fmt.Sprintf("u%05d", 1+(i-explainPresets-explainViewerOwn)/explainPerOwner)
				}
				at := base.Add(time.Duration(i) * time.Second)
				return []any{seqID(i), fmt.Sprintf("seq-%06d", i), fmt.Sprintf("Flow %04d", i%10000),
					levels[i%len(levels)], styles[i%len(styles)], areas[i%len(areas)], owner,
					60 * (10 + i%explainSequenceMinutes), at, at}
			})
		if err != nil {
			return err
		}
		err = ins("sequence_steps", "sequence_id, position, pose_id, duration_seconds, side", nSeqs*explainStepsPerSeq, func(i int) []any {
			seq, pos := i/explainStepsPerSeq, i%explainStepsPerSeq
			return []any{seqID(seq), pos + 1, fmt.Sprintf("p%04d", (seq*7+pos*13)%explainPoses), 60, "both"}
		})
		if err != nil {
			return err
		}
		err = ins("audit_log", "id, created_at, actor_id, action, target_type, target_id", explainAuditEntries, func(i int) []any {
			return []any{fmt.Sprintf("a%05d", i), base.Add(time.Duration(i) * time.Second), fmt.Sprintf("u%05d", i%explainAuditActors),
				actions[i%len(actions)], "user", fmt.Sprintf("u%05d", (i*31)%explainUsers)}
		})
		if err != nil {
			return err
		}
		return ins("api_keys", "id, name, prefix, key_hash, scopes, created_at", explainAPIKeys, func(i int) []any {
			return []any{fmt.Sprintf("k%05d", i), "key", "yf_", fmt.Sprintf("hash%05d", i), "content:write",
				base.Add(time.Duration(i) * time.Hour)}
		})
	})
	if err != nil {
		t.Fatalf("loading: %v", err)
	}
	// Everybody practises: 100 sessions each for 400 people.
	w := Workload{Users: explainPractitioners, Sessions: explainPractitioners * explainSessionsEach,
		EmailPrefix: "explain", PasswordHash: "x", Now: base.AddDate(1, 0, 0), Seed: 1}
	if _, err := db.Generate(ctx, w, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, "ANALYZE"); err != nil {
		t.Fatalf("ANALYZE: %v", err)
	}
}

// practiceShapes are the history and stats queries of one practitioner
// among many.
func practiceShapes(t *testing.T, db *DB) []shape {
	t.Helper()
	u, _, err := db.Accounts(nil).UserCredentials(t.Context(), "explain-000001@example.test")
	if err != nil {
		t.Fatal(err)
	}
	page, err := db.Practice().History(t.Context(), practice.HistoryFilter{UserID: u.ID, Limit: 20})
	if err != nil || page.NextCursor == "" || page.Items[0].SequenceID == nil {
		t.Fatalf("the practitioner's history: %+v, %v", page, err)
	}
	newest := page.Items[0]
	from, to := newest.StartedAt.AddDate(0, 0, -30), newest.StartedAt
	history := func(f practice.HistoryFilter) func() (string, []any, error) {
		f.UserID, f.Limit = u.ID, 20
		return func() (string, []any, error) { return historyQuery(f) }
	}
	shapes := []shape{
		{"history/first page", history(practice.HistoryFilter{})},
		{"history/cursor", history(practice.HistoryFilter{Cursor: page.NextCursor})},
		{"history/status", history(practice.HistoryFilter{Status: practice.Abandoned})},
		{"history/sequence", history(practice.HistoryFilter{SequenceID: *newest.SequenceID})},
		{"history/from to", history(practice.HistoryFilter{From: &from, To: &to})},
		{"active users/week", func() (string, []any, error) { return activeUsersQuery, []any{to.AddDate(0, 0, -7)}, nil }},
	}
	month := newest.LocalDay - 29
	for name, q := range map[string]practice.StatsQuery{
		"stats/all time": {UserID: u.ID, Today: newest.LocalDay + 1, ByDayFrom: newest.LocalDay - 89},
		"stats/a month":  {UserID: u.ID, Today: newest.LocalDay + 1, From: &month, To: &newest.LocalDay, ByDayFrom: month},
	} {
		sq := statsQueries(q)
		for part, query := range map[string]string{"totals": sq.totals, "last": sq.last,
			"top sequences": sq.topSequences, "by style": sq.byStyle} {
			shapes = append(shapes, shape{name + " " + part, func() (string, []any, error) { return query, sq.args, nil }})
		}
		shapes = append(shapes,
			shape{name + " streaks", func() (string, []any, error) { return sq.streaks, sq.streakArgs, nil }},
			shape{name + " by day", func() (string, []any, error) { return sq.byDay, sq.byDayArgs, nil }})
	}
	return shapes
}
