// Package flags is feature flags and A/B experiments: a change rolled out
// to a share of practitioners, in variants, and what it did to their
// practice.
package flags

import (
	"context"
	"errors"
	"time"

	"github.com/yogaflow/yogaflow/internal/account"
)

// PermManage lets admins manage flags and read experiment results.
const PermManage = "flags:manage"

// The variants a flag falls back to.
const (
	// Off is the default variant unless a flag names another.
	Off = "off"
	// On is the single variant of a flag without variants.
	On = "on"
)

// Errors returned by the Service; their text is written for people.
var (
	ErrNotFound = errors.New("not found")
	ErrKeyTaken = errors.New("a flag with this key already exists")
)

// Flag is a feature flag: who is in its rollout, and which variant each of
// them holds.
type Flag struct {
	Key            string
	Description    string
	Enabled        bool
	RolloutPercent int // 0 to 100
	// Variants split the users in the rollout by weight; none means the
	// single variant On.
	Variants []Variant
	// DefaultVariant is what everyone outside the rollout gets, and
	// everyone while the flag is disabled.
	DefaultVariant string
	// Roles, when set, limit the rollout to users holding one of them.
	Roles     []string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Variant is one arm of an experiment; Weight is relative to the others'.
type Variant struct {
	Name   string
	Weight int
}

// User is who a flag is evaluated for; an empty ID is an anonymous caller.
type User struct {
	ID    string
	Roles []string
}

// Evaluation is what a user gets of a flag: Enabled when they are in the
// rollout of an enabled flag, and the variant they hold.
type Evaluation struct {
	Enabled bool
	Variant string
}

// Page is one page of flags, by key.
type Page struct {
	Items      []Flag
	NextCursor string
}

// Range selects sessions by start: from From, before To; nil is unbounded.
type Range struct {
	From, To *time.Time
}

// VariantResult is the practice, over a range, of the sessions started by
// users while they held one variant.
type VariantResult struct {
	Variant           string
	Users             int
	SessionsStarted   int
	SessionsCompleted int
	Practice          time.Duration // active time of every session
	AverageCompleted  time.Duration // mean active time of completed sessions
}

// Audit is what the store records of an admin change.
type Audit = account.AuditEntry

// Store is the persistence the Service needs. Methods return ErrNotFound
// for a missing flag.
type Store interface {
	// AllFlags returns every flag, by key: the set each instance keeps in
	// memory.
	AllFlags(ctx context.Context) ([]Flag, error)
	// ListFlags pages flags by key. limit must be at least 1; a cursor
	// this list did not give out is a *validation.Error on "cursor".
	ListFlags(ctx context.Context, limit int, cursor string) (Page, error)
	// Flag returns the flag with key; ErrNotFound for an unknown key.
	Flag(ctx context.Context, key string) (Flag, error)
	// CreateFlag inserts f and writes audit, in one transaction. Returns
	// ErrKeyTaken for a used key, and then writes nothing.
	CreateFlag(ctx context.Context, f Flag, audit Audit) error
	// UpdateFlag rewrites flag f.Key whole and writes audit. ErrNotFound
	// for an unknown key, and then writes nothing.
	UpdateFlag(ctx context.Context, f Flag, audit Audit) error
	// DeleteFlag removes the flag with its recorded exposures and writes
	// audit. ErrNotFound for an unknown key, and then writes nothing.
	DeleteFlag(ctx context.Context, key string, audit Audit) error
	// Results aggregates, per variant, the sessions started in r while
	// their user held a variant of flag key (From inclusive, To
	// exclusive), by variant name: one query. A variant nobody held, and
	// an unknown key, have no row (not ErrNotFound).
	Results(ctx context.Context, key string, r Range) ([]VariantResult, error)
}
