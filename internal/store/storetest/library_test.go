package storetest_test

import (
	"slices"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/library"
	"github.com/yogaflow/yogaflow/internal/practice"
	"github.com/yogaflow/yogaflow/internal/store"
	"github.com/yogaflow/yogaflow/internal/store/storetest"
)

func poseIDs(p library.Page[library.Pose]) []string {
	return keysOf(p.Items, func(p library.Pose) string { return p.ID })
}

func TestLibraryPoseRoundTrip(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		var s library.Store = db.Library()
		image := "/figures/warrior-ii.svg"
		p := newPose("warrior-ii", "Warrior II", true)
		p.SanskritName, p.Category, p.Difficulty = "Vīrabhadrāsana II", "standing", "intermediate"
		p.Instructions, p.Benefits = []string{"Step wide.", "Bend the front knee."}, []string{"Strength.", "Focus."}
		p.Contraindications = []string{"knee_injury", "hip_injury"}
		p.ImageURL, p.SeedHash, p.DefaultHoldSeconds = &image, "seed-1", 45
		if err := s.CreatePose(ctx, p, &library.Audit{ID: "a1", At: t0, ActorID: "editor", Action: "pose.create"}); err != nil {
			t.Fatal(err)
		}
		for _, ref := range []string{p.ID, p.Slug} {
			got, err := s.Pose(ctx, ref)
			if err != nil {
				t.Fatalf("Pose(%s): %v", ref, err)
			}
			if got.ID != p.ID || got.Slug != p.Slug || got.EnglishName != p.EnglishName || got.SanskritName != p.SanskritName ||
				got.Category != p.Category || got.Difficulty != p.Difficulty || got.Description != p.Description ||
				!slices.Equal(got.Instructions, p.Instructions) || !slices.Equal(got.Benefits, p.Benefits) ||
				!slices.Equal(got.Contraindications, []string{"hip_injury", "knee_injury"}) || !got.TwoSided ||
				got.DefaultHoldSeconds != 45 || got.ImageURL == nil || *got.ImageURL != image || got.SeedHash != "seed-1" ||
				!got.CreatedAt.Equal(t0) || !got.UpdatedAt.Equal(t0) {
				t.Fatalf("Pose(%s) = %+v, want %+v (tags sorted)", ref, got, p)
			}
		}
		if a := auditActions(t, accountStore(t, db)); !slices.Equal(a, []string{"pose.create"}) {
			t.Fatalf("audit after CreatePose: %v", a)
		}
		plain := mustCreatePose(t, s, newPose("mountain", "Mountain", false))
		if got, _ := s.Pose(ctx, plain.Slug); got.ImageURL != nil || got.Contraindications == nil || len(got.Contraindications) != 0 || got.TwoSided {
			t.Fatalf("a pose without picture or tags: %+v", got)
		}
	})
}

