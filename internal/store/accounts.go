package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/yogaflow/yogaflow/internal/account"
	"github.com/yogaflow/yogaflow/internal/platform/validation"
)

// JobInserter enqueues a job inside a transaction (River's client).
type JobInserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Accounts is the account.Store on this database.
type Accounts struct {
	db   *DB
	jobs JobInserter
}

var _ account.Store = (*Accounts)(nil)

// Accounts returns the account store; jobs enqueues the emails.
func (db *DB) Accounts(jobs JobInserter) *Accounts { return &Accounts{db: db, jobs: jobs} }

func badCursor() error {
	return validation.New("cursor", "is not a cursor this list gave out")
}

const insertUser = `INSERT INTO users (id, email, display_name, timezone, password_hash, email_verified_at, created_at, updated_at,
practice_voice, practice_chime, practice_breath_pacing, practice_breaths_per_minute)
VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11)`

func (s *Accounts) CreateUser(ctx context.Context, u account.User, passwordHash string, verify *account.EmailToken, job account.EmailJob) error {
	return s.db.inTx(ctx, func(tx *txn) error {
		var verified sql.NullTime
		if u.EmailVerified {
			verified = sql.NullTime{Time: u.CreatedAt, Valid: true}
		}
		pr := u.Practice
		_, err := tx.ExecContext(ctx, insertUser, u.ID, u.Email, u.DisplayName, u.Timezone, passwordHash, verified, u.CreatedAt,
			pr.Voice, pr.Chime, pr.BreathPacing, pr.BreathsPerMinute)
		if isUniqueViolation(err) {
			return account.ErrEmailTaken
		}
		if err != nil {
			return err
		}
		if err := setRoles(ctx, tx, u.ID, u.Roles); err != nil {
			return err
		}
		if verify == nil {
			return nil
		}
		return s.insertEmailToken(ctx, tx, *verify, job)
	})
}

func setRoles(ctx context.Context, tx *txn, userID string, roles []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_roles WHERE user_id = $1`, userID); err != nil {
		return err
	}
	for _, r := range roles {
		_, err := tx.ExecContext(ctx, `INSERT INTO user_roles (user_id, role) VALUES ($1, $2)`, userID, r)
		if isForeignKeyViolation(err) {
			return account.ErrNotFound
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// userColumns are what scanUser reads, in its order.
const userColumns = `id, email, display_name, timezone, email_verified_at IS NOT NULL, created_at, updated_at,
practice_voice, practice_chime, practice_breath_pacing, practice_breaths_per_minute`

const selectUser = `SELECT ` + userColumns + ` FROM users`

type rowScanner interface{ Scan(dest ...any) error }

func scanUser(r rowScanner, extra ...any) (account.User, error) {
	var u account.User
	pr := &u.Practice
	err := r.Scan(append([]any{&u.ID, &u.Email, &u.DisplayName, &u.Timezone, &u.EmailVerified, &u.CreatedAt, &u.UpdatedAt,
		&pr.Voice, &pr.Chime, &pr.BreathPacing, &pr.BreathsPerMinute}, extra...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return account.User{}, account.ErrNotFound
	}
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u, err
}

// withRoles fills in the roles of users with one query.
func (s *Accounts) withRoles(ctx context.Context, users []account.User) error {
	if len(users) == 0 {
		return nil
	}
	ids := make([]string, len(users))
	byID := make(map[string]*account.User, len(users))
	for i := range users {
		ids[i] = users[i].ID
		byID[users[i].ID] = &users[i]
		users[i].Roles = []string{}
	}
	var f filter
	query := "SELECT user_id, role FROM user_roles WHERE user_id IN " + f.in(ids) + " ORDER BY role"
	return s.db.attach(ctx, query, f.args, func(id string) *[]string { return &byID[id].Roles })
}

func (s *Accounts) userWhere(ctx context.Context, q *pool, where string, arg any) (account.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, selectUser+" WHERE "+where, arg))
	if err != nil {
		return account.User{}, err
	}
	users := []account.User{u}
	err = s.withRoles(ctx, users)
	return users[0], err
}

func (s *Accounts) UserByID(ctx context.Context, id string) (account.User, error) {
	return s.userWhere(ctx, s.db.read, "id = $1", id)
}

func (s *Accounts) UserCredentials(ctx context.Context, email string) (account.User, string, error) {
	var hash string
	u, err := scanUser(s.db.read.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE email = $1`, email), &hash)
	return u, hash, err
}

