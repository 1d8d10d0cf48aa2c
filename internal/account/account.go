// Package account holds people, their credentials and roles, API keys for
// service accounts, and the audit log: the rules of who may do what.
package account

import (
	"context"
	"errors"
	"time"
)

// Roles and permissions. They live in tables (see the migrations); these
// names are the ones code refers to.
const (
	RoleUser   = "user"
	RoleEditor = "editor"
	RoleAdmin  = "admin"

	PermUsersManage = "users:manage"
)

// Roles lists every role.
var Roles = []string{RoleUser, RoleEditor, RoleAdmin}

// Errors returned by the Service. Their text is written for people: the
// HTTP layer shows it.
var (
	ErrNotFound           = errors.New("not found")
	ErrEmailTaken         = errors.New("an account with this email already exists")
	ErrInvalidCredentials = errors.New("email or password is wrong")
	ErrWrongPassword      = errors.New("the current password is wrong")
	ErrTokenInvalid       = errors.New("the token is not valid")
	ErrTokenExpired       = errors.New("the token has expired")
	ErrSessionRevoked     = errors.New("this sign-in has ended; sign in again")
	ErrBusy               = errors.New("the service is busy; try again in a moment")
)

// User is a person with an account.
type User struct {
	ID            string
	Email         string
	DisplayName   string
	Timezone      string
	EmailVerified bool
	Roles         []string
	Practice      PracticeSettings
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// PracticeSettings are how the player guides the user, kept with the
// account so that they follow the user to another device.
type PracticeSettings struct {
	Voice            bool // speak pose names, sides and counts
	Chime            bool // a soft chime between poses
	BreathPacing     bool // cue inhale and exhale
	BreathsPerMinute int  // the pace of those cues
}

// The pace of breath cues, in breaths a minute: slow, paced breathing.
const (
	MinBreathsPerMinute = 3
	MaxBreathsPerMinute = 20
)

// DefaultPracticeSettings are a new account's.
var DefaultPracticeSettings = PracticeSettings{Voice: true, BreathsPerMinute: 6}

// ProfileChange is a change to the user's own profile; nil fields stay.
type ProfileChange struct {
	DisplayName      *string
	Timezone         *string
	Voice            *bool
	Chime            *bool
	BreathPacing     *bool
	BreathsPerMinute *int
}

// Principal is who is making a request: a signed-in user (with the session
// their access token belongs to) or a service account's API key.
type Principal struct {
	UserID      string
	SessionID   string
	APIKeyID    string
	Roles       []string
	Permissions []string
	// ExpiresAt is an API key's expiry, checked on every use (the
	// principal may come from a cache).
	ExpiresAt *time.Time
}

// Can reports whether the principal holds permission.
func (p *Principal) Can(permission string) bool {
	if p == nil {
		return false
	}
	for _, have := range p.Permissions {
		if have == permission {
			return true
		}
	}
	return false
}

// ActorID names the principal in the audit log.
func (p *Principal) ActorID() string {
	switch {
	case p == nil:
		return ""
	case p.APIKeyID != "":
		return "apikey:" + p.APIKeyID
	default:
		return p.UserID
	}
}

// TokenPair is what a sign-in or a refresh returns.
type TokenPair struct {
	AccessToken  string
	ExpiresIn    time.Duration
	RefreshToken string
}

// APIKey is a service account's credential. The key itself is shown once,
// at creation; only its hash is stored.
type APIKey struct {
	ID         string
	Name       string
	Prefix     string
	Scopes     []string
	CreatedBy  string
	CreatedAt  time.Time
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// AuditEntry is one admin write, role change, API key change or account
// deletion.
type AuditEntry struct {
	ID         string
	At         time.Time
	ActorID    string // "" for the command line
	Action     string
	TargetType string
	TargetID   string
	RequestID  string
	Details    map[string]any
}

// Page is one page of a keyset-paginated list.
type Page[T any] struct {
	Items      []T
	NextCursor string
}

// EmailPurpose says what an emailed token is for.
type EmailPurpose string

// The emailed tokens.
const (
	PurposeVerifyEmail   EmailPurpose = "verify_email"
	PurposeResetPassword EmailPurpose = "reset_password"
)

// EmailToken is a verification or reset token, as stored: by hash.
type EmailToken struct {
	Hash      string
	UserID    string
	Purpose   EmailPurpose
	CreatedAt time.Time
	ExpiresAt time.Time
}

// RefreshToken is one link of a session's rotation chain, as stored.
type RefreshToken struct {
	Hash      string
	SessionID string
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
	Revoked   bool // the whole session (family) is revoked
	// Successor is the token that replaced this one, sealed; "" until it
	// is rotated.
	Successor string
}

// UserFilter selects users for the admin list.
type UserFilter struct {
	Query  string // matched against email and display name
	Role   string
	Limit  int
	Cursor string
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	ActorID string
	Action  string
	Limit   int
	Cursor  string
}

// Export is everything stored about a user, for GET /users/me/export.
type Export struct {
	User      User
	Sessions  []SessionInfo
	APIKeys   []APIKey // keys the user created
	AuditLog  []AuditEntry
	Generated time.Time
}

// SessionInfo is a sign-in (refresh token family), without secrets.
type SessionInfo struct {
	ID        string
	CreatedAt time.Time
	RevokedAt *time.Time
}

// Store is the persistence the Service needs. Methods return ErrNotFound
// for a missing row, never nil with no error.
type Store interface {
	// CreateUser inserts u with its roles and, in the same transaction, its
	// email verification token and the job that mails it. Returns
	// ErrEmailTaken when the email is registered, ErrNotFound for an
	// unknown role; either way nothing is stored and no job enqueued.
	CreateUser(ctx context.Context, u User, passwordHash string, verify *EmailToken, job EmailJob) error
	// UserByID returns the user with their roles, sorted; ErrNotFound for
	// an unknown ID.
	UserByID(ctx context.Context, id string) (User, error)
	// UserTimezone is the user's time zone name alone: practice asks for it
	// on every stats and history request. ErrNotFound when there is none.
	UserTimezone(ctx context.Context, userID string) (string, error)
	// UserCredentials returns the user with that email (matched exactly:
	// the caller normalises it) and the password hash, without roles;
	// ErrNotFound for an unknown email.
	UserCredentials(ctx context.Context, email string) (User, string, error)
	// PasswordHash is the user's password hash; ErrNotFound for an unknown
	// user.
	PasswordHash(ctx context.Context, userID string) (string, error)
	// UpdateProfile writes u's display name, time zone and practice
	// settings, with updated_at at, and returns the user as stored (email
	// and created_at stay). ErrNotFound for an unknown user.
	UpdateProfile(ctx context.Context, u User, at time.Time) (User, error)
	// SetPassword stores a new hash, revokes every session of the user but
	// keepSession (which may be ""), and spends their outstanding reset
	// tokens (verification tokens stay). ErrNotFound for an unknown user.
	SetPassword(ctx context.Context, userID, hash, keepSession string, at time.Time) error
	// ActiveSessionIDs lists the user's unrevoked sessions, in no order;
	// none (not an error) for an unknown user.
	ActiveSessionIDs(ctx context.Context, userID string) ([]string, error)
	// SetRoles replaces the user's roles and writes entry to the audit log.
	// Returns ErrNotFound for an unknown user or role, and then changes
	// nothing and writes no entry.
	SetRoles(ctx context.Context, userID string, roles []string, entry AuditEntry) (User, error)
	// ListUsers pages users newest first (created_at, then ID, both
	// descending), with their roles. Query matches a substring of the
	// email or display name in any case, % and _ literally. f.Limit must be
	// at least 1; a cursor this list did not give out is a
	// *validation.Error on "cursor".
	ListUsers(ctx context.Context, f UserFilter) (Page[User], error)
	// DeleteUser removes the user and their data (sessions, tokens, own
	// sequences, practice history, idempotency keys; API keys they created
	// stay, without their maker), writes entry, and anonymises their audit
	// entries ("deleted-user" as actor and target). ErrNotFound for an
	// unknown user, and then nothing is written.
	DeleteUser(ctx context.Context, userID string, entry AuditEntry) error
	// Export gathers the user's sessions and API keys (oldest first) and
	// the audit entries they are actor or target of; lists are empty, not
	// nil. ErrNotFound for an unknown user.
	Export(ctx context.Context, userID string) (Export, error)

	// CreateSession starts a refresh token family with its first token.
	// ErrNotFound for an unknown user.
	CreateSession(ctx context.Context, sessionID, userID string, first RefreshToken) error
	// RefreshTokenByHash returns the token, used or not, with its session's
	// user and revocation; ErrNotFound for an unknown hash.
	RefreshTokenByHash(ctx context.Context, hash string) (RefreshToken, error)
	// RotateRefreshToken marks old used and stores next, only if old was
	// unused and its session unrevoked; otherwise ErrTokenInvalid (a race
	// with another use, which counts as reuse).
	RotateRefreshToken(ctx context.Context, oldHash, sealedNext string, next RefreshToken, at time.Time) error
	// RevokeSession ends the session at at; a session already revoked keeps
	// its first time, and an unknown one is no error.
	RevokeSession(ctx context.Context, sessionID string, at time.Time) error
	// SessionPrincipal returns the principal of a live session: ErrNotFound
	// when the session or its user is gone, ErrSessionRevoked if revoked.
	SessionPrincipal(ctx context.Context, sessionID string) (Principal, error)

	// CreateEmailToken stores t and enqueues job in one transaction; an
	// unknown user is an error (not a sentinel).
	CreateEmailToken(ctx context.Context, t EmailToken, job EmailJob) error
	// EnqueueResetRequest enqueues job, in one insert.
	EnqueueResetRequest(ctx context.Context, job ResetRequestJob) error
	// PeekEmailToken returns a token that could be consumed at at, or
	// ErrTokenInvalid (unknown, another purpose, or used) / ErrTokenExpired
	// (at is at or past its expiry). It spends nothing.
	PeekEmailToken(ctx context.Context, hash string, purpose EmailPurpose, at time.Time) (EmailToken, error)
	// ConsumeEmailToken marks the token used, once: a second use, even a
	// concurrent one, gets ErrTokenInvalid; an expired one ErrTokenExpired.
	ConsumeEmailToken(ctx context.Context, hash string, purpose EmailPurpose, at time.Time) (EmailToken, error)
	// MarkEmailVerified verifies the user's email at at, once: a second
	// call keeps the first time. ErrNotFound for an unknown user.
	MarkEmailVerified(ctx context.Context, userID string, at time.Time) (User, error)

	// CreateAPIKey stores k by hash and writes entry, in one transaction.
	CreateAPIKey(ctx context.Context, k APIKey, hash string, entry AuditEntry) error
	// ListAPIKeys pages every key, revoked ones too, newest first
	// (created_at, then ID, descending). limit must be at least 1; a
	// cursor this list did not give out is a *validation.Error on "cursor".
	ListAPIKeys(ctx context.Context, limit int, cursor string) (Page[APIKey], error)
	// RevokeAPIKey revokes the key at at (a revoked key keeps its first
	// time), writes entry and returns the key. ErrNotFound for an unknown
	// key, and then no entry is written.
	RevokeAPIKey(ctx context.Context, id string, at time.Time, entry AuditEntry) (APIKey, error)
	// APIKeyPrincipal returns the principal of a live key by hash; ErrNotFound
	// for an unknown, revoked or expired key (expired from its ExpiresAt
	// on). It records the use as last_used_at, at most once a minute.
	APIKeyPrincipal(ctx context.Context, hash string, at time.Time) (Principal, error)
	// APIKeyHash is the hash of key id, revoked or not; ErrNotFound for an
	// unknown key.
	APIKeyHash(ctx context.Context, id string) (string, error)

	// AddAudit writes e; an ID already used is an error (not a sentinel).
	AddAudit(ctx context.Context, e AuditEntry) error
	// ListAudit pages entries newest first (time, then ID, descending),
	// filtered by actor and action. f.Limit must be at least 1; a cursor
	// this list did not give out is a *validation.Error on "cursor".
	ListAudit(ctx context.Context, f AuditFilter) (Page[AuditEntry], error)
	// Permissions lists every permission there is, by name.
	Permissions(ctx context.Context) ([]string, error)
}