func TestLibraryPoseErrors(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		var s library.Store = db.Library()
		accounts := accountStore(t, db)
		tree := mustCreatePose(t, s, newPose("tree", "Tree", true))
		mustCreatePose(t, s, newPose("chair", "Chair", false))

		_, err := s.Pose(ctx, "nothing")
		wantErr(t, err, library.ErrNotFound, "Pose of an unknown ref")

		twin := newPose("tree", "Another tree", false)
		twin.ID = "p-twin"
		wantErr(t, s.CreatePose(ctx, twin, &library.Audit{ID: "a1", At: t0, Action: "pose.create"}), library.ErrSlugTaken, "CreatePose with a used slug")
		_, err = s.Pose(ctx, "p-twin")
		wantErr(t, err, library.ErrNotFound, "the pose of a refused CreatePose")

		sameID := newPose("tree-2", "Tree 2", false)
		sameID.ID = tree.ID
		if err := s.CreatePose(ctx, sameID, nil); err == nil {
			t.Fatal("CreatePose with a used ID succeeded")
		}

		renamed := tree
		renamed.Slug = "chair"
		wantErr(t, s.UpdatePose(ctx, renamed, &library.Audit{ID: "a2", At: t0, Action: "pose.update"}), library.ErrSlugTaken, "UpdatePose to a used slug")
		if got, _ := s.Pose(ctx, tree.ID); got.Slug != "tree" {
			t.Fatalf("a refused UpdatePose changed the slug to %q", got.Slug)
		}
		wantErr(t, s.UpdatePose(ctx, newPose("ghost", "Ghost", false), &library.Audit{ID: "a3", At: t0, Action: "pose.update"}),
			library.ErrNotFound, "UpdatePose of an unknown pose")
		wantErr(t, s.DeletePose(ctx, "nothing", &library.Audit{ID: "a4", At: t0, Action: "pose.delete"}), library.ErrNotFound, "DeletePose of an unknown pose")
		if a := auditActions(t, accounts); len(a) != 0 {
			t.Fatalf("refused writes left audit entries %v", a)
		}

		// A pose a sequence uses cannot go; once the sequence is gone, it can.
		mustCreateSequence(t, s, newSequence("uses-tree", "Uses tree", ""), library.NewStep{PoseID: tree.ID, DurationSeconds: 30, Side: "both"})
		wantErr(t, s.DeletePose(ctx, tree.ID, &library.Audit{ID: "a5", At: t0, Action: "pose.delete"}), library.ErrPoseInUse, "DeletePose of a used pose")
		if _, err := s.Pose(ctx, tree.ID); err != nil {
			t.Fatalf("a refused DeletePose removed the pose: %v", err)
		}
		if err := s.DeleteSequence(ctx, "s-uses-tree", nil); err != nil {
			t.Fatal(err)
		}
		if err := s.DeletePose(ctx, tree.ID, &library.Audit{ID: "a6", At: t0, Action: "pose.delete"}); err != nil {
			t.Fatal(err)
		}
		_, err = s.Pose(ctx, "tree")
		wantErr(t, err, library.ErrNotFound, "Pose after DeletePose")
		if ids, _ := s.PoseIDs(ctx, []string{"tree", tree.ID}); len(ids) != 0 {
			t.Fatalf("PoseIDs after DeletePose: %v", ids)
		}
		if p, _ := s.ListPoses(ctx, library.PoseFilter{Query: "tree", Limit: 10}); len(p.Items) != 0 {
			t.Fatalf("a search finds a deleted pose: %v", poseIDs(p))
		}
		if a := auditActions(t, accounts); !slices.Equal(a, []string{"pose.delete"}) {
			t.Fatalf("audit entries %v, want the one deletion", a)
		}
	})
}

func TestLibraryUpdatePose(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		var s library.Store = db.Library()
		p := newPose("tree", "Tree", true)
		p.Contraindications = []string{"vertigo"}
		mustCreatePose(t, s, p)

		at := t0.Add(time.Hour)
		p.Slug, p.EnglishName, p.SanskritName = "vrksasana", "Standing Tree", "Vṛkṣāsana"
		p.Contraindications, p.Instructions, p.SeedHash, p.UpdatedAt = []string{"knee_injury", "low_blood_pressure"}, []string{"Balance."}, "", at
		if err := s.UpdatePose(ctx, p, nil); err != nil {
			t.Fatal(err)
		}
		_, err := s.Pose(ctx, "tree")
		wantErr(t, err, library.ErrNotFound, "the old slug after UpdatePose")
		got, err := s.Pose(ctx, "vrksasana")
		if err != nil || got.EnglishName != "Standing Tree" || got.SeedHash != "" || !got.UpdatedAt.Equal(at) || !got.CreatedAt.Equal(t0) ||
			!slices.Equal(got.Contraindications, []string{"knee_injury", "low_blood_pressure"}) || !slices.Equal(got.Instructions, []string{"Balance."}) {
			t.Fatalf("Pose after UpdatePose = %+v, %v", got, err)
		}
		// The search follows the names; the filters follow the tags.
		for q, want := range map[string][]string{"standing": {p.ID}, "vrksasana": {p.ID}, "tree": {p.ID}} {
			if page, _ := s.ListPoses(ctx, library.PoseFilter{Query: q, Limit: 10}); !slices.Equal(poseIDs(page), want) {
				t.Errorf("search %q after UpdatePose: %v", q, poseIDs(page))
			}
		}
		p.EnglishName, p.SanskritName = "Oak", ""
		if err := s.UpdatePose(ctx, p, nil); err != nil {
			t.Fatal(err)
		}
		if page, _ := s.ListPoses(ctx, library.PoseFilter{Query: "tree", Limit: 10}); len(page.Items) != 0 {
			t.Errorf("search for a name the pose lost still finds it")
		}
		if page, _ := s.ListPoses(ctx, library.PoseFilter{Avoid: []string{"vertigo"}, Limit: 10}); !slices.Equal(poseIDs(page), []string{p.ID}) {
			t.Errorf("avoiding a tag the pose lost: %v", poseIDs(page))
		}
	})
}