func (s *Accounts) UserTimezone(ctx context.Context, userID string) (string, error) {
	var tz string
	err := s.db.read.QueryRowContext(ctx, `SELECT timezone FROM users WHERE id = $1`, userID).Scan(&tz)
	if errors.Is(err, sql.ErrNoRows) {
		return "", account.ErrNotFound
	}
	return tz, err
}

func (s *Accounts) PasswordHash(ctx context.Context, userID string) (string, error) {
	var hash string
	err := s.db.read.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = $1`, userID).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", account.ErrNotFound
	}
	return hash, err
}

func (s *Accounts) UpdateProfile(ctx context.Context, u account.User, at time.Time) (account.User, error) {
	pr := u.Practice
	res, err := s.db.write.ExecContext(ctx, `UPDATE users SET display_name = $2, timezone = $3, updated_at = $4,
practice_voice = $5, practice_chime = $6, practice_breath_pacing = $7, practice_breaths_per_minute = $8 WHERE id = $1`,
		u.ID, u.DisplayName, u.Timezone, at, pr.Voice, pr.Chime, pr.BreathPacing, pr.BreathsPerMinute)
	if err := affectedOne(res, err, account.ErrNotFound); err != nil {
		return account.User{}, err
	}
	return s.userWhere(ctx, s.db.write, "id = $1", u.ID)
}

// affectedOne turns "no row changed" into notFound, the domain's error.
func affectedOne(res sql.Result, err error, notFound error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound
	}
	return nil
}

func (s *Accounts) SetPassword(ctx context.Context, userID, hash, keepSession string, at time.Time) error {
	return s.db.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1`, userID, hash, at)
		if err := affectedOne(res, err, account.ErrNotFound); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE auth_sessions SET revoked_at = $2
WHERE user_id = $1 AND revoked_at IS NULL AND id <> $3`, userID, at, keepSession)
		if err != nil {
			return err
		}
		// A reset link mailed before this change must not undo it.
		_, err = tx.ExecContext(ctx, `UPDATE email_tokens SET used_at = $2
WHERE user_id = $1 AND purpose = 'reset_password' AND used_at IS NULL`, userID, at)
		return err
	})
}

func (s *Accounts) ActiveSessionIDs(ctx context.Context, userID string) ([]string, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT id FROM auth_sessions WHERE user_id = $1 AND revoked_at IS NULL`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func (s *Accounts) SetRoles(ctx context.Context, userID string, roles []string, entry account.AuditEntry) (account.User, error) {
	err := s.db.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET updated_at = $2 WHERE id = $1`, userID, entry.At)
		if err := affectedOne(res, err, account.ErrNotFound); err != nil {
			return err
		}
		if err := setRoles(ctx, tx, userID, roles); err != nil {
			return err
		}
		return addAudit(ctx, tx, entry)
	})
	if err != nil {
		return account.User{}, err
	}
	return s.userWhere(ctx, s.db.write, "id = $1", userID)
}

func (s *Accounts) ListUsers(ctx context.Context, uf account.UserFilter) (account.Page[account.User], error) {
	query, args, err := userListQuery(uf)
	if err != nil {
		return account.Page[account.User]{}, err
	}
	users, err := queryAll(ctx, s.db.read, func(r rowScanner) (account.User, error) { return scanUser(r) }, query, args...)
	if err != nil {
		return account.Page[account.User]{}, err
	}
	page := pageOf(users, uf.Limit, func(u account.User) string { return encodeCursor(u.CreatedAt, u.ID) })
	return page, s.withRoles(ctx, page.Items)
}

// userListQuery is the query of ListUsers and its arguments (explain_test.go
// checks its plans).
func userListQuery(uf account.UserFilter) (string, []any, error) {
	var f filter
	if q := strings.ToLower(strings.TrimSpace(uf.Query)); q != "" {
		pattern := f.arg("%" + escapeLike(q) + "%")
		f.where(fmt.Sprintf(`(email LIKE %[1]s ESCAPE '\' OR lower(display_name) LIKE %[1]s ESCAPE '\')`, pattern))
	}
	from := selectUser
	if uf.Role != "" {
		// A join rather than "id IN (SELECT user_id ...)": with the join,
		// SQLite picks per role between walking users_created and stopping
		// at the limit (a role most people have) and starting from
		// user_roles_role (a rare one); with IN it read every user_roles
		// row of a common role and sorted all those users. The key
		// (user_id, role) makes it at most one row per user.
		from += " JOIN user_roles r ON r.user_id = users.id AND r.role = " + f.arg(uf.Role)
	}
	if err := f.after(uf.Cursor); err != nil {
		return "", nil, badCursor()
	}
	query := from + f.page(uf.Limit)
	return query, f.args, nil
}

