package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// inTx runs fn in a write transaction, committing when it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// errBadCursor is returned for a cursor this store did not make.
var errBadCursor = errors.New("cursor is not valid")

// encodeCursor makes the opaque cursor of a keyset page that ended at the
// row with sort key at and id.
func encodeCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at.UnixMicro(), 10) + "|" + id))
}

func decodeCursor(c string) (time.Time, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", errBadCursor
	}
	micros, id, ok := strings.Cut(string(b), "|")
	n, err := strconv.ParseInt(micros, 10, 64)
	if !ok || err != nil || id == "" {
		return time.Time{}, "", errBadCursor
	}
	return time.UnixMicro(n).UTC(), id, nil
}

// placeholders returns "$from, $from+1, ..." for n values.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}

// nullTime maps a nullable column to a pointer.
func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// filter builds the WHERE clause and arguments of a list query.
type filter struct {
	conds []string
	args  []any
}

// arg adds an argument and returns its placeholder.
func (f *filter) arg(v any) string {
	f.args = append(f.args, v)
	return fmt.Sprintf("$%d", len(f.args))
}

// where adds a condition, built with arg for its values.
func (f *filter) where(cond string) { f.conds = append(f.conds, cond) }

// after adds the keyset condition for a page after cursor (sort key
// created_at, then id, both descending).
func (f *filter) after(cursor string) error {
	if cursor == "" {
		return nil
	}
	at, id, err := decodeCursor(cursor)
	if err != nil {
		return err
	}
	f.where(fmt.Sprintf("(created_at, id) < (%s, %s)", f.arg(at), f.arg(id)))
	return nil
}

// page ends a query: WHERE, newest first, and one row more than limit so
// the caller knows whether there is a next page.
func (f *filter) page(limit int) string {
	q := ""
	if len(f.conds) > 0 {
		q = " WHERE " + strings.Join(f.conds, " AND ")
	}
	return q + " ORDER BY created_at DESC, id DESC LIMIT " + f.arg(limit+1)
}
