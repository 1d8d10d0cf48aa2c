package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/yogaflow/yogaflow/internal/flags"
)

// Flags is the flags.Store on this database.
type Flags struct{ db *DB }

var _ flags.Store = (*Flags)(nil)

// Flags returns the flags store.
func (db *DB) Flags() *Flags { return &Flags{db: db} }

const flagColumns = `key, description, enabled, rollout_percent, variants, default_variant, roles, created_at, updated_at`

// variantJSON is how a variant is kept in the variants column.
type variantJSON struct {
	Name   string `json:"name"`
	Weight int    `json:"weight"`
}

func scanFlag(r rowScanner) (flags.Flag, error) {
	var f flags.Flag
	var variants, roles string
	err := r.Scan(&f.Key, &f.Description, &f.Enabled, &f.RolloutPercent, &variants, &f.DefaultVariant, &roles, &f.CreatedAt, &f.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return flags.Flag{}, flags.ErrNotFound
	}
	if err != nil {
		return flags.Flag{}, err
	}
	var vs []variantJSON
	if err := json.Unmarshal([]byte(variants), &vs); err != nil {
		return flags.Flag{}, err
	}
	f.Variants = make([]flags.Variant, len(vs))
	for i, v := range vs {
		f.Variants[i] = flags.Variant(v)
	}
	if err := json.Unmarshal([]byte(roles), &f.Roles); err != nil {
		return flags.Flag{}, err
	}
	f.CreatedAt, f.UpdatedAt = f.CreatedAt.UTC(), f.UpdatedAt.UTC()
	return f, nil
}

func (s *Flags) AllFlags(ctx context.Context) ([]flags.Flag, error) {
	return queryAll(ctx, s.db.read, scanFlag, `SELECT `+flagColumns+` FROM flags ORDER BY key`)
}

// ListFlags pages by key alone: its cursor is a name cursor whose name and
// id are both the key.
func (s *Flags) ListFlags(ctx context.Context, limit int, cursor string) (flags.Page, error) {
	var f filter
	if cursor != "" {
		after, _, err := decodeNameCursor(cursor)
		if err != nil {
			return flags.Page{}, badCursor()
		}
		f.where("key > " + f.arg(after))
	}
	all, err := queryAll(ctx, s.db.read, scanFlag, `SELECT `+flagColumns+` FROM flags`+f.clause()+` ORDER BY key LIMIT `+f.arg(limit+1), f.args...)
	if err != nil {
		return flags.Page{}, err
	}
	page := pageOf(all, limit, func(fl flags.Flag) string { return encodeNameCursor(fl.Key, fl.Key) })
	return flags.Page{Items: page.Items, NextCursor: page.NextCursor}, nil
}

func (s *Flags) Flag(ctx context.Context, key string) (flags.Flag, error) {
	return scanFlag(s.db.read.QueryRowContext(ctx, `SELECT `+flagColumns+` FROM flags WHERE key = $1`, key))
}

func (s *Flags) CreateFlag(ctx context.Context, f flags.Flag, audit flags.Audit) error {
	return s.writeFlag(ctx, f, audit, `INSERT INTO flags (`+flagColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`)
}

func (s *Flags) UpdateFlag(ctx context.Context, f flags.Flag, audit flags.Audit) error {
	// created_at is written back unchanged: both statements take writeFlag's
	// one argument list.
	return s.writeFlag(ctx, f, audit, `UPDATE flags SET description = $2, enabled = $3, rollout_percent = $4, variants = $5,
default_variant = $6, roles = $7, created_at = $8, updated_at = $9 WHERE key = $1`)
}

// writeFlag runs query (an insert or an update with the same arguments)
// and records audit, in one transaction.
func (s *Flags) writeFlag(ctx context.Context, f flags.Flag, audit flags.Audit, query string) error {
	vs := make([]variantJSON, len(f.Variants))
	for i, v := range f.Variants {
		vs[i] = variantJSON(v)
	}
	variants, err := json.Marshal(vs)
	if err != nil {
		return err
	}
	roles, err := json.Marshal(f.Roles)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, query, f.Key, f.Description, f.Enabled, f.RolloutPercent, string(variants),
			f.DefaultVariant, string(roles), f.CreatedAt, f.UpdatedAt)
		if isUniqueViolation(err) {
			return flags.ErrKeyTaken
		}
		if err := affectedOne(res, err, flags.ErrNotFound); err != nil {
			return err
		}
		return addAudit(ctx, tx, audit)
	})
}

func (s *Flags) DeleteFlag(ctx context.Context, key string, audit flags.Audit) error {
	return s.db.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM flags WHERE key = $1`, key)
		if err := affectedOne(res, err, flags.ErrNotFound); err != nil {
			return err
		}
		return addAudit(ctx, tx, audit)
	})
}

// Results is one grouped query over the flag's exposures (by primary key)
// and their sessions.
func (s *Flags) Results(ctx context.Context, key string, r flags.Range) ([]flags.VariantResult, error) {
	var f filter
	f.where("v.flag_key = " + f.arg(key))
	if r.From != nil {
		f.where("s.started_at >= " + f.arg(*r.From))
	}
	if r.To != nil {
		f.where("s.started_at < " + f.arg(*r.To))
	}
	query := `SELECT v.variant, COUNT(DISTINCT s.user_id), COUNT(*),
COALESCE(SUM(CASE WHEN s.status = 'completed' THEN 1 ELSE 0 END), 0),
COALESCE(SUM(s.active_ms), 0), AVG(CASE WHEN s.status = 'completed' THEN s.active_ms END)
FROM session_flag_variants v JOIN practice_sessions s ON s.id = v.session_id` + f.clause() + `
GROUP BY v.variant ORDER BY v.variant`
	return queryAll(ctx, s.db.read, func(row rowScanner) (flags.VariantResult, error) {
		var v flags.VariantResult
		var practiceMS int64
		var avgMS sql.NullFloat64
		err := row.Scan(&v.Variant, &v.Users, &v.SessionsStarted, &v.SessionsCompleted, &practiceMS, &avgMS)
		v.Practice = time.Duration(practiceMS) * time.Millisecond
		v.AverageCompleted = time.Duration(avgMS.Float64) * time.Millisecond
		return v, err
	}, query, f.args...)
}
