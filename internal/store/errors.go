package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/yogaflow/yogaflow/internal/platform/outage"
)

// classify marks an error that says the database is gone for a moment as
// outage.ErrUnavailable, and returns any other error as it is. Every
// statement's error passes here (pool, txn, row, rows, inTx), so no store
// method decides it alone.
func classify(err error) error {
	if err != nil && unavailable(err) {
		return outage.Wrap(err)
	}
	return err
}

// unavailable reports whether err is a failure that passes: the
// connection lost or refused, the server shutting down, starting, out of
// connections or read-only (a failover), a statement or pool wait past its
// deadline, a transaction the server would retry, SQLite busy past its
// timeout. A request the client cancelled is not one: nobody is there to
// tell.
func unavailable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, sql.ErrNoRows) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return strings.HasPrefix(pgErr.Code, "08") || // connection exception
			strings.HasPrefix(pgErr.Code, "53") || // insufficient resources: too many connections, out of memory, disk full
			strings.HasPrefix(pgErr.Code, "57P") || // shutting down, crashed, starting up
			pgErr.Code == "57014" || // statement timeout
			pgErr.Code == "25006" || // read-only transaction: a standby after failover
			pgErr.Code == "40001" || pgErr.Code == "40P01" // serialization failure, deadlock: retry succeeds
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() & 0xff { // the primary code of an extended one
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL:
			return true
		}
		return false
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) || pgconn.Timeout(err) || pgconn.SafeToRetry(err) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// isUniqueViolation reports whether err is a unique (or primary key)
// constraint failure on either engine, so a method can return its domain's
// sentinel (ErrEmailTaken, ...) instead of a driver error.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		c := sqErr.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// isForeignKeyViolation reports whether err is a foreign key failure: a row
// still referenced, or a reference to a row that does not exist.
func isForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23503"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}
