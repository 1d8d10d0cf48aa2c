package store

import (
	"context"
	"database/sql"
	"reflect"
	"runtime"
	"strings"
	"sync"
)

// QueryHook observes every statement the store runs, in transactions or
// not. It is called as the statement starts, with the statement's name:
// the store method that runs it ("Practice.History"), never its SQL or
// arguments. It returns the context to run the statement in and a function
// to call with the outcome.
type QueryHook func(ctx context.Context, name string) (context.Context, func(error))

// SetQueryHook installs h; call it before serving.
func (db *DB) SetQueryHook(h QueryHook) { db.hook = h }

// start begins observing a statement.
func (db *DB) start(ctx context.Context) (context.Context, func(error)) {
	if db.hook == nil {
		return ctx, func(error) {}
	}
	return db.hook(ctx, queryName())
}

// pool is a connection pool whose statements are observed and counted, so
// a test can prove that a request costs a fixed number of queries, and
// whose errors are classified (classify).
type pool struct {
	*sql.DB
	db *DB
}

func (p *pool) QueryContext(ctx context.Context, query string, args ...any) (*rows, error) {
	p.db.queries.Add(1)
	return p.db.query(ctx, p.DB.QueryContext, query, args)
}

func (p *pool) QueryRowContext(ctx context.Context, query string, args ...any) *row {
	p.db.queries.Add(1)
	return p.db.queryRow(ctx, p.DB.QueryRowContext, query, args)
}

func (p *pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	p.db.queries.Add(1)
	return p.db.exec(ctx, p.DB.ExecContext, query, args)
}

// txn is a write transaction whose statements are observed.
type txn struct {
	*sql.Tx
	db *DB
}

func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*rows, error) {
	return t.db.query(ctx, t.Tx.QueryContext, query, args)
}

func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *row {
	return t.db.queryRow(ctx, t.Tx.QueryRowContext, query, args)
}

func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.db.exec(ctx, t.Tx.ExecContext, query, args)
}

func (db *DB) query(ctx context.Context, run func(context.Context, string, ...any) (*sql.Rows, error), query string, args []any) (*rows, error) {
	ctx, done := db.start(ctx)
	r, err := run(ctx, query, args...)
	done(err)
	if err != nil {
		return nil, classify(err)
	}
	return &rows{Rows: r}, nil
}

func (db *DB) queryRow(ctx context.Context, run func(context.Context, string, ...any) *sql.Row, query string, args []any) *row {
	ctx, done := db.start(ctx)
	r := run(ctx, query, args...)
	done(r.Err())
	return &row{r}
}

func (db *DB) exec(ctx context.Context, run func(context.Context, string, ...any) (sql.Result, error), query string, args []any) (sql.Result, error) {
	ctx, done := db.start(ctx)
	res, err := run(ctx, query, args...)
	done(err)
	return res, classify(err)
}

// row and rows classify the errors that reach their reader: a connection
// lost while the result is read shows there, not at the query.
type row struct{ *sql.Row }

func (r *row) Scan(dest ...any) error { return classify(r.Row.Scan(dest...)) }
func (r *row) Err() error             { return classify(r.Row.Err()) }

type rows struct{ *sql.Rows }

func (r *rows) Scan(dest ...any) error { return classify(r.Rows.Scan(dest...)) }
func (r *rows) Err() error             { return classify(r.Rows.Err()) }

var storePackage = reflect.TypeFor[DB]().PkgPath() + "."

// queryNames remembers the name found for each call stack: resolving
// frames to functions costs about a microsecond and six allocations, and
// every statement asks. The stacks that run statements are few.
var queryNames sync.Map // [queryStackDepth]uintptr → string

const queryStackDepth = 20

// queryName is the store method that runs the statement being started: the
// nearest caller that is a method of one of this package's types, past the
// plumbing (pool, txn, inTx, batched inserts) and plain helper functions.
func queryName() string {
	var pcs [queryStackDepth]uintptr
	n := runtime.Callers(4, pcs[:])
	if name, ok := queryNames.Load(pcs); ok {
		return name.(string)
	}
	name := "unknown"
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if method, ok := storeMethod(f.Function); ok {
			name = method
			break
		}
		if !more {
			break
		}
	}
	queryNames.Store(pcs, name)
	return name
}

// storeMethod turns "…/internal/store.(*Practice).Create.func1" into
// "Practice.Create"; anything else is not a store method.
func storeMethod(function string) (string, bool) {
	rest, ok := strings.CutPrefix(function, storePackage+"(*")
	if !ok {
		return "", false
	}
	recv, method, ok := strings.Cut(rest, ").")
	if !ok {
		return "", false
	}
	method, _, _ = strings.Cut(method, ".")
	switch recv + "." + method {
	case "DB.start", "DB.inTx", "DB.insertBatched":
		return "", false
	}
	if recv == "pool" || recv == "txn" {
		return "", false
	}
	return recv + "." + method, true
}