func TestLibraryPoseIDs(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		var s library.Store = db.Library()
		if got, err := s.PoseIDs(ctx, nil); err != nil || got == nil || len(got) != 0 {
			t.Fatalf("PoseIDs(nil) = %v, %v; want an empty map", got, err)
		}
		tree := mustCreatePose(t, s, newPose("tree", "Tree", true))
		chair := mustCreatePose(t, s, newPose("chair", "Chair", false))
		got, err := s.PoseIDs(ctx, []string{"tree", chair.ID, "tree", "missing"})
		if err != nil {
			t.Fatal(err)
		}
		// Both of a found pose's refs map to its ID; the missing one is absent.
		want := map[string]string{"tree": tree.ID, tree.ID: tree.ID, "chair": chair.ID, chair.ID: chair.ID}
		if len(got) != len(want) {
			t.Fatalf("PoseIDs = %v, want %v", got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("PoseIDs = %v, want %v", got, want)
			}
		}
	})
}

func TestLibraryListPoses(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		var s library.Store = db.Library()
		list := func(f library.PoseFilter) lister {
			return func(limit int, cursor string) ([]string, string, error) {
				f.Limit, f.Cursor = limit, cursor
				p, err := s.ListPoses(ctx, f)
				return poseIDs(p), p.NextCursor, err
			}
		}
		t.Run("empty", func(t *testing.T) {
			checkPages(t, nil, list(library.PoseFilter{}))
			checkPages(t, nil, list(library.PoseFilter{Query: "tree"}))
		})

		for _, p := range []struct {
			slug, name, sanskrit, category, difficulty string
			tags                                       []string
		}{
			{"boat", "Boat", "Nāvāsana", "core", "intermediate", []string{"back_injury"}},
			{"corpse", "Corpse", "Śavāsana", "supine", "beginner", nil},
			{"crow", "Crow", "Bakāsana", "arm_balance", "advanced", []string{"wrist_injury"}},
			{"tree", "Tree", "Vṛkṣāsana", "balancing", "beginner", []string{"vertigo"}},
			{"tree-b", "Tree", "", "balancing", "intermediate", []string{"vertigo", "knee_injury"}}, // the same name: by ID
			{"warrior", "Warrior", "Vīrabhadrāsana", "standing", "beginner", []string{"knee_injury"}},
		} {
			pose := newPose(p.slug, p.name, false)
			pose.SanskritName, pose.Category, pose.Difficulty = p.sanskrit, p.category, p.difficulty
			pose.Contraindications = append([]string{}, p.tags...)
			mustCreatePose(t, s, pose)
		}
		byName := []string{"p-boat", "p-corpse", "p-crow", "p-tree", "p-tree-b", "p-warrior"}
		t.Run("by name", func(t *testing.T) { checkPages(t, byName, list(library.PoseFilter{})) })
		t.Run("filters", func(t *testing.T) {
			for _, c := range []struct {
				name string
				f    library.PoseFilter
				want []string
			}{
				{"category", library.PoseFilter{Category: "balancing"}, []string{"p-tree", "p-tree-b"}},
				{"difficulty", library.PoseFilter{Difficulty: "beginner"}, []string{"p-corpse", "p-tree", "p-warrior"}},
				{"both", library.PoseFilter{Category: "balancing", Difficulty: "beginner"}, []string{"p-tree"}},
				{"avoid one", library.PoseFilter{Avoid: []string{"knee_injury"}}, []string{"p-boat", "p-corpse", "p-crow", "p-tree"}},
				{"avoid any of two", library.PoseFilter{Avoid: []string{"knee_injury", "vertigo"}}, []string{"p-boat", "p-corpse", "p-crow"}},
				{"nothing matches", library.PoseFilter{Category: "inversion"}, nil},
			} {
				t.Run(c.name, func(t *testing.T) { checkPages(t, c.want, list(c.f)) })
			}
		})
		t.Run("search", func(t *testing.T) {
			for _, c := range []struct {
				q    string
				want []string
			}{
				// Without diacritics, any case; Nāvāsana is a typo away, ranked after.
				{"savasana", []string{"p-corpse", "p-boat"}},
				{"ŚAVĀSANA", []string{"p-corpse", "p-boat"}},
				{"tree", []string{"p-tree", "p-tree-b"}},
				{"cro", []string{"p-crow"}}, // a prefix
				{"nothing-like-it", nil},
			} {
				checkPages(t, c.want, list(library.PoseFilter{Query: c.q}))
			}
			checkPages(t, []string{"p-tree"}, list(library.PoseFilter{Query: "tree", Difficulty: "beginner"}))
			checkPages(t, []string{"p-tree"}, list(library.PoseFilter{Query: "tree", Avoid: []string{"knee_injury"}}))
		})
		t.Run("tags filled in", func(t *testing.T) {
			p, _ := s.ListPoses(ctx, library.PoseFilter{Category: "balancing", Limit: 10})
			if len(p.Items) != 2 || !slices.Equal(p.Items[1].Contraindications, []string{"knee_injury", "vertigo"}) ||
				!slices.Equal(p.Items[0].Contraindications, []string{"vertigo"}) {
				t.Fatalf("tags of a page: %+v", p.Items)
			}
		})
		t.Run("cursor past the end", func(t *testing.T) {
			p, _ := s.ListPoses(ctx, library.PoseFilter{Limit: 5})
			if err := s.DeletePose(ctx, "p-warrior", nil); err != nil {
				t.Fatal(err)
			}
			last, err := s.ListPoses(ctx, library.PoseFilter{Limit: 5, Cursor: p.NextCursor})
			if err != nil || len(last.Items) != 0 || last.NextCursor != "" {
				t.Fatalf("after the last pose: %v %q %v", poseIDs(last), last.NextCursor, err)
			}
		})
		t.Run("forged cursor", func(t *testing.T) {
			for _, c := range forgedCursors {
				_, err := s.ListPoses(ctx, library.PoseFilter{Limit: 2, Cursor: c})
				wantBadCursor(t, err, "ListPoses")
				_, err = s.ListPoses(ctx, library.PoseFilter{Limit: 2, Cursor: c, Query: "tree"})
				wantBadCursor(t, err, "ListPoses searching")
			}
		})
	})
}

