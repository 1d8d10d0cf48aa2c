package flags

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/yogaflow/yogaflow/internal/account"
	"github.com/yogaflow/yogaflow/internal/platform/cache"
	"github.com/yogaflow/yogaflow/internal/platform/validation"
)

// Service manages flags and evaluates them. Every instance keeps all flags
// in memory, so evaluating costs no query; a change bumps a version that
// every instance shares, and each one reloads when it sees it move.
type Service struct {
	store   Store
	version cache.Version
	meter   Meter
	logger  *slog.Logger
	now     func() time.Time

	loaded  atomic.Pointer[snapshot] // nil until the first evaluation
	loading sync.Mutex               // one version check at a time
}

// refreshInterval is how often an instance asks whether the flags changed:
// one small read per interval, and the longest a change made on another
// instance takes to reach this one.
const refreshInterval = time.Second

// snapshot is every flag as of one version of the shared counter.
type snapshot struct {
	version    int64
	checkAfter time.Time
	flags      []*compiled // by key
	byKey      map[string]*compiled
}

// NewService builds the service. version is bumped by every change;
// meter, which may be nil, counts evaluations; now is the clock.
func NewService(store Store, version cache.Version, meter Meter, logger *slog.Logger, now func() time.Time) *Service {
	return &Service{store: store, version: version, meter: meter, logger: logger, now: now}
}

// current returns the flags in memory. At most once per refreshInterval a
// caller checks the shared version, and reloads when it moved; meanwhile
// the others go on with what is loaded rather than wait.
func (s *Service) current(ctx context.Context) (*snapshot, error) {
	snap := s.loaded.Load()
	now := s.now()
	if snap != nil && now.Before(snap.checkAfter) {
		return snap, nil
	}
	if snap == nil {
		s.loading.Lock()
	} else if !s.loading.TryLock() {
		return snap, nil
	}
	defer s.loading.Unlock()
	if latest := s.loaded.Load(); latest != snap {
		if latest != nil {
			return latest, nil // checked by another caller while this one waited
		}
		snap = nil // a change here dropped what was loaded
	}
	// The version is read before the flags: a change that lands in between
	// is loaded now and loaded again at the next check, never missed.
	v, err := s.version.Current(ctx)
	if err != nil && snap != nil {
		s.logger.WarnContext(ctx, "flags version unavailable: keeping the flags loaded", slog.String("error", err.Error()))
		v = snap.version
	} else if err != nil {
		return nil, err
	}
	next := &snapshot{version: v, checkAfter: now.Add(refreshInterval)}
	if snap != nil && v == snap.version {
		next.flags, next.byKey = snap.flags, snap.byKey
	} else {
		all, err := s.store.AllFlags(ctx)
		if err != nil && snap != nil {
			s.logger.WarnContext(ctx, "flags not reloaded: keeping the flags loaded", slog.String("error", err.Error()))
			return snap, nil
		} else if err != nil {
			return nil, err
		}
		next.byKey = make(map[string]*compiled, len(all))
		for _, f := range all {
			c := compile(f, s.meter)
			next.flags = append(next.flags, c)
			next.byKey[f.Key] = c
		}
	}
	s.loaded.Store(next)
	return next, nil
}

// changed marks the flags changed everywhere, and here at once. A failed
// bump is logged, not returned: the change is made, and other instances
// see it when the next change bumps the version.
func (s *Service) changed(ctx context.Context) {
	if err := s.version.Bump(ctx); err != nil {
		s.logger.ErrorContext(ctx, "flags version not bumped: other instances keep the flags they loaded", slog.String("error", err.Error()))
	}
	// Under the lock, so a reload that began before the change cannot store
	// its result after this.
	s.loading.Lock()
	defer s.loading.Unlock()
	s.loaded.Store(nil)
}

// Variant returns the variant of flag key that u holds: server code
// branches on it. An unknown flag, or flags that cannot be loaded, give
// Off.
func (s *Service) Variant(ctx context.Context, u User, key string) string {
	snap, err := s.current(ctx)
	if err != nil {
		s.logger.ErrorContext(ctx, "flags not loaded: every flag is off", slog.String("error", err.Error()))
		return Off
	}
	c, ok := snap.byKey[key]
	if !ok {
		return Off
	}
	return c.evaluate(u).Variant
}

