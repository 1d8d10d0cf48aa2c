package storetest_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/flags"
	"github.com/yogaflow/yogaflow/internal/practice"
	"github.com/yogaflow/yogaflow/internal/store"
	"github.com/yogaflow/yogaflow/internal/store/storetest"
)

func flagKeys(fs []flags.Flag) []string {
	return keysOf(fs, func(f flags.Flag) string { return f.Key })
}

func TestFlagsRoundTrip(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		var s flags.Store = db.Flags()
		if all, err := s.AllFlags(ctx); err != nil || len(all) != 0 {
			t.Fatalf("AllFlags of none = %v, %v", all, err)
		}
		f := mustCreateFlag(t, s, newFlag("new-player"))
		got, err := s.Flag(ctx, "new-player")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, f) {
			t.Fatalf("Flag =\n%+v\nwant\n%+v", got, f)
		}
		// No variants and no roles read back as empty lists.
		bare := newFlag("bare")
		bare.Variants, bare.Roles, bare.Enabled, bare.RolloutPercent, bare.DefaultVariant = []flags.Variant{}, []string{}, false, 0, "control"
		mustCreateFlag(t, s, bare)
		if got, _ := s.Flag(ctx, "bare"); got.Variants == nil || len(got.Variants) != 0 || len(got.Roles) != 0 || got.Enabled ||
			got.RolloutPercent != 0 || got.DefaultVariant != "control" {
			t.Fatalf("a bare flag = %+v", got)
		}
		if all, _ := s.AllFlags(ctx); !slices.Equal(flagKeys(all), []string{"bare", "new-player"}) {
			t.Fatalf("AllFlags = %v, want by key", flagKeys(all))
		}
		if a := auditActions(t, accountStore(t, db)); !slices.Equal(a, []string{"flag.create", "flag.create"}) {
			t.Fatalf("audit after two CreateFlag: %v", a)
		}
	})
}

func TestFlagsWrites(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		var s flags.Store = db.Flags()
		accounts := accountStore(t, db)
		f := mustCreateFlag(t, s, newFlag("beta"))

		// Errors, each writing no audit.
		twin := newFlag("beta")
		twin.Description = "another"
		wantErr(t, s.CreateFlag(ctx, twin, auditEntry("x1", "admin", "flag.create", t0)), flags.ErrKeyTaken, "CreateFlag with a used key")
		if got, _ := s.Flag(ctx, "beta"); got.Description != f.Description {
			t.Fatalf("a refused CreateFlag changed the flag: %+v", got)
		}
		wantErr(t, s.UpdateFlag(ctx, newFlag("ghost"), auditEntry("x2", "admin", "flag.update", t0)), flags.ErrNotFound, "UpdateFlag of an unknown flag")
		wantErr(t, s.DeleteFlag(ctx, "ghost", auditEntry("x3", "admin", "flag.delete", t0)), flags.ErrNotFound, "DeleteFlag of an unknown flag")
		_, err := s.Flag(ctx, "ghost")
		wantErr(t, err, flags.ErrNotFound, "Flag of an unknown key")
		if a := auditActions(t, accounts); len(a) != 1 {
			t.Fatalf("refused writes left audit entries: %v", a)
		}

		at := t0.Add(time.Hour)
		f.Description, f.Enabled, f.RolloutPercent, f.DefaultVariant, f.UpdatedAt = "Changed", false, 100, "a", at
		f.Variants, f.Roles = []flags.Variant{{Name: "a", Weight: 10}}, []string{"editor", "admin"}
		if err := s.UpdateFlag(ctx, f, auditEntry("u1", "admin", "flag.update", at)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Flag(ctx, "beta"); !reflect.DeepEqual(got, f) {
			t.Fatalf("Flag after UpdateFlag =\n%+v\nwant\n%+v", got, f)
		}

		if err := s.DeleteFlag(ctx, "beta", auditEntry("d1", "admin", "flag.delete", at.Add(time.Minute))); err != nil {
			t.Fatal(err)
		}
		_, err = s.Flag(ctx, "beta")
		wantErr(t, err, flags.ErrNotFound, "Flag after DeleteFlag")
		if all, _ := s.AllFlags(ctx); len(all) != 0 {
			t.Fatalf("AllFlags after DeleteFlag: %v", flagKeys(all))
		}
		if a := auditActions(t, accounts); !slices.Equal(a, []string{"flag.delete", "flag.update", "flag.create"}) {
			t.Fatalf("audit: %v", a)
		}
		// The key is free again.
		mustCreateFlag(t, s, newFlag("beta"))
	})
}