// pageOf trims a limit+1 result to a page and makes the next cursor.
func pageOf[T any](items []T, limit int, cursor func(T) string) account.Page[T] {
	p := account.Page[T]{Items: items}
	if p.Items == nil {
		p.Items = []T{}
	}
	if len(items) > limit {
		p.Items = items[:limit]
		p.NextCursor = cursor(p.Items[limit-1])
	}
	return p
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func (s *Accounts) DeleteUser(ctx context.Context, userID string, entry account.AuditEntry) error {
	return s.db.inTx(ctx, func(tx *txn) error {
		// The audit log keeps what happened, not who it happened to.
		if _, err := tx.ExecContext(ctx, `UPDATE audit_log SET actor_id = 'deleted-user' WHERE actor_id = $1`, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE audit_log SET target_id = 'deleted-user' WHERE target_id = $1`, userID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = $1`, userID)
		if err := affectedOne(res, err, account.ErrNotFound); err != nil {
			return err
		}
		entry.ActorID, entry.TargetID = "deleted-user", "deleted-user"
		return addAudit(ctx, tx, entry)
	})
}

func (s *Accounts) Export(ctx context.Context, userID string) (account.Export, error) {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return account.Export{}, err
	}
	e := account.Export{User: u, Sessions: []account.SessionInfo{}, APIKeys: []account.APIKey{}}
	rows, err := s.db.read.QueryContext(ctx, `SELECT id, created_at, revoked_at FROM auth_sessions WHERE user_id = $1 ORDER BY created_at`, userID)
	if err != nil {
		return account.Export{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var si account.SessionInfo
		var revoked sql.NullTime
		if err := rows.Scan(&si.ID, &si.CreatedAt, &revoked); err != nil {
			return account.Export{}, err
		}
		si.CreatedAt, si.RevokedAt = si.CreatedAt.UTC(), nullTime(revoked)
		e.Sessions = append(e.Sessions, si)
	}
	if err := rows.Err(); err != nil {
		return account.Export{}, err
	}
	if e.APIKeys, err = s.apiKeys(ctx, selectAPIKey+` WHERE created_by = $1 ORDER BY created_at`, userID); err != nil {
		return account.Export{}, err
	}
	audit, err := s.audit(ctx, selectAudit+` WHERE actor_id = $1 OR target_id = $1 ORDER BY created_at, id`, userID)
	e.AuditLog = audit
	return e, err
}

func (s *Accounts) CreateSession(ctx context.Context, sessionID, userID string, first account.RefreshToken) error {
	return s.db.inTx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO auth_sessions (id, user_id, created_at) VALUES ($1, $2, $3)`,
			sessionID, userID, first.CreatedAt)
		if isForeignKeyViolation(err) {
			return account.ErrNotFound
		}
		if err != nil {
			return err
		}
		return insertRefreshToken(ctx, tx, first)
	})
}

func insertRefreshToken(ctx context.Context, tx *txn, t account.RefreshToken) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		t.Hash, t.SessionID, t.CreatedAt, t.ExpiresAt)
	return err
}

func (s *Accounts) RefreshTokenByHash(ctx context.Context, hash string) (account.RefreshToken, error) {
	var t account.RefreshToken
	var used, revoked sql.NullTime
	var successor sql.NullString
	err := s.db.read.QueryRowContext(ctx, `SELECT t.token_hash, t.session_id, s.user_id, t.created_at, t.expires_at, t.used_at, s.revoked_at, t.successor_sealed
FROM refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id WHERE t.token_hash = $1`, hash).
		Scan(&t.Hash, &t.SessionID, &t.UserID, &t.CreatedAt, &t.ExpiresAt, &used, &revoked, &successor)
	t.Successor = successor.String
	if errors.Is(err, sql.ErrNoRows) {
		return account.RefreshToken{}, account.ErrNotFound
	}
	t.CreatedAt, t.ExpiresAt, t.UsedAt, t.Revoked = t.CreatedAt.UTC(), t.ExpiresAt.UTC(), nullTime(used), revoked.Valid
	return t, err
}

func (s *Accounts) RotateRefreshToken(ctx context.Context, oldHash, sealedNext string, next account.RefreshToken, at time.Time) error {
	return s.db.inTx(ctx, func(tx *txn) error {
		// The conditional update is the single-use guarantee: of two
		// concurrent rotations, only one changes a row.
		res, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET used_at = $2, successor_sealed = $3 WHERE token_hash = $1 AND used_at IS NULL
AND session_id IN (SELECT id FROM auth_sessions WHERE revoked_at IS NULL)`, oldHash, at, sealedNext)
		if err := affectedOne(res, err, account.ErrTokenInvalid); err != nil {
			return err
		}
		return insertRefreshToken(ctx, tx, next)
	})
}

