package password

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// hold takes n slots of h away, as n long bcrypt operations would, and
// returns a function that gives them back.
func hold(t *testing.T, h *Hasher, n int) (release func()) {
	t.Helper()
	for range n {
		h.slots <- struct{}{}
	}
	return func() {
		for range n {
			<-h.slots
		}
	}
}

// assertNoSlotLeak fails if any slot is still taken beyond the held ones.
func assertNoSlotLeak(t *testing.T, h *Hasher, held int) {
	t.Helper()
	if got := len(h.slots); got != held {
		t.Errorf("%d slots taken, want %d: a slot leaked", got, held)
	}
}

func TestHasherRoundTrip(t *testing.T) {
	longest := strings.Repeat("Tadasana-Sunrise-42-", 4)[:MaxLength]
	tests := []struct {
		name, stored, attempt string
		want                  bool
	}{
		{"same password", "Tadasana-Sunrise-42", "Tadasana-Sunrise-42", true},
		{"wrong password", "Tadasana-Sunrise-42", "Tadasana-Sunrise-43", false},
		{"other case", "Tadasana-Sunrise-42", "tadasana-sunrise-42", false},
		{"empty attempt", "Tadasana-Sunrise-42", "", false},
		{"72 bytes", longest, longest, true},
		{"72 bytes, attempt one byte short", longest, longest[:71], false},
		// bcrypt itself ignores bytes after the 72nd and would accept this.
		{"72 bytes, attempt one byte longer", longest, longest + "x", false},
		{"multi-byte UTF-8", "Śavāsana-Čaj-42", "Śavāsana-Čaj-42", true},
	}
	h := NewHasher(bcrypt.MinCost, 2, time.Second)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			hash, err := h.Hash(ctx, tt.stored, Inputs{})
			if err != nil {
				t.Fatalf("Hash: %v", err)
			}
			if cost, err := bcrypt.Cost([]byte(hash)); err != nil || cost != bcrypt.MinCost {
				t.Errorf("hash cost = %d, %v; want %d", cost, err, bcrypt.MinCost)
			}
			got, err := h.Compare(ctx, hash, tt.attempt)
			if err != nil || got != tt.want {
				t.Errorf("Compare = %v, %v; want %v, nil", got, err, tt.want)
			}
			assertNoSlotLeak(t, h, 0)
		})
	}
}

func TestHasherHashRefusesTooLong(t *testing.T) {
	h := NewHasher(bcrypt.MinCost, 1, time.Second)
	for _, n := range []int{MaxLength + 1, 200} {
		hash, err := h.Hash(t.Context(), strings.Repeat("a", n), Inputs{})
		if !errors.Is(err, ErrTooLong) || !errors.Is(err, bcrypt.ErrPasswordTooLong) || hash != "" {
			t.Errorf("Hash(%d bytes) = %q, %v; want ErrTooLong", n, hash, err)
		}
	}
	assertNoSlotLeak(t, h, 0)
}

func TestHasherCompareMalformedHash(t *testing.T) {
	h := NewHasher(bcrypt.MinCost, 1, time.Second)
	good, err := h.Hash(t.Context(), "Tadasana-Sunrise-42", Inputs{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, hash string }{
		{"empty", ""},
		{"not bcrypt", "not a bcrypt hash, but long enough to pass the first check"},
		{"truncated", good[:40]},
		{"unknown version", "$3" + good[2:]},
		{"cost out of range", good[:4] + "99" + good[6:]},
		{"salt not base64", good[:7] + "!!!!!!!!!!!!!!!!!!!!!!" + good[29:]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, pw := range []string{"Tadasana-Sunrise-42", strings.Repeat("a", MaxLength+1)} {
				ok, err := h.Compare(t.Context(), tt.hash, pw)
				if err == nil || ok {
					t.Errorf("Compare(%q, %d-byte password) = %v, %v; want false and an error", tt.hash, len(pw), ok, err)
				}
			}
			assertNoSlotLeak(t, h, 0)
		})
	}
}