func TestLibrarySequenceRoundTrip(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		var s library.Store = db.Library()
		tree := newPose("tree", "Tree", true)
		tree.Contraindications = []string{"vertigo"}
		mustCreatePose(t, s, tree)
		warrior := newPose("warrior", "Warrior", true)
		warrior.Contraindications = []string{"knee_injury", "vertigo"}
		mustCreatePose(t, s, warrior)
		mountain := mustCreatePose(t, s, newPose("mountain", "Mountain", false))

		cue := "Breathe."
		q := newSequence("morning", "Morning", "")
		q.Difficulty, q.Style, q.FocusArea, q.SeedHash = "intermediate", "vinyasa", "balance", "seed"
		q.TotalDurationSeconds = 1 // derived by the store: ignored when steps are given
		steps := []library.NewStep{
			{PoseID: mountain.ID, DurationSeconds: 20, Side: "both"}, // symmetric: once
			{PoseID: tree.ID, DurationSeconds: 30, Side: "both", Cue: &cue},
			{PoseID: warrior.ID, DurationSeconds: 40, Side: "left"},
			{PoseID: mountain.ID, DurationSeconds: 10, Side: "right"},
		}
		if err := s.CreateSequence(ctx, q, steps, &library.Audit{ID: "a1", At: t0, Action: "sequence.create"}); err != nil {
			t.Fatal(err)
		}
		for _, ref := range []string{q.ID, q.Slug} {
			got, err := s.Sequence(ctx, ref)
			if err != nil {
				t.Fatalf("Sequence(%s): %v", ref, err)
			}
			if got.Name != "Morning" || got.Difficulty != "intermediate" || got.Style != "vinyasa" || got.FocusArea != "balance" ||
				got.OwnerID != nil || !got.IsPreset() || got.SeedHash != "seed" || !got.CreatedAt.Equal(t0) ||
				got.TotalDurationSeconds != 20+2*30+40+10 || !slices.Equal(got.Contraindications, []string{"knee_injury", "vertigo"}) {
				t.Fatalf("Sequence(%s) = %+v", ref, got)
			}
			if len(got.Steps) != 4 {
				t.Fatalf("%d steps, want 4", len(got.Steps))
			}
			for i, st := range got.Steps {
				if st.Position != i+1 || st.Pose.ID != steps[i].PoseID || st.DurationSeconds != steps[i].DurationSeconds || st.Side != steps[i].Side {
					t.Fatalf("step %d = %+v, want %+v", i+1, st, steps[i])
				}
			}
			if st := got.Steps[1]; st.Cue == nil || *st.Cue != cue || st.Pose.Slug != "tree" || st.Pose.EnglishName != "Tree" || !st.Pose.TwoSided {
				t.Fatalf("step 2 = %+v", st)
			}
			if got.Steps[0].Cue != nil {
				t.Fatalf("a step without a cue has %q", *got.Steps[0].Cue)
			}
		}
		if a := auditActions(t, accountStore(t, db)); !slices.Equal(a, []string{"sequence.create"}) {
			t.Fatalf("audit after CreateSequence: %v", a)
		}

		// A pose turning one-sided re-derives the totals of every sequence using it.
		tree.TwoSided = false
		if err := s.UpdatePose(ctx, tree, nil); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Sequence(ctx, "morning"); got.TotalDurationSeconds != 20+30+40+10 || got.Steps[1].Pose.TwoSided {
			t.Fatalf("after the pose became one-sided: total %d, step %+v", got.TotalDurationSeconds, got.Steps[1])
		}

		// Without steps the total is what the caller gave.
		empty := newSequence("empty", "Empty", "")
		empty.TotalDurationSeconds = 0
		mustCreateSequence(t, s, empty)
		if got, _ := s.Sequence(ctx, "empty"); got.TotalDurationSeconds != 0 || got.Steps == nil || len(got.Steps) != 0 || got.Contraindications == nil {
			t.Fatalf("a sequence without steps: %+v (empty lists, not nil)", got)
		}
	})
}