func (s *Accounts) RevokeSession(ctx context.Context, sessionID string, at time.Time) error {
	_, err := s.db.write.ExecContext(ctx, `UPDATE auth_sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, sessionID, at)
	return err
}

const selectPermissions = `SELECT DISTINCT rp.permission FROM user_roles ur
JOIN role_permissions rp ON rp.role = ur.role WHERE ur.user_id = $1 ORDER BY rp.permission`

func (s *Accounts) SessionPrincipal(ctx context.Context, sessionID string) (account.Principal, error) {
	p := account.Principal{SessionID: sessionID}
	var revoked sql.NullTime
	err := s.db.read.QueryRowContext(ctx, `SELECT user_id, revoked_at FROM auth_sessions WHERE id = $1`, sessionID).Scan(&p.UserID, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return account.Principal{}, account.ErrNotFound
	}
	if err != nil {
		return account.Principal{}, err
	}
	if revoked.Valid {
		return account.Principal{}, account.ErrSessionRevoked
	}
	if p.Roles, err = s.strings(ctx, `SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role`, p.UserID); err != nil {
		return account.Principal{}, err
	}
	p.Permissions, err = s.strings(ctx, selectPermissions, p.UserID)
	return p, err
}

// strings runs a query of one text column.
func (s *Accounts) strings(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (s *Accounts) CreateEmailToken(ctx context.Context, t account.EmailToken, job account.EmailJob) error {
	return s.db.inTx(ctx, func(tx *txn) error { return s.insertEmailToken(ctx, tx, t, job) })
}

func (s *Accounts) EnqueueResetRequest(ctx context.Context, job account.ResetRequestJob) error {
	return s.db.inTx(ctx, func(tx *txn) error {
		_, err := s.jobs.InsertTx(ctx, tx.Tx, job, nil)
		return classify(err)
	})
}

// insertEmailToken stores the token and enqueues its email in tx: the mail
// goes out only if the token is committed, and is not lost if it is.
func (s *Accounts) insertEmailToken(ctx context.Context, tx *txn, t account.EmailToken, job account.EmailJob) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO email_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		t.Hash, t.UserID, string(t.Purpose), t.CreatedAt, t.ExpiresAt)
	if err != nil {
		return err
	}
	_, err = s.jobs.InsertTx(ctx, tx.Tx, job, nil)
	return err
}

func (s *Accounts) PeekEmailToken(ctx context.Context, hash string, purpose account.EmailPurpose, at time.Time) (account.EmailToken, error) {
	return s.emailToken(ctx, s.db.read, hash, purpose, at)
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *row
}

func (s *Accounts) emailToken(ctx context.Context, q queryRower, hash string, purpose account.EmailPurpose, at time.Time) (account.EmailToken, error) {
	t := account.EmailToken{Hash: hash, Purpose: purpose}
	var used sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT user_id, created_at, expires_at, used_at FROM email_tokens WHERE token_hash = $1 AND purpose = $2`,
		hash, string(purpose)).Scan(&t.UserID, &t.CreatedAt, &t.ExpiresAt, &used)
	switch {
	case errors.Is(err, sql.ErrNoRows), err == nil && used.Valid:
		return account.EmailToken{}, account.ErrTokenInvalid
	case err != nil:
		return account.EmailToken{}, err
	case !at.Before(t.ExpiresAt):
		return account.EmailToken{}, account.ErrTokenExpired
	}
	t.CreatedAt, t.ExpiresAt = t.CreatedAt.UTC(), t.ExpiresAt.UTC()
	return t, nil
}