// Evaluate evaluates every flag for u, by key.
func (s *Service) Evaluate(ctx context.Context, u User) (map[string]Evaluation, error) {
	snap, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Evaluation, len(snap.flags))
	for _, c := range snap.flags {
		out[c.flag.Key] = c.evaluate(u)
	}
	return out, nil
}

// Exposures returns the variant the user holds of each enabled flag, for
// the session they start: results compare the practice of each variant.
// Flags that cannot be loaded are logged and give none: the practice goes
// on.
func (s *Service) Exposures(ctx context.Context, userID string, roles []string) map[string]string {
	snap, err := s.current(ctx)
	if err != nil {
		s.logger.ErrorContext(ctx, "flags not loaded: session exposures not recorded", slog.String("error", err.Error()))
		return nil
	}
	out := map[string]string{}
	u := User{ID: userID, Roles: roles}
	for _, c := range snap.flags {
		if c.flag.Enabled {
			out[c.flag.Key] = c.evaluate(u).Variant
		}
	}
	return out
}

// List lists flags by key, from the database.
func (s *Service) List(ctx context.Context, limit int, cursor string) (Page, error) {
	return s.store.ListFlags(ctx, limit, cursor)
}

// Flag returns a flag from the database.
func (s *Service) Flag(ctx context.Context, key string) (Flag, error) { return s.store.Flag(ctx, key) }

// Input is a flag as admins write it; nil fields are left as they are by
// Update and take their defaults in Create.
type Input struct {
	Description    *string
	Enabled        *bool
	RolloutPercent *int
	Variants       []Variant
	DefaultVariant *string
	Roles          []string
}

// Create adds a flag: disabled, for 100% of users, with the single variant
// On and the default Off, unless in says otherwise. ErrKeyTaken for a used
// key.
func (s *Service) Create(ctx context.Context, actor *account.Principal, key string, in Input, requestID string) (Flag, error) {
	if !keyPattern.MatchString(key) {
		return Flag{}, validation.New("key", "must be 2 to 64 lower-case letters, digits and underscores, starting with a letter, like new_beginner_sequence")
	}
	now := s.clock()
	f := Flag{Key: key, RolloutPercent: 100, Variants: []Variant{}, DefaultVariant: Off, Roles: []string{}, CreatedAt: now, UpdatedAt: now}
	if err := apply(&f, in); err != nil {
		return Flag{}, err
	}
	if err := s.store.CreateFlag(ctx, f, s.audit(actor, "flag.create", f, requestID)); err != nil {
		return Flag{}, err
	}
	s.changed(ctx)
	return f, nil
}

// Update changes the fields given. A change to the rollout or the variants
// reassigns users: raising the rollout only adds users, while new weights
// move some between variants.
func (s *Service) Update(ctx context.Context, actor *account.Principal, key string, in Input, requestID string) (Flag, error) {
	f, err := s.store.Flag(ctx, key)
	if err != nil {
		return Flag{}, err
	}
	if err := apply(&f, in); err != nil {
		return Flag{}, err
	}
	f.UpdatedAt = s.clock()
	if err := s.store.UpdateFlag(ctx, f, s.audit(actor, "flag.update", f, requestID)); err != nil {
		return Flag{}, err
	}
	s.changed(ctx)
	return f, nil
}

// Delete removes a flag and the exposures recorded for it.
func (s *Service) Delete(ctx context.Context, actor *account.Principal, key, requestID string) error {
	f, err := s.store.Flag(ctx, key)
	if err != nil {
		return err
	}
	if err := s.store.DeleteFlag(ctx, key, s.audit(actor, "flag.delete", f, requestID)); err != nil {
		return err
	}
	s.changed(ctx)
	return nil
}

// Results is an experiment's outcome over a range of session starts.
type Results struct {
	Range
	Variants []VariantResult
}

// Results compares the practice of each variant of flag key over the
// sessions started from from up to, not including, to: each a date (a
// whole UTC day) or an RFC 3339 instant, "" for no bound. Every variant the flag has, and its default, is listed, with
// zeros when nobody practised holding it.
func (s *Service) Results(ctx context.Context, key, from, to string) (Results, error) {
	var r Results
	var err error
	if r.From, err = bound("from", from, 0); err != nil {
		return Results{}, err
	}
	if r.To, err = bound("to", to, 1); err != nil {
		return Results{}, err
	}
	f, err := s.store.Flag(ctx, key)
	if err != nil {
		return Results{}, err
	}
	rows, err := s.store.Results(ctx, key, r.Range)
	if err != nil {
		return Results{}, err
	}
	for _, name := range compile(f, nil).names {
		r.Variants = append(r.Variants, VariantResult{Variant: name})
	}
	if !slices.ContainsFunc(r.Variants, func(v VariantResult) bool { return v.Variant == f.DefaultVariant }) {
		r.Variants = append(r.Variants, VariantResult{Variant: f.DefaultVariant})
	}
	for _, row := range rows {
		// Sessions may hold a variant the flag has since dropped: they are listed too.
		if i := slices.IndexFunc(r.Variants, func(v VariantResult) bool { return v.Variant == row.Variant }); i >= 0 {
			r.Variants[i] = row
		} else {
			r.Variants = append(r.Variants, row)
		}
	}
	return r, nil
}