func TestFlagsList(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		var s flags.Store = db.Flags()
		list := func(limit int, cursor string) ([]string, string, error) {
			p, err := s.ListFlags(ctx, limit, cursor)
			return flagKeys(p.Items), p.NextCursor, err
		}
		checkPages(t, nil, list)
		keys := []string{"a-flag", "b-flag", "b-flag-2", "c", "zz"}
		for _, k := range slices.Backward(keys) {
			mustCreateFlag(t, s, newFlag(k))
		}
		checkPages(t, keys, list)
		for _, c := range forgedCursors {
			_, err := s.ListFlags(ctx, 2, c)
			wantBadCursor(t, err, "ListFlags")
		}
		p, _ := s.ListFlags(ctx, 4, "")
		if err := s.DeleteFlag(ctx, "zz", auditEntry("d", "", "flag.delete", t0)); err != nil {
			t.Fatal(err)
		}
		last, err := s.ListFlags(ctx, 4, p.NextCursor)
		if err != nil || len(last.Items) != 0 || last.NextCursor != "" {
			t.Fatalf("after the last flag: %+v, %v", last, err)
		}
		if p.Items[0].Variants == nil || p.Items[0].Description != "About a-flag" {
			t.Fatalf("a listed flag: %+v", p.Items[0])
		}
	})
}

func TestFlagsResults(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		var s flags.Store = db.Flags()
		var ps practice.Store = db.Practice()
		accounts := accountStore(t, db)
		mustCreateFlag(t, s, newFlag("exp"))
		mustCreateFlag(t, s, newFlag("other"))
		if r, err := s.Results(ctx, "exp", flags.Range{}); err != nil || len(r) != 0 {
			t.Fatalf("Results without sessions = %+v, %v", r, err)
		}
		if r, err := s.Results(ctx, "ghost", flags.Range{}); err != nil || len(r) != 0 {
			t.Fatalf("Results of an unknown flag = %+v, %v; want none (the service checks the flag)", r, err)
		}

		users := []string{}
		for _, name := range []string{"ana", "ben", "cai"} {
			users = append(users, mustUser(t, accounts, name+"@example.test").ID)
		}
		// ana holds a, ben and cai b; each session in its own hour.
		for i, c := range []struct {
			user, variant, status string
			active                time.Duration
		}{
			{users[0], "a", practice.Completed, 10 * time.Minute},
			{users[0], "a", practice.Completed, 30 * time.Minute},
			{users[0], "a", practice.Abandoned, 5 * time.Minute},
			{users[1], "b", practice.Completed, 20 * time.Minute},
			{users[2], "b", practice.Abandoned, 2 * time.Minute},
			{users[2], "", practice.Completed, time.Hour}, // exposed to nothing
		} {
			sess := newSession("r"+string(rune('0'+i)), c.user, t0.Add(time.Duration(i)*time.Hour), time.UTC, c.status)
			sess.ActiveBanked = c.active
			if c.variant != "" {
				sess.Exposures = map[string]string{"exp": c.variant, "other": "on"}
			}
			mustCreateSession(t, ps, sess)
		}
		all, err := s.Results(ctx, "exp", flags.Range{})
		if err != nil {
			t.Fatal(err)
		}
		want := []flags.VariantResult{
			{Variant: "a", Users: 1, SessionsStarted: 3, SessionsCompleted: 2, Practice: 45 * time.Minute, AverageCompleted: 20 * time.Minute},
			{Variant: "b", Users: 2, SessionsStarted: 2, SessionsCompleted: 1, Practice: 22 * time.Minute, AverageCompleted: 20 * time.Minute},
		}
		if !reflect.DeepEqual(all, want) {
			t.Fatalf("Results =\n%+v\nwant\n%+v", all, want)
		}
		// From inclusive, To exclusive: the sessions of hours 1 to 3.
		from, to := t0.Add(time.Hour), t0.Add(4*time.Hour)
		part, err := s.Results(ctx, "exp", flags.Range{From: &from, To: &to})
		if err != nil {
			t.Fatal(err)
		}
		want = []flags.VariantResult{
			{Variant: "a", Users: 1, SessionsStarted: 2, SessionsCompleted: 1, Practice: 35 * time.Minute, AverageCompleted: 30 * time.Minute},
			{Variant: "b", Users: 1, SessionsStarted: 1, SessionsCompleted: 1, Practice: 20 * time.Minute, AverageCompleted: 20 * time.Minute},
		}
		if !reflect.DeepEqual(part, want) {
			t.Fatalf("Results over hours 1–3 =\n%+v\nwant\n%+v", part, want)
		}
		// A variant of only abandoned sessions averages zero.
		from = t0.Add(4 * time.Hour)
		if late, _ := s.Results(ctx, "exp", flags.Range{From: &from}); len(late) != 1 || late[0].Variant != "b" || late[0].AverageCompleted != 0 || late[0].SessionsCompleted != 0 {
			t.Fatalf("Results from hour 4 = %+v", late)
		}

		// Deleting a flag takes its exposures; the other flag keeps its own.
		if err := s.DeleteFlag(ctx, "exp", auditEntry("d", "", "flag.delete", t0)); err != nil {
			t.Fatal(err)
		}
		mustCreateFlag(t, s, newFlag("exp"))
		if r, _ := s.Results(ctx, "exp", flags.Range{}); len(r) != 0 {
			t.Fatalf("a re-created flag inherited exposures: %+v", r)
		}
		if r, _ := s.Results(ctx, "other", flags.Range{}); len(r) != 1 || r[0].SessionsStarted != 5 {
			t.Fatalf("the other flag's results: %+v", r)
		}
	})
}
