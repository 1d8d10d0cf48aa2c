package storetest_test

// Shared fixtures of the behaviour suite: the stores as their domains'
// interfaces, rows made through those interfaces, and checks of errors and
// pages. Every time is fixed (t0 and offsets from it), so no test reads a
// clock.

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/yogaflow/yogaflow/internal/account"
	"github.com/yogaflow/yogaflow/internal/flags"
	"github.com/yogaflow/yogaflow/internal/library"
	"github.com/yogaflow/yogaflow/internal/platform/validation"
	"github.com/yogaflow/yogaflow/internal/practice"
	"github.com/yogaflow/yogaflow/internal/store"
)

// t0 is the suite's "now": a Saturday, the day before the United States
// move their clocks forward (2026-03-08).
var t0 = time.Date(2026, time.March, 7, 12, 0, 0, 0, time.UTC)

// accountStore is db's account.Store, with a River client that only
// inserts, as the application wires it: jobs land in the same transaction.
func accountStore(t *testing.T, db *store.DB) account.Store {
	t.Helper()
	jobs, err := river.NewClient(db.QueueDriver(), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return db.Accounts(jobs)
}

// queuedJobs counts the jobs waiting to run.
func queuedJobs(t *testing.T, db *store.DB) int {
	t.Helper()
	backlog, err := db.QueueBacklog(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return backlog["available"] + backlog["scheduled"] + backlog["retryable"]
}

// newUser is a user ready to create: ID "u-" + the email's local part,
// created at t0, in UTC, with the user role.
func newUser(email string) account.User {
	local, _, _ := strings.Cut(email, "@")
	return account.User{ID: "u-" + local, Email: email, DisplayName: local, Timezone: "UTC", Roles: []string{account.RoleUser},
		Practice: account.DefaultPracticeSettings, CreatedAt: t0, UpdatedAt: t0}
}

// mustCreateUser stores u without a verification email.
func mustCreateUser(t *testing.T, s account.Store, u account.User) account.User {
	t.Helper()
	if err := s.CreateUser(t.Context(), u, "hash-of-"+u.ID, nil, account.EmailJob{}); err != nil {
		t.Fatalf("CreateUser(%s): %v", u.Email, err)
	}
	return u
}

// mustUser creates the user newUser(email) describes.
func mustUser(t *testing.T, s account.Store, email string) account.User {
	t.Helper()
	return mustCreateUser(t, s, newUser(email))
}

// auditEntry is an audit entry by actor at at.
func auditEntry(id, actor, action string, at time.Time) account.AuditEntry {
	return account.AuditEntry{ID: id, At: at, ActorID: actor, Action: action, TargetType: "test", TargetID: "target-" + id,
		RequestID: "req-" + id, Details: map[string]any{"n": 1.0}}
}

// newPose is a pose ready to create, with ID "p-" + slug.
func newPose(slug, english string, twoSided bool) library.Pose {
	return library.Pose{ID: "p-" + slug, Slug: slug, EnglishName: english, SanskritName: "", Category: "standing",
		Difficulty: "beginner", Description: "About " + english, Instructions: []string{"Stand."}, Benefits: []string{"Calm."},
		Contraindications: []string{}, TwoSided: twoSided, DefaultHoldSeconds: 30, CreatedAt: t0, UpdatedAt: t0}
}

func mustCreatePose(t *testing.T, s library.Store, p library.Pose) library.Pose {
	t.Helper()
	if err := s.CreatePose(t.Context(), p, nil); err != nil {
		t.Fatalf("CreatePose(%s): %v", p.Slug, err)
	}
	return p
}

// newSequence is a sequence ready to create, with ID "s-" + slug; owner ""
// makes a preset.
func newSequence(slug, name, owner string) library.Sequence {
	q := library.Sequence{ID: "s-" + slug, Slug: slug, Name: name, Description: "About " + name, Difficulty: "beginner",
		Style: "hatha", FocusArea: "full_body", CreatedAt: t0, UpdatedAt: t0}
	if owner != "" {
		q.OwnerID = &owner
	}
	return q
}

func mustCreateSequence(t *testing.T, s library.Store, q library.Sequence, steps ...library.NewStep) library.Sequence {
	t.Helper()
	if steps == nil {
		steps = []library.NewStep{}
	}
	if err := s.CreateSequence(t.Context(), q, steps, nil); err != nil {
		t.Fatalf("CreateSequence(%s): %v", q.Slug, err)
	}
	return q
}

// newSession is a session of userID that started at started, its local
// day counted in loc, as the practice service makes one.
func newSession(id, userID string, started time.Time, loc *time.Location, status string) practice.Session {
	s := practice.Session{ID: id, UserID: userID, SequenceName: "Sequence of " + id, LocalDay: practice.DayNumber(started, loc),
		Status: status, StartedAt: started, StretchStart: started, CurrentStep: 1, StepCount: 3, UpdatedAt: started}
	if status == practice.Completed || status == practice.Abandoned {
		ended := started.Add(20 * time.Minute)
		s.EndedAt, s.ActiveBanked, s.StretchStart, s.UpdatedAt = &ended, 20*time.Minute, ended, ended
	}
	return s
}

func mustCreateSession(t *testing.T, s practice.Store, sess practice.Session) practice.Session {
	t.Helper()
	if err := s.Create(t.Context(), sess); err != nil {
		t.Fatalf("Create(%s): %v", sess.ID, err)
	}
	return sess
}

// newFlag is an enabled flag ready to create.
func newFlag(key string) flags.Flag {
	return flags.Flag{Key: key, Description: "About " + key, Enabled: true, RolloutPercent: 50,
		Variants: []flags.Variant{{Name: "a", Weight: 1}, {Name: "b", Weight: 3}}, DefaultVariant: flags.Off,
		Roles: []string{account.RoleUser}, CreatedAt: t0, UpdatedAt: t0}
}

func mustCreateFlag(t *testing.T, s flags.Store, f flags.Flag) flags.Flag {
	t.Helper()
	id := fmt.Sprintf("create-%s-%d", f.Key, auditSeq.Add(1))
	if err := s.CreateFlag(t.Context(), f, auditEntry(id, "admin", "flag.create", t0)); err != nil {
		t.Fatalf("CreateFlag(%s): %v", f.Key, err)
	}
	return f
}

// auditSeq numbers the audit entries fixtures write, whose IDs are unique.
var auditSeq atomic.Int64

// wantErr fails unless err is want (errors.Is).
func wantErr(t *testing.T, err, want error, what string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: error %v, want %v", what, err, want)
	}
}

// wantBadCursor fails unless err is the validation error of a cursor the
// list did not give out.
func wantBadCursor(t *testing.T, err error, what string) {
	t.Helper()
	var v *validation.Error
	if !errors.As(err, &v) || v.Field != "cursor" {
		t.Fatalf("%s with a forged cursor: error %v, want a validation error on cursor", what, err)
	}
}

// forgedCursors are cursors no list gave out: not base64, base64 of
// nonsense, and a time cursor without an ID.
var forgedCursors = []string{"%%%", "bm9uc2Vuc2U", "MTIz"}

// auditActions lists the actions of the audit log, newest first.
func auditActions(t *testing.T, s account.Store) []string {
	t.Helper()
	page, err := s.ListAudit(t.Context(), account.AuditFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range page.Items {
		out = append(out, e.Action)
	}
	return out
}

// lister reads one page of a list: its items' keys and the next cursor.
type lister func(limit int, cursor string) (keys []string, next string, err error)

// checkPages walks list with limits around len(want) (1, 2, n-1, n, n+1),
// following cursors, and checks that every limit yields want in order,
// pages of exactly limit items but the last, that a list of exactly one
// page has no cursor, and that the last page is never empty unless the
// list is.
func checkPages(t *testing.T, want []string, list lister) {
	t.Helper()
	n := len(want)
	limits := []int{1, 2, n - 1, n, n + 1}
	slices.Sort(limits)
	for _, limit := range slices.Compact(limits) {
		if limit < 1 {
			continue
		}
		var got []string
		pages, cursor := 0, ""
		for {
			keys, next, err := list(limit, cursor)
			if err != nil {
				t.Fatalf("limit %d, page %d: %v", limit, pages+1, err)
			}
			pages++
			got = append(got, keys...)
			if len(keys) > limit {
				t.Fatalf("limit %d, page %d holds %d items", limit, pages, len(keys))
			}
			if next == "" {
				if len(keys) == 0 && n > 0 {
					t.Fatalf("limit %d: the last page (%d) is empty: the page before it should have had no cursor", limit, pages)
				}
				break
			}
			if len(keys) != limit {
				t.Fatalf("limit %d, page %d holds %d items and a cursor", limit, pages, len(keys))
			}
			if pages > n+1 {
				t.Fatalf("limit %d: more pages than items", limit)
			}
			cursor = next
		}
		if wantPages := max(1, (n+limit-1)/limit); pages != wantPages {
			t.Errorf("limit %d over %d items: %d pages, want %d", limit, n, pages, wantPages)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("limit %d: walked %v, want %v", limit, got, want)
		}
	}
}

// keysOf maps items to their keys.
func keysOf[T any](items []T, key func(T) string) []string {
	out := make([]string, len(items))
	for i, v := range items {
		out[i] = key(v)
	}
	return out
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// mustLoad loads a time zone of the IANA database.
func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// ids makes n IDs prefix-1 ... prefix-n, zero-padded so they sort.
func ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%02d", prefix, i+1)
	}
	return out
}

// reversed returns a reversed copy of s.
func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

// oneWins checks that exactly one of racing calls succeeded and that each
// of the others lost as lost says.
func oneWins(t *testing.T, errs []error, lost func(error) bool, what string) {
	t.Helper()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !lost(err):
			t.Fatalf("a losing %s: %v", what, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d of %d racing calls (%s) succeeded, want 1: %v", won, len(errs), what, errs)
	}
}