func TestLibrarySequenceErrors(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		var s library.Store = db.Library()
		pose := mustCreatePose(t, s, newPose("tree", "Tree", true))
		step := library.NewStep{PoseID: pose.ID, DurationSeconds: 30, Side: "both"}
		mustCreateSequence(t, s, newSequence("a", "A", ""), step)
		mustCreateSequence(t, s, newSequence("b", "B", ""), step)

		_, err := s.Sequence(ctx, "nothing")
		wantErr(t, err, library.ErrNotFound, "Sequence of an unknown ref")

		twin := newSequence("a", "A again", "")
		twin.ID = "s-twin"
		wantErr(t, s.CreateSequence(ctx, twin, []library.NewStep{step}, &library.Audit{ID: "x1", At: t0, Action: "sequence.create"}),
			library.ErrSlugTaken, "CreateSequence with a used slug")

		ghost := newSequence("ghost", "Ghost", "")
		wantErr(t, s.CreateSequence(ctx, ghost, []library.NewStep{step, {PoseID: "p-missing", DurationSeconds: 5, Side: "left"}}, nil),
			library.ErrNotFound, "CreateSequence with an unknown pose")
		_, err = s.Sequence(ctx, "ghost")
		wantErr(t, err, library.ErrNotFound, "the sequence of a refused CreateSequence")

		b := newSequence("a", "B", "")
		b.ID = "s-b"
		wantErr(t, s.UpdateSequence(ctx, b, nil, &library.Audit{ID: "x2", At: t0, Action: "sequence.update"}), library.ErrSlugTaken, "UpdateSequence to a used slug")
		wantErr(t, s.UpdateSequence(ctx, ghost, nil, &library.Audit{ID: "x3", At: t0, Action: "sequence.update"}), library.ErrNotFound, "UpdateSequence of an unknown sequence")
		a := newSequence("a", "A", "")
		wantErr(t, s.UpdateSequence(ctx, a, []library.NewStep{{PoseID: "p-missing", DurationSeconds: 5, Side: "left"}}, nil),
			library.ErrNotFound, "UpdateSequence with an unknown pose")
		if got, _ := s.Sequence(ctx, "a"); len(got.Steps) != 1 || got.TotalDurationSeconds != 60 {
			t.Fatalf("a refused UpdateSequence changed the steps: %+v", got)
		}
		wantErr(t, s.DeleteSequence(ctx, "nothing", &library.Audit{ID: "x4", At: t0, Action: "sequence.delete"}), library.ErrNotFound, "DeleteSequence of an unknown sequence")
		if audit := auditActions(t, accountStore(t, db)); len(audit) != 0 {
			t.Fatalf("refused writes left audit entries %v", audit)
		}
	})
}

