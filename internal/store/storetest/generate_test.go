package storetest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/practice"
	"github.com/yogaflow/yogaflow/internal/store"
	"github.com/yogaflow/yogaflow/internal/store/storetest"
)

func TestGenerateWorkload(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
		w := store.Workload{Users: 3, Sessions: 200, EmailPrefix: "cap", PasswordHash: "$2a$04$x", Now: now, Seed: 7}
		var reports []store.Generated
		got, err := db.Generate(ctx, w, func(g store.Generated) { reports = append(reports, g) })
		if err != nil {
			t.Fatal(err)
		}
		if got != (store.Generated{Users: 3, Sessions: 200}) || len(reports) == 0 || reports[len(reports)-1] != got {
			t.Fatalf("Generate = %+v, progress %+v", got, reports)
		}

		// 200 sessions among 3 users: 67, 67, 66.
		for i, want := range []int{67, 67, 66} {
			email := fmt.Sprintf("cap-%06d@example.test", i+1)
			u, hash, err := db.Accounts(nil).UserCredentials(ctx, email)
			if err != nil || hash != w.PasswordHash {
				t.Fatalf("%s: %+v %q %v", email, u, hash, err)
			}
			if u, err = db.Accounts(nil).UserByID(ctx, u.ID); err != nil || len(u.Roles) != 1 || u.Roles[0] != "user" {
				t.Fatalf("%s: %+v %v", email, u, err)
			}
			loc, err := time.LoadLocation(u.Timezone)
			if err != nil {
				t.Fatal(err)
			}
			page, err := db.Practice().History(ctx, practice.HistoryFilter{UserID: u.ID, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Items) != want {
				t.Fatalf("%s has %d sessions, want %d", email, len(page.Items), want)
			}
			y, m, d := now.In(loc).Date()
			yesterday := practice.DayNumber(time.Date(y, m, d-1, 12, 0, 0, 0, loc), loc)
			if newest := page.Items[0]; newest.LocalDay != yesterday {
				t.Errorf("%s's newest session is on day %d, want yesterday (%d)", email, newest.LocalDay, yesterday)
			}
			for _, s := range page.Items {
				ended := s.EndedAt != nil && s.EndedAt.Equal(s.StartedAt.Add(s.ActiveBanked+s.PausedBanked))
				if (s.Status != practice.Completed && s.Status != practice.Abandoned) || !ended ||
					s.LocalDay != practice.DayNumber(s.StartedAt, loc) || s.ActiveBanked <= 0 || !s.StartedAt.Before(now) {
					t.Fatalf("%s: inconsistent session %+v", email, s)
				}
			}
			st, err := db.Practice().Stats(ctx, practice.StatsQuery{UserID: u.ID, Today: yesterday + 1})
			if err != nil {
				t.Fatal(err)
			}
			if st.TotalSessions != want || st.CompletedSessions+st.AbandonedSessions != want || st.CurrentStreakDays < 1 {
				t.Errorf("%s: stats %+v", email, st)
			}
		}

		// The emails are taken: a second run needs another prefix.
		if _, err := db.Generate(ctx, w, nil); err == nil {
			t.Fatal("a second run with the same prefix succeeded")
		}
		w.EmailPrefix = "cap2"
		if got, err := db.Generate(ctx, w, nil); err != nil || got.Sessions != 200 {
			t.Fatalf("second run: %+v %v", got, err)
		}
	})
}