func TestHasherCompareDummy(t *testing.T) {
	h := NewHasher(bcrypt.MinCost+1, 1, time.Second)
	// Same time as a real Compare means the same cost.
	if cost, err := bcrypt.Cost(h.dummy); err != nil || cost != h.Cost() {
		t.Errorf("dummy hash cost = %d, %v; want %d", cost, err, h.Cost())
	}
	for _, pw := range []string{"Tadasana-Sunrise-42", "", strings.Repeat("a", MaxLength+1)} {
		if err := h.CompareDummy(t.Context(), pw); err != nil {
			t.Errorf("CompareDummy(%d bytes) = %v, want nil", len(pw), err)
		}
	}
	assertNoSlotLeak(t, h, 0)
}

// TestHasherBusy holds every slot, as a login flood would, and checks each
// operation gives up when it should, with the right error.
func TestHasherBusy(t *testing.T) {
	const short = 30 * time.Millisecond
	ops := []struct {
		name string
		run  func(context.Context, *Hasher) error
	}{
		{"Hash", func(ctx context.Context, h *Hasher) error {
			_, err := h.Hash(ctx, "Tadasana-Sunrise-42", Inputs{})
			return err
		}},
		{"Compare", func(ctx context.Context, h *Hasher) error {
			// A well-formed hash, so that only the wait can fail.
			_, err := h.Compare(ctx, string(h.dummy), "Tadasana-Sunrise-42")
			return err
		}},
		{"CompareDummy", func(ctx context.Context, h *Hasher) error {
			return h.CompareDummy(ctx, "Tadasana-Sunrise-42")
		}},
	}
	cases := []struct {
		name    string
		held    int // of 2 slots
		maxWait time.Duration
		ctx     func(context.Context) (context.Context, context.CancelFunc)
		want    error
		notWant error
	}{
		{
			name: "ctx deadline before maxWait", held: 2, maxWait: time.Minute,
			ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
				return context.WithTimeout(ctx, short)
			},
			want: ErrBusy,
		},
		{
			name: "maxWait before ctx deadline", held: 2, maxWait: short,
			ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
				return context.WithTimeout(ctx, time.Minute)
			},
			want: ErrBusy,
		},
		{
			name: "maxWait, no ctx deadline", held: 2, maxWait: short,
			ctx:  func(ctx context.Context) (context.Context, context.CancelFunc) { return ctx, func() {} },
			want: ErrBusy,
		},
		{
			name: "caller gives up while waiting", held: 2, maxWait: time.Minute,
			ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(ctx)
				time.AfterFunc(short, cancel)
				return ctx, cancel
			},
			want: context.Canceled, notWant: ErrBusy,
		},
		{
			name: "deadline already passed, slots free", held: 0, maxWait: time.Minute,
			ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
				return context.WithTimeout(ctx, -time.Second)
			},
			want: ErrBusy,
		},
		{
			name: "caller already gone, slots free", held: 0, maxWait: time.Minute,
			ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(ctx)
				cancel()
				return ctx, cancel
			},
			want: context.Canceled, notWant: ErrBusy,
		},
	}
	for _, op := range ops {
		for _, c := range cases {
			t.Run(op.name+"/"+c.name, func(t *testing.T) {
				h := NewHasher(bcrypt.MinCost, 2, c.maxWait)
				release := hold(t, h, c.held)
				defer release()
				ctx, cancel := c.ctx(t.Context())
				defer cancel()
				start := time.Now()
				err := op.run(ctx, h)
				elapsed := time.Since(start)
				if !errors.Is(err, c.want) || (c.notWant != nil && errors.Is(err, c.notWant)) {
					t.Errorf("err = %v, want %v", err, c.want)
				}
				if elapsed > 10*time.Second {
					t.Errorf("gave up after %v, want about %v", elapsed, short)
				}
				assertNoSlotLeak(t, h, c.held)
			})
		}
	}
}