func (s *Accounts) ConsumeEmailToken(ctx context.Context, hash string, purpose account.EmailPurpose, at time.Time) (account.EmailToken, error) {
	var t account.EmailToken
	err := s.db.inTx(ctx, func(tx *txn) error {
		var err error
		if t, err = s.emailToken(ctx, tx, hash, purpose, at); err != nil {
			return err
		}
		// Conditional, so two concurrent uses cannot both succeed.
		res, err := tx.ExecContext(ctx, `UPDATE email_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL`, hash, at)
		if err := affectedOne(res, err, account.ErrTokenInvalid); err != nil {
			return err
		}
		return nil
	})
	return t, err
}

func (s *Accounts) MarkEmailVerified(ctx context.Context, userID string, at time.Time) (account.User, error) {
	_, err := s.db.write.ExecContext(ctx, `UPDATE users SET email_verified_at = $2, updated_at = $2 WHERE id = $1 AND email_verified_at IS NULL`, userID, at)
	if err != nil {
		return account.User{}, err
	}
	return s.userWhere(ctx, s.db.write, "id = $1", userID)
}

func (s *Accounts) CreateAPIKey(ctx context.Context, k account.APIKey, hash string, entry account.AuditEntry) error {
	return s.db.inTx(ctx, func(tx *txn) error {
		var createdBy sql.NullString
		if k.CreatedBy != "" {
			createdBy = sql.NullString{String: k.CreatedBy, Valid: true}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO api_keys (id, name, prefix, key_hash, scopes, created_by, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, k.ID, k.Name, k.Prefix, hash, strings.Join(k.Scopes, " "), createdBy, k.CreatedAt, k.ExpiresAt)
		if err != nil {
			return err
		}
		return addAudit(ctx, tx, entry)
	})
}

const selectAPIKey = `SELECT id, name, prefix, scopes, COALESCE(created_by, ''), created_at, expires_at, last_used_at, revoked_at FROM api_keys` // #nosec G101 -- a query naming columns, no credential

func (s *Accounts) apiKeys(ctx context.Context, query string, args ...any) ([]account.APIKey, error) {
	rows, err := s.db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	keys := []account.APIKey{}
	for rows.Next() {
		var k account.APIKey
		var scopes string
		var expires, used, revoked sql.NullTime
		if err := rows.Scan(&k.ID, &k.Name, &k.Prefix, &scopes, &k.CreatedBy, &k.CreatedAt, &expires, &used, &revoked); err != nil {
			return nil, err
		}
		k.Scopes = strings.Fields(scopes)
		k.CreatedAt, k.ExpiresAt, k.LastUsedAt, k.RevokedAt = k.CreatedAt.UTC(), nullTime(expires), nullTime(used), nullTime(revoked)
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

func (s *Accounts) ListAPIKeys(ctx context.Context, limit int, cursor string) (account.Page[account.APIKey], error) {
	query, args, err := apiKeyListQuery(limit, cursor)
	if err != nil {
		return account.Page[account.APIKey]{}, err
	}
	keys, err := s.apiKeys(ctx, query, args...)
	if err != nil {
		return account.Page[account.APIKey]{}, err
	}
	return pageOf(keys, limit, func(k account.APIKey) string { return encodeCursor(k.CreatedAt, k.ID) }), nil
}

// apiKeyListQuery is the query of ListAPIKeys and its arguments
// (explain_test.go checks its plans).
func apiKeyListQuery(limit int, cursor string) (string, []any, error) {
	var f filter
	if err := f.after(cursor); err != nil {
		return "", nil, badCursor()
	}
	query := selectAPIKey + f.page(limit)
	return query, f.args, nil
}

func (s *Accounts) RevokeAPIKey(ctx context.Context, id string, at time.Time, entry account.AuditEntry) (account.APIKey, error) {
	err := s.db.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1`, id, at)
		if err := affectedOne(res, err, account.ErrNotFound); err != nil {
			return err
		}
		return addAudit(ctx, tx, entry)
	})
	if err != nil {
		return account.APIKey{}, err
	}
	keys, err := s.apiKeys(ctx, selectAPIKey+" WHERE id = $1", id)
	if err != nil || len(keys) == 0 {
		return account.APIKey{}, errors.Join(err, account.ErrNotFound)
	}
	return keys[0], nil
}

func (s *Accounts) APIKeyHash(ctx context.Context, id string) (string, error) {
	var hash string
	err := s.db.read.QueryRowContext(ctx, `SELECT key_hash FROM api_keys WHERE id = $1`, id).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", account.ErrNotFound
	}
	return hash, err
}

// apiKeyUseGranularity bounds how often a key's last_used_at is written:
// a busy service account should not turn every read into a write.
const apiKeyUseGranularity = time.Minute

func (s *Accounts) APIKeyPrincipal(ctx context.Context, hash string, at time.Time) (account.Principal, error) {
	var p account.Principal
	var scopes string
	var expires, used sql.NullTime
	err := s.db.read.QueryRowContext(ctx, `SELECT id, scopes, expires_at, last_used_at FROM api_keys
WHERE key_hash = $1 AND revoked_at IS NULL`, hash).Scan(&p.APIKeyID, &scopes, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && expires.Valid && !at.Before(expires.Time)) {
		return account.Principal{}, account.ErrNotFound
	}
	if err != nil {
		return account.Principal{}, err
	}
	if !used.Valid || at.Sub(used.Time) >= apiKeyUseGranularity {
		if _, err := s.db.write.ExecContext(ctx, `UPDATE api_keys SET last_used_at = $2 WHERE id = $1`, p.APIKeyID, at); err != nil {
			return account.Principal{}, err
		}
	}
	p.Permissions = strings.Fields(scopes)
	p.ExpiresAt = nullTime(expires)
	return p, nil
}

func addAudit(ctx context.Context, tx *txn, e account.AuditEntry) error {
	details := []byte("{}")
	if len(e.Details) > 0 {
		var err error
		if details, err = json.Marshal(e.Details); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (id, created_at, actor_id, action, target_type, target_id, request_id, details)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, e.ID, e.At, e.ActorID, e.Action, e.TargetType, e.TargetID, e.RequestID, string(details))
	return err
}

func (s *Accounts) AddAudit(ctx context.Context, e account.AuditEntry) error {
	return s.db.inTx(ctx, func(tx *txn) error { return addAudit(ctx, tx, e) })
}

const selectAudit = `SELECT id, created_at, actor_id, action, target_type, target_id, request_id, details FROM audit_log`

func (s *Accounts) audit(ctx context.Context, query string, args ...any) ([]account.AuditEntry, error) {
	rows, err := s.db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	entries := []account.AuditEntry{}
	for rows.Next() {
		var e account.AuditEntry
		var details string
		if err := rows.Scan(&e.ID, &e.At, &e.ActorID, &e.Action, &e.TargetType, &e.TargetID, &e.RequestID, &details); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		if err := json.Unmarshal([]byte(details), &e.Details); err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	return entries, rows.Err()
}

func (s *Accounts) ListAudit(ctx context.Context, af account.AuditFilter) (account.Page[account.AuditEntry], error) {
	query, args, err := auditListQuery(af)
	if err != nil {
		return account.Page[account.AuditEntry]{}, err
	}
	entries, err := s.audit(ctx, query, args...)
	if err != nil {
		return account.Page[account.AuditEntry]{}, err
	}
	return pageOf(entries, af.Limit, func(e account.AuditEntry) string { return encodeCursor(e.At, e.ID) }), nil
}

// auditListQuery is the query of ListAudit and its arguments
// (explain_test.go checks its plans).
func auditListQuery(af account.AuditFilter) (string, []any, error) {
	var f filter
	if af.ActorID != "" {
		f.where("actor_id = " + f.arg(af.ActorID))
	}
	if af.Action != "" {
		f.where("action = " + f.arg(af.Action))
	}
	if err := f.after(af.Cursor); err != nil {
		return "", nil, badCursor()
	}
	query := selectAudit + f.page(af.Limit)
	return query, f.args, nil
}

func (s *Accounts) Permissions(ctx context.Context) ([]string, error) {
	perms, err := s.strings(ctx, `SELECT name FROM permissions ORDER BY name`)
	return slices.Clip(perms), err
}