func TestLibraryUpdateAndDeleteSequence(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		var s library.Store = db.Library()
		var ps practice.Store = db.Practice()
		accounts := accountStore(t, db)
		u := mustUser(t, accounts, "ana@example.test")
		tree := mustCreatePose(t, s, newPose("tree", "Tree", true))
		chair := mustCreatePose(t, s, newPose("chair", "Chair", false))
		q := mustCreateSequence(t, s, newSequence("mine", "Mine", u.ID),
			library.NewStep{PoseID: tree.ID, DurationSeconds: 30, Side: "both"}, library.NewStep{PoseID: chair.ID, DurationSeconds: 15, Side: "both"})

		// nil steps: the steps stay, and the total is the caller's (the
		// service passes the stored one back).
		q, _ = s.Sequence(ctx, q.ID)
		at := t0.Add(time.Hour)
		q.Name, q.Description, q.UpdatedAt = "Mine, renamed", "New words", at
		if err := s.UpdateSequence(ctx, q, nil, nil); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Sequence(ctx, q.ID)
		if got.Name != "Mine, renamed" || got.Description != "New words" || !got.UpdatedAt.Equal(at) || len(got.Steps) != 2 ||
			got.TotalDurationSeconds != 75 || got.OwnerID == nil || *got.OwnerID != u.ID {
			t.Fatalf("after UpdateSequence without steps: %+v", got)
		}
		// Steps given: replaced, renumbered, total derived again.
		if err := s.UpdateSequence(ctx, q, []library.NewStep{{PoseID: chair.ID, DurationSeconds: 50, Side: "left"}}, nil); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Sequence(ctx, q.ID)
		if len(got.Steps) != 1 || got.Steps[0].Position != 1 || got.Steps[0].Pose.ID != chair.ID || got.TotalDurationSeconds != 50 {
			t.Fatalf("after UpdateSequence with steps: %+v", got)
		}
		// The pose it no longer uses may go.
		if err := s.DeletePose(ctx, tree.ID, nil); err != nil {
			t.Fatalf("DeletePose of a pose the sequence dropped: %v", err)
		}

		// Deleting the sequence keeps its history, without the link.
		sess := newSession("ps1", u.ID, t0, time.UTC, practice.Completed)
		sess.SequenceID, sess.SequenceName = &q.ID, q.Name
		mustCreateSession(t, ps, sess)
		if err := s.DeleteSequence(ctx, q.ID, &library.Audit{ID: "d1", At: at, Action: "sequence.delete"}); err != nil {
			t.Fatal(err)
		}
		_, err := s.Sequence(ctx, q.Slug)
		wantErr(t, err, library.ErrNotFound, "Sequence after DeleteSequence")
		kept, err := ps.Session(ctx, u.ID, "ps1")
		if err != nil || kept.SequenceID != nil || kept.SequenceName != "Mine, renamed" {
			t.Fatalf("the session of a deleted sequence: %+v, %v", kept, err)
		}
		if err := s.DeletePose(ctx, chair.ID, nil); err != nil {
			t.Fatalf("DeletePose once its sequence is gone: %v", err)
		}
		if a := auditActions(t, accounts); !slices.Equal(a, []string{"sequence.delete"}) {
			t.Fatalf("audit: %v", a)
		}
	})
}

func TestLibraryListSequences(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		var s library.Store = db.Library()
		accounts := accountStore(t, db)
		list := func(f library.SequenceFilter) lister {
			return func(limit int, cursor string) ([]string, string, error) {
				f.Limit, f.Cursor = limit, cursor
				p, err := s.ListSequences(ctx, f)
				return keysOf(p.Items, func(q library.Sequence) string { return q.ID }), p.NextCursor, err
			}
		}
		ana, ben := mustUser(t, accounts, "ana@example.test"), mustUser(t, accounts, "ben@example.test")
		t.Run("empty", func(t *testing.T) {
			checkPages(t, nil, list(library.SequenceFilter{}))
			checkPages(t, nil, list(library.SequenceFilter{Viewer: ana.ID}))
		})

		short := newPose("short", "Short", false)
		knees := newPose("knees", "Knees", true)
		knees.Contraindications = []string{"knee_injury"}
		mustCreatePose(t, s, short)
		mustCreatePose(t, s, knees)
		for _, c := range []struct {
			slug, name, owner, style string
			steps                    []library.NewStep
		}{
			// Presets and Ana's own interleave by name; Ben's never show to her.
			{"alpha", "Alpha", "", "hatha", []library.NewStep{{PoseID: short.ID, DurationSeconds: 60, Side: "both"}}},
			{"bravo", "Bravo", ana.ID, "yin", []library.NewStep{{PoseID: knees.ID, DurationSeconds: 100, Side: "both"}}}, // 200 s
			{"charlie", "Charlie", "", "yin", []library.NewStep{{PoseID: short.ID, DurationSeconds: 300, Side: "left"}}},
			{"delta", "Delta", ben.ID, "hatha", nil},
			{"echo", "Echo", ana.ID, "hatha", []library.NewStep{{PoseID: short.ID, DurationSeconds: 10, Side: "left"}}},
			{"echo-2", "Echo", "", "hatha", []library.NewStep{{PoseID: knees.ID, DurationSeconds: 10, Side: "left"}}}, // the same name: by ID
			{"foxtrot", "Foxtrot", "", "power", nil},
		} {
			q := newSequence(c.slug, c.name, c.owner)
			q.Style = c.style
			mustCreateSequence(t, s, q, c.steps...)
		}
		presets := []string{"s-alpha", "s-charlie", "s-echo-2", "s-foxtrot"}
		anas := []string{"s-bravo", "s-echo"}
		for _, c := range []struct {
			name string
			f    library.SequenceFilter
			want []string
		}{
			{"anonymous: presets", library.SequenceFilter{}, presets},
			{"a viewer: presets and their own", library.SequenceFilter{Viewer: ana.ID}, []string{"s-alpha", "s-bravo", "s-charlie", "s-echo", "s-echo-2", "s-foxtrot"}},
			{"another viewer", library.SequenceFilter{Viewer: ben.ID}, []string{"s-alpha", "s-charlie", "s-delta", "s-echo-2", "s-foxtrot"}},
			{"presets only", library.SequenceFilter{Viewer: ana.ID, Preset: ptr(true)}, presets},
			{"own only", library.SequenceFilter{Viewer: ana.ID, Preset: ptr(false)}, anas},
			{"mine", library.SequenceFilter{Viewer: ana.ID, Mine: true}, anas},
			{"mine, anonymous", library.SequenceFilter{Mine: true}, nil},
			{"own only, anonymous", library.SequenceFilter{Preset: ptr(false)}, nil},
			{"mine wins over presets only", library.SequenceFilter{Viewer: ana.ID, Mine: true, Preset: ptr(true)}, anas},
			{"style", library.SequenceFilter{Viewer: ana.ID, Style: "yin"}, []string{"s-bravo", "s-charlie"}},
			{"max duration", library.SequenceFilter{Viewer: ana.ID, MaxDuration: 200}, []string{"s-alpha", "s-bravo", "s-echo", "s-echo-2", "s-foxtrot"}},
			{"avoid", library.SequenceFilter{Viewer: ana.ID, Avoid: []string{"knee_injury"}}, []string{"s-alpha", "s-charlie", "s-echo", "s-foxtrot"}},
			{"focus and difficulty", library.SequenceFilter{Viewer: ana.ID, FocusArea: "full_body", Difficulty: "advanced"}, nil},
		} {
			t.Run(c.name, func(t *testing.T) { checkPages(t, c.want, list(c.f)) })
		}
		t.Run("details filled in", func(t *testing.T) {
			p, _ := s.ListSequences(ctx, library.SequenceFilter{Viewer: ana.ID, Style: "yin", Limit: 10})
			if len(p.Items) != 2 || len(p.Items[0].Steps) != 1 || p.Items[0].Steps[0].Pose.Slug != "knees" ||
				!slices.Equal(p.Items[0].Contraindications, []string{"knee_injury"}) || p.Items[0].TotalDurationSeconds != 200 {
				t.Fatalf("a listed sequence: %+v", p.Items)
			}
		})
		t.Run("forged cursor", func(t *testing.T) {
			for _, c := range forgedCursors {
				_, err := s.ListSequences(ctx, library.SequenceFilter{Limit: 2, Cursor: c})
				wantBadCursor(t, err, "ListSequences")
			}
		})
		t.Run("cursor past the end", func(t *testing.T) {
			p, _ := s.ListSequences(ctx, library.SequenceFilter{Limit: 3})
			if err := s.DeleteSequence(ctx, "s-foxtrot", nil); err != nil {
				t.Fatal(err)
			}
			last, err := s.ListSequences(ctx, library.SequenceFilter{Limit: 3, Cursor: p.NextCursor})
			if err != nil || len(last.Items) != 0 || last.NextCursor != "" {
				t.Fatalf("after the last sequence: %+v, %v", last, err)
			}
		})
	})
}