// TestHasherWaitsForSlot starts more calls than there are slots while every
// slot is held: none may run until a slot frees, then all complete through
// it, and every slot comes back.
func TestHasherWaitsForSlot(t *testing.T) {
	const slots = 2
	h := NewHasher(bcrypt.MinCost, slots, time.Minute)
	releaseOne := hold(t, h, 1)
	releaseRest := hold(t, h, slots-1)

	var done atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, 3*slots)
	for range 3 * slots {
		wg.Go(func() {
			_, err := h.Hash(t.Context(), "Tadasana-Sunrise-42", Inputs{})
			errs <- err
			done.Add(1)
		})
	}
	// A MinCost hash takes about a millisecond: had any call run without a
	// slot, it would be done by now.
	time.Sleep(100 * time.Millisecond)
	if n := done.Load(); n != 0 {
		t.Fatalf("%d calls finished while every slot was held", n)
	}
	releaseOne()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Hash: %v", err)
		}
	}
	assertNoSlotLeak(t, h, slots-1)
	releaseRest()
}

func TestNewHasher(t *testing.T) {
	h := NewHasher(bcrypt.MinCost, 3, time.Second)
	if h.Cost() != bcrypt.MinCost || cap(h.slots) != 3 {
		t.Errorf("Cost() = %d, slots = %d; want %d, 3", h.Cost(), cap(h.slots), bcrypt.MinCost)
	}
	for _, tt := range []struct {
		name        string
		cost, slots int
		maxWait     time.Duration
	}{
		// bcrypt would quietly use cost 10 for these.
		{"cost 0", 0, 1, time.Second},
		{"cost below MinCost", bcrypt.MinCost - 1, 1, time.Second},
		{"cost above MaxCost", bcrypt.MaxCost + 1, 1, time.Second},
		{"no slots", bcrypt.MinCost, 0, time.Second},
		{"no wait", bcrypt.MinCost, 1, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("NewHasher(%d, %d, %v) did not panic", tt.cost, tt.slots, tt.maxWait)
				}
			}()
			NewHasher(tt.cost, tt.slots, tt.maxWait)
		})
	}
}

// benchCost is the production cost (DESIGN.md).
const benchCost = 12

// BenchmarkBareBcrypt and BenchmarkHasherCompare together give the overhead
// of the slots: run both and compare ns/op.
func BenchmarkBareBcrypt(b *testing.B) {
	hash, err := bcrypt.GenerateFromPassword([]byte("Tadasana-Sunrise-42"), benchCost)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := bcrypt.CompareHashAndPassword(hash, []byte("Tadasana-Sunrise-42")); err != nil {
				b.Error(err)
			}
		}
	})
}

func BenchmarkHasherCompare(b *testing.B) {
	h := NewHasher(benchCost, runtime.NumCPU(), time.Minute)
	hash, err := h.Hash(b.Context(), "Tadasana-Sunrise-42", Inputs{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ok, err := h.Compare(b.Context(), hash, "Tadasana-Sunrise-42"); !ok || err != nil {
				b.Error(ok, err)
			}
		}
	})
}

func TestHasherHashAppliesTheRules(t *testing.T) {
	h := NewHasher(bcrypt.MinCost, 1, time.Second)
	hash, err := h.Hash(t.Context(), "SarahConnor1", Inputs{User: []string{"sarah.connor@example.com"}})
	var re *RuleError
	if !errors.As(err, &re) || re.Rule != RuleGuessable || hash != "" {
		t.Fatalf("Hash of a password built from the email = %q, %v; want a guessable RuleError", hash, err)
	}
	assertNoSlotLeak(t, h, 0)
}

// TestDummyHashCostsACompare: the dummy hash is one bcrypt reads as a
// hash at the Hasher's cost, matched by no password, so CompareDummy runs
// the whole key schedule at that cost.
func TestDummyHashCostsACompare(t *testing.T) {
	for _, cost := range []int{bcrypt.MinCost, 10, 12} {
		h := NewHasher(cost, 1, time.Second)
		if got, err := bcrypt.Cost(h.dummy); err != nil || got != cost {
			t.Fatalf("cost %d: the dummy hash reads as cost %d (%v)", cost, got, err)
		}
		if err := bcrypt.CompareHashAndPassword(h.dummy, []byte("")); !errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			t.Errorf("cost %d: comparing with the dummy hash: %v, want a mismatch (not a malformed hash)", cost, err)
		}
	}
	one, two := NewHasher(4, 1, time.Second), NewHasher(4, 1, time.Second)
	if string(one.dummy) == string(two.dummy) {
		t.Error("two dummy hashes are the same")
	}
}
