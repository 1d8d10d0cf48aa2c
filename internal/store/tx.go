package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// inTx runs fn in a write transaction, committing when it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *txn) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return classify(err)
	}
	tx := &txn{Tx: sqlTx, db: db}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	// A commit that fails is reported, never acknowledged: with the
	// connection lost, whether it landed is unknown, and the client's
	// retry (with its Idempotency-Key) settles it.
	return classify(tx.Commit())
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

// encodeNameCursor is the cursor of a list sorted by a text key (a name),
// then id, ascending.
func encodeNameCursor(name, id string) string { return encodeJSONCursor([2]string{name, id}) }

func decodeNameCursor(c string) (string, string, error) {
	var v [2]string
	if decodeJSONCursor(c, &v) != nil || v[1] == "" {
		return "", "", errBadCursor
	}
	return v[0], v[1], nil
}

// encodeJSONCursor is a cursor holding v as base64url JSON.
func encodeJSONCursor(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeJSONCursor(c string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || json.Unmarshal(b, v) != nil {
		return errBadCursor
	}
	return nil
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
func (f *filter) after(cursor string) error { return f.afterTime(cursor, "created_at") }

// afterTime is after for a list sorted by the time column key, then id,
// both descending.
func (f *filter) afterTime(cursor, key string) error {
	if cursor == "" {
		return nil
	}
	at, id, err := decodeCursor(cursor)
	if err != nil {
		return err
	}
	f.where(fmt.Sprintf("(%s, id) < (%s, %s)", key, f.arg(at), f.arg(id)))
	return nil
}

// afterName adds the keyset condition for a page after cursor in a list
// sorted by the text column key, then id, ascending.
func (f *filter) afterName(cursor, key string) error {
	if cursor == "" {
		return nil
	}
	name, id, err := decodeNameCursor(cursor)
	if err != nil {
		return err
	}
	f.where(fmt.Sprintf("(%s, id) > (%s, %s)", key, f.arg(name), f.arg(id)))
	return nil
}

// clause is " WHERE cond AND cond ...", or "" without conditions.
func (f *filter) clause() string {
	if len(f.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(f.conds, " AND ")
}

// page ends a query: WHERE, newest first, and one row more than limit so
// the caller knows whether there is a next page.
func (f *filter) page(limit int) string {
	return f.clause() + " ORDER BY created_at DESC, id DESC LIMIT " + f.arg(limit+1)
}

// in returns "(p1, p2, ...)" with an argument for each value.
func (f *filter) in(values []string) string {
	ps := make([]string, len(values))
	for i, v := range values {
		ps[i] = f.arg(v)
	}
	return "(" + strings.Join(ps, ", ") + ")"
}

// attach runs query, whose rows are (owner ID, value) pairs, and appends
// each value to the list that list(owner ID) points at: a page's items get
// their roles or tags in one query, however many there are.
func (db *DB) attach(ctx context.Context, query string, args []any, list func(id string) *[]string) error {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, v string
		if err := rows.Scan(&id, &v); err != nil {
			return err
		}
		l := list(id)
		*l = append(*l, v)
	}
	return rows.Err()
}