// bound reads a from or to: an RFC 3339 instant, or a date whose day (UTC)
// begins the range, or with days 1 ends it.
func bound(field, v string, days int) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		t = t.UTC()
		return &t, nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return nil, validation.New(field, "must be a date (2026-01-31) or an RFC 3339 timestamp")
	}
	d = d.AddDate(0, 0, days)
	return &d, nil
}

var (
	keyPattern  = regexp.MustCompile(`^[a-z][a-z0-9_]{1,63}$`)
	namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
)

// Limits of a flag.
const (
	MaxDescription = 500
	MaxVariants    = 10
	MaxWeight      = 10_000
)

const nameRule = "must be 1 to 64 lower-case letters, digits and underscores, starting with a letter, like treatment"

// apply copies the set fields of in onto f and checks the result.
func apply(f *Flag, in Input) error {
	if in.Description != nil {
		f.Description = strings.TrimSpace(*in.Description)
	}
	if in.Enabled != nil {
		f.Enabled = *in.Enabled
	}
	if in.RolloutPercent != nil {
		f.RolloutPercent = *in.RolloutPercent
	}
	if in.Variants != nil {
		f.Variants = in.Variants
	}
	if in.DefaultVariant != nil {
		f.DefaultVariant = *in.DefaultVariant
	}
	if in.Roles != nil {
		f.Roles = slices.Compact(slices.Sorted(slices.Values(in.Roles)))
	}
	if err := validation.Text("description", f.Description); err != nil {
		return err
	}
	switch {
	case utf8.RuneCountInString(f.Description) > MaxDescription:
		return validation.New("description", fmt.Sprintf("must be at most %d characters", MaxDescription))
	case f.RolloutPercent < 0 || f.RolloutPercent > 100:
		return validation.New("rollout_percent", "must be from 0 to 100")
	case len(f.Variants) > MaxVariants:
		return validation.New("variants", fmt.Sprintf("must hold at most %d variants", MaxVariants))
	case !namePattern.MatchString(f.DefaultVariant):
		return validation.New("default_variant", nameRule)
	}
	for i, v := range f.Variants {
		field := fmt.Sprintf("variants[%d]", i)
		switch {
		case !namePattern.MatchString(v.Name):
			return validation.New(field+".name", nameRule)
		case slices.ContainsFunc(f.Variants[:i], func(o Variant) bool { return o.Name == v.Name }):
			return validation.New(field+".name", fmt.Sprintf("%q is named twice; variant names must differ", v.Name))
		case v.Weight < 1 || v.Weight > MaxWeight:
			return validation.New(field+".weight", fmt.Sprintf("must be from 1 to %d", MaxWeight))
		}
	}
	for _, r := range f.Roles {
		if !slices.Contains(account.Roles, r) {
			return validation.New("roles", fmt.Sprintf("%q is not a role; use %s", r, strings.Join(account.Roles, ", ")))
		}
	}
	return nil
}

func (s *Service) audit(actor *account.Principal, action string, f Flag, requestID string) Audit {
	return Audit{ID: uuid.Must(uuid.NewV7()).String(), At: s.clock(), ActorID: actor.ActorID(), Action: action,
		TargetType: "flag", TargetID: f.Key, RequestID: requestID, Details: map[string]any{
			"enabled": f.Enabled, "rollout_percent": f.RolloutPercent, "variants": variantDetails(f.Variants),
			"default_variant": f.DefaultVariant, "roles": f.Roles}}
}

func variantDetails(vs []Variant) []map[string]any {
	out := make([]map[string]any, len(vs))
	for i, v := range vs {
		out[i] = map[string]any{"name": v.Name, "weight": v.Weight}
	}
	return out
}

// clock is the time now, at the microsecond precision both databases keep.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }
