package flags

import (
	"fmt"
	"math"
	"testing"
)

// users are synthetic: IDs that differ only in their last characters are
// the hardest case for a hash's spread.
func users(n int) []User {
	out := make([]User, n)
	for i := range out {
		out[i] = User{ID: fmt.Sprintf("user-%05d", i), Roles: []string{"user"}}
	}
	return out
}

func TestSplitFollowsTheWeights(t *testing.T) {
	for _, rollout := range []int{100, 40} {
		t.Run(fmt.Sprintf("rollout %d%%", rollout), func(t *testing.T) {
			c := compile(Flag{Key: "new_beginner_sequence", Enabled: true, RolloutPercent: rollout, DefaultVariant: Off,
				Variants: []Variant{{"control", 50}, {"short_holds", 30}, {"long_holds", 20}}}, nil)
			all := users(10_000)
			counts := map[string]int{}
			in := 0
			for _, u := range all {
				if e := c.evaluate(u); e.Enabled {
					in++
					counts[e.Variant]++
				}
			}
			within(t, "users in the rollout", float64(in)/float64(len(all)), float64(rollout)/100)
			for _, v := range c.flag.Variants {
				within(t, v.Name, float64(counts[v.Name])/float64(in), float64(v.Weight)/100)
			}
		})
	}
}

// within fails unless got is within 2 percentage points of want.
func within(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 0.02 {
		t.Errorf("%s: %.2f%%, want %.2f%% ± 2", what, got*100, want*100)
	} else {
		t.Logf("%s: %.2f%% (want %.2f%%)", what, got*100, want*100)
	}
}

func TestRaisingTheRolloutOnlyAddsUsers(t *testing.T) {
	f := Flag{Key: "reminders", Enabled: true, RolloutPercent: 20, DefaultVariant: Off,
		Variants: []Variant{{"morning", 1}, {"evening", 1}}}
	before := compile(f, nil)
	f.RolloutPercent = 50
	after := compile(f, nil)
	var was, is int
	for _, u := range users(10_000) {
		b, a := before.evaluate(u), after.evaluate(u)
		if b.Enabled {
			was++
			if a != b {
				t.Fatalf("%s held %+v at 20%% and %+v at 50%%", u.ID, b, a)
			}
		}
		if a.Enabled {
			is++
		}
	}
	within(t, "at 20%", float64(was)/10_000, 0.2)
	within(t, "at 50%", float64(is)/10_000, 0.5)
}

func TestEvaluationIsStable(t *testing.T) {
	f := Flag{Key: "reminders", Enabled: true, RolloutPercent: 60, DefaultVariant: "none",
		Variants: []Variant{{"morning", 1}, {"evening", 3}}}
	// Another instance compiles the same flag from the same row.
	one, two := compile(f, nil), compile(f, nil)
	for _, u := range users(1_000) {
		first := one.evaluate(u)
		for range 3 {
			if again, there := one.evaluate(u), two.evaluate(u); again != first || there != first {
				t.Fatalf("%s: %+v, then %+v here and %+v on another instance", u.ID, first, again, there)
			}
		}
	}
	// Pinned: a change to the hash would reassign every user in production.
	for id, want := range map[string]Evaluation{"user-00000": {false, "none"}, "user-00004": {true, "evening"}, "user-00013": {true, "morning"}} {
		if got := one.evaluate(User{ID: id}); got != want {
			t.Errorf("%s: %+v, want %+v", id, got, want)
		}
	}
}

func TestWhoGetsTheDefault(t *testing.T) {
	on := Flag{Key: "calm_mode", Enabled: true, RolloutPercent: 100, DefaultVariant: Off}
	member := User{ID: "user-1", Roles: []string{"user"}}
	for _, tc := range []struct {
		name string
		flag func(Flag) Flag
		user User
		want Evaluation
	}{
		{"no variants: on", func(f Flag) Flag { return f }, member, Evaluation{true, On}},
		{"anonymous", func(f Flag) Flag { return f }, User{}, Evaluation{false, Off}},
		{"disabled", func(f Flag) Flag { f.Enabled = false; return f }, member, Evaluation{false, Off}},
		{"disabled, named default", func(f Flag) Flag { f.Enabled, f.DefaultVariant = false, "classic"; return f }, member, Evaluation{false, "classic"}},
		{"rollout 0", func(f Flag) Flag { f.RolloutPercent = 0; return f }, member, Evaluation{false, Off}},
		{"role not held", func(f Flag) Flag { f.Roles = []string{"editor", "admin"}; return f }, member, Evaluation{false, Off}},
		{"role held", func(f Flag) Flag { f.Roles = []string{"editor", "admin"}; return f },
			User{ID: "user-1", Roles: []string{"user", "editor"}}, Evaluation{true, On}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := compile(tc.flag(on), nil).evaluate(tc.user); got != tc.want {
				t.Errorf("%+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestEveryUserOfADisabledFlagGetsTheDefault(t *testing.T) {
	c := compile(Flag{Key: "calm_mode", RolloutPercent: 100, DefaultVariant: "classic", Variants: []Variant{{"calm", 1}}}, nil)
	for _, u := range users(10_000) {
		if e := c.evaluate(u); e != (Evaluation{Variant: "classic"}) {
			t.Fatalf("%s: %+v", u.ID, e)
		}
	}
}
