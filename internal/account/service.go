package account

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yogaflow/yogaflow/internal/platform/cache"
	"github.com/yogaflow/yogaflow/internal/platform/logging"
	"github.com/yogaflow/yogaflow/internal/platform/password"
	"github.com/yogaflow/yogaflow/internal/platform/validation"
)

// Config holds the account rules that operators may tune.
type Config struct {
	JWTSecret  []byte
	AccessTTL  time.Duration // access token lifetime
	RefreshTTL time.Duration // how long an unused refresh token lives
	// RefreshGrace is how long a rotated refresh token still answers with
	// its successor; 0: never.
	RefreshGrace time.Duration
	VerifyTTL    time.Duration // email verification token lifetime
	ResetTTL     time.Duration // password reset token lifetime
}

// Service carries out the account rules.
type Service struct {
	cfg    Config
	store  Store
	hasher *password.Hasher
	// principals caches who a session or API key is, for the per-request
	// check; writes that revoke or change them delete the entry. Nil when
	// no cache is consistent across instances: every request then asks the
	// database.
	principals cache.Cache
	logger     *slog.Logger
	now        func() time.Time
	signer     *tokenSigner
	sealer     *sealer // emailed tokens
	successors *sealer // the successor of a rotated refresh token
}

// principalTTL bounds how long a cached principal lives; invalidation on
// every write is what keeps it right, the TTL only bounds memory.
const principalTTL = 5 * time.Minute

// NewService builds the service. principals may be nil; now is the clock
// (time.Now outside tests).
func NewService(cfg Config, store Store, hasher *password.Hasher, principals cache.Cache, logger *slog.Logger, now func() time.Time) (*Service, error) {
	sl, err := newSealer(cfg.JWTSecret, "yogaflow email token sealing")
	if err != nil {
		return nil, err
	}
	successors, err := newSealer(cfg.JWTSecret, "yogaflow refresh successor sealing")
	if err != nil {
		return nil, err
	}
	return &Service{
		cfg: cfg, store: store, hasher: hasher, principals: principals, logger: logger, now: now,
		signer: newTokenSigner(cfg.JWTSecret, cfg.AccessTTL, now),
		sealer: sl, successors: successors,
	}, nil
}

// RegisterInput is a sign-up.
type RegisterInput struct {
	Email       string
	Password    string
	DisplayName string
	Timezone    string
}

// Register creates an account with the user role and mails a verification
// link. Returns ErrEmailTaken, a *validation.Error, or ErrBusy.
func (s *Service) Register(ctx context.Context, in RegisterInput) (User, error) {
	email, err := normaliseEmail(in.Email)
	if err != nil {
		return User{}, err
	}
	tz, err := checkTimezone(in.Timezone)
	if err != nil {
		return User{}, err
	}
	name := strings.TrimSpace(in.DisplayName)
	if err := validation.Line("display_name", name); err != nil {
		return User{}, err
	}
	hash, err := s.newPasswordHash(ctx, in.Password, email, name)
	if err != nil {
		return User{}, err
	}
	now := s.clock()
	u := User{ID: newID(), Email: email, DisplayName: name, Timezone: tz, Roles: []string{RoleUser}, Practice: DefaultPracticeSettings,
		CreatedAt: now, UpdatedAt: now}
	token, job := s.emailToken(u.ID, PurposeVerifyEmail, now)
	if err := s.store.CreateUser(ctx, u, hash, &token, job); err != nil {
		return User{}, err
	}
	s.logger.InfoContext(ctx, "user registered", slog.String("user_id", u.ID), slog.String("email", logging.MaskEmail(email)))
	return u, nil
}

// CreateUser makes a verified account from the command line, with roles.
func (s *Service) CreateUser(ctx context.Context, email, pw string, roles []string) (User, error) {
	email, err := normaliseEmail(email)
	if err != nil {
		return User{}, err
	}
	if err := checkRoles(roles); err != nil {
		return User{}, err
	}
	hash, err := s.newPasswordHash(ctx, pw, email)
	if err != nil {
		return User{}, err
	}
	now := s.clock()
	u := User{ID: newID(), Email: email, Timezone: "UTC", Roles: roles, EmailVerified: true, Practice: DefaultPracticeSettings,
		CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateUser(ctx, u, hash, nil, EmailJob{}); err != nil {
		return User{}, err
	}
	err = s.store.AddAudit(ctx, AuditEntry{ID: newID(), At: now, Action: "user.create", TargetType: "user", TargetID: u.ID,
		Details: map[string]any{"roles": roles, "via": "command line"}})
	return u, err
}

// Login checks a password and starts a session. Unknown email and wrong
// password fail alike, in body and in time: ErrInvalidCredentials.
func (s *Service) Login(ctx context.Context, email, pw string) (TokenPair, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	u, hash, err := s.store.UserCredentials(ctx, email)
	switch {
	case errors.Is(err, ErrNotFound):
		if err := s.hasher.CompareDummy(ctx, pw); err != nil {
			return TokenPair{}, mapHasherErr(err)
		}
		s.logger.InfoContext(ctx, "login failed", slog.String("email", logging.MaskEmail(email)), slog.String("reason", "unknown email"))
		return TokenPair{}, ErrInvalidCredentials
	case err != nil:
		return TokenPair{}, err
	}
	ok, err := s.hasher.Compare(ctx, hash, pw)
	if err != nil {
		return TokenPair{}, mapHasherErr(err)
	}
	if !ok {
		s.logger.InfoContext(ctx, "login failed", slog.String("user_id", u.ID), slog.String("reason", "wrong password"))
		return TokenPair{}, ErrInvalidCredentials
	}
	pair, err := s.startSession(ctx, u.ID)
	if err == nil {
		s.logger.InfoContext(ctx, "login ok", slog.String("user_id", u.ID))
	}
	return pair, err
}

func (s *Service) startSession(ctx context.Context, userID string) (TokenPair, error) {
	now := s.clock()
	sid := newID()
	refresh := newSecret()
	rt := RefreshToken{Hash: hashSecret(refresh), SessionID: sid, UserID: userID, CreatedAt: now, ExpiresAt: now.Add(s.cfg.RefreshTTL)}
	if err := s.store.CreateSession(ctx, sid, userID, rt); err != nil {
		return TokenPair{}, err
	}
	return s.pair(userID, sid, refresh, now)
}

func (s *Service) pair(userID, sid, refresh string, now time.Time) (TokenPair, error) {
	access, err := s.signer.issue(userID, sid, now)
	if err != nil {
		return TokenPair{}, err
	}
	return TokenPair{AccessToken: access, ExpiresIn: s.cfg.AccessTTL, RefreshToken: refresh}, nil
}

// Refresh rotates a refresh token. Reusing a rotated one revokes its whole
// session (family): someone holds a copy. Within the grace window after
// its rotation, though, a rotated token answers with its successor again,
// as long as that successor is itself unspent: two page loads at once
// spend one token, and both should stay signed in. Returns ErrTokenInvalid
// or ErrTokenExpired.
func (s *Service) Refresh(ctx context.Context, refresh string) (TokenPair, error) {
	old, err := s.store.RefreshTokenByHash(ctx, hashSecret(refresh))
	if errors.Is(err, ErrNotFound) {
		return TokenPair{}, ErrTokenInvalid
	}
	if err != nil {
		return TokenPair{}, err
	}
	now := s.clock()
	switch {
	case old.Revoked:
		return TokenPair{}, ErrTokenInvalid
	case old.UsedAt != nil:
		return s.reuse(ctx, old, now)
	case !now.Before(old.ExpiresAt):
		return TokenPair{}, ErrTokenExpired
	}
	next := newSecret()
	rt := RefreshToken{Hash: hashSecret(next), SessionID: old.SessionID, UserID: old.UserID, CreatedAt: now, ExpiresAt: now.Add(s.cfg.RefreshTTL)}
	if err := s.store.RotateRefreshToken(ctx, old.Hash, s.successors.seal(next), rt, now); err != nil {
		if !errors.Is(err, ErrTokenInvalid) {
			return TokenPair{}, err
		}
		// Another request rotated it a moment ago: the same reuse.
		if old, err = s.store.RefreshTokenByHash(ctx, old.Hash); err != nil {
			return TokenPair{}, err
		}
		if old.Revoked || old.UsedAt == nil {
			return TokenPair{}, ErrTokenInvalid
		}
		return s.reuse(ctx, old, now)
	}
	return s.pair(old.UserID, old.SessionID, next, now)
}

// reuse answers a rotated token: with its successor inside the grace
// window, while the successor is unspent; otherwise by revoking the family.
func (s *Service) reuse(ctx context.Context, old RefreshToken, now time.Time) (TokenPair, error) {
	if s.cfg.RefreshGrace <= 0 || old.Successor == "" || !now.Before(old.UsedAt.Add(s.cfg.RefreshGrace)) {
		return TokenPair{}, s.revokeForReuse(ctx, old, now)
	}
	next, err := s.successors.open(old.Successor)
	if err != nil {
		return TokenPair{}, err
	}
	successor, err := s.store.RefreshTokenByHash(ctx, hashSecret(next))
	if err != nil {
		return TokenPair{}, err
	}
	if successor.Revoked || successor.UsedAt != nil {
		// The chain has moved on since: this is a copy, not a race.
		return TokenPair{}, s.revokeForReuse(ctx, old, now)
	}
	return s.pair(old.UserID, old.SessionID, next, now)
}

func (s *Service) revokeForReuse(ctx context.Context, rt RefreshToken, now time.Time) error {
	if err := s.revokeSession(ctx, now, rt.SessionID); err != nil {
		return err
	}
	s.logger.WarnContext(ctx, "refresh token reused: session revoked", slog.String("user_id", rt.UserID), slog.String("session_id", rt.SessionID))
	return ErrTokenInvalid
}

// Logout ends the session that refresh belongs to; it must be the caller's.
func (s *Service) Logout(ctx context.Context, p *Principal, refresh string) error {
	rt, err := s.store.RefreshTokenByHash(ctx, hashSecret(refresh))
	if errors.Is(err, ErrNotFound) || (err == nil && rt.UserID != p.UserID) {
		return ErrTokenInvalid
	}
	if err != nil {
		return err
	}
	if err := s.revokeSession(ctx, s.clock(), rt.SessionID); err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "logout", slog.String("user_id", p.UserID), slog.String("session_id", rt.SessionID))
	return nil
}

// revokeSession revokes a session and forgets its cached principal, so
// the next request with one of its access tokens fails everywhere.
func (s *Service) revokeSession(ctx context.Context, now time.Time, sid string) error {
	if err := s.store.RevokeSession(ctx, sid, now); err != nil {
		return err
	}
	s.forgetSessions(ctx, sid)
	return nil
}

func (s *Service) forgetSessions(ctx context.Context, sids ...string) {
	keys := make([]string, len(sids))
	for i, sid := range sids {
		keys[i] = sessionKey(sid)
	}
	s.markStale(ctx, keys...)
}

// staleMarker is written over a cached principal that a write changed or
// revoked. Readers only Add to the cache, so one that loaded the old
// principal just before the write cannot put it back; the marker outlives
// any such load.
var staleMarker = []byte("stale")

// markStale marks cached principals stale. A cache that cannot be reached
// is logged, not fatal: the database write has happened, and while the
// cache is unreachable every instance reads the database anyway.
func (s *Service) markStale(ctx context.Context, keys ...string) {
	if s.principals == nil {
		return
	}
	for _, k := range keys {
		if err := s.principals.Set(ctx, k, staleMarker, principalTTL); err != nil {
			s.logger.WarnContext(ctx, "could not invalidate a cached principal", slog.String("error", err.Error()))
		}
	}
}

func sessionKey(sid string) string { return "auth:session:" + sid }
func apiKeyKey(hash string) string { return "auth:apikey:" + hash }

// Authenticate resolves a bearer credential: an access token (JWT) or an
// API key. Returns ErrTokenInvalid, ErrTokenExpired or ErrSessionRevoked.
func (s *Service) Authenticate(ctx context.Context, credential string) (*Principal, error) {
	if strings.HasPrefix(credential, APIKeyPrefix) {
		p, err := s.cachedPrincipal(ctx, apiKeyKey(hashSecret(credential)), func() (Principal, error) {
			p, err := s.store.APIKeyPrincipal(ctx, hashSecret(credential), s.clock())
			if errors.Is(err, ErrNotFound) {
				return Principal{}, ErrTokenInvalid
			}
			return p, err
		})
		if err == nil && p.ExpiresAt != nil && !s.clock().Before(*p.ExpiresAt) {
			return nil, ErrTokenInvalid
		}
		return p, err
	}
	userID, sid, err := s.signer.parse(credential)
	if err != nil {
		return nil, err
	}
	p, err := s.cachedPrincipal(ctx, sessionKey(sid), func() (Principal, error) {
		p, err := s.store.SessionPrincipal(ctx, sid)
		if errors.Is(err, ErrNotFound) {
			return Principal{}, ErrSessionRevoked
		}
		return p, err
	})
	if err != nil {
		return nil, err
	}
	if p.UserID != userID {
		return nil, ErrTokenInvalid
	}
	return p, nil
}

// cachedPrincipal reads through the principal cache. A cache that cannot
// be asked is skipped, not fatal: the database answers instead.
func (s *Service) cachedPrincipal(ctx context.Context, key string, load func() (Principal, error)) (*Principal, error) {
	stale := false
	if s.principals != nil {
		if b, ok, err := s.principals.Get(ctx, key); err == nil && ok {
			var p Principal
			if stale = bytes.Equal(b, staleMarker); !stale && json.Unmarshal(b, &p) == nil {
				return &p, nil
			}
		}
	}
	p, err := load()
	if err != nil {
		return nil, err
	}
	if s.principals != nil && !stale {
		if b, err := json.Marshal(p); err == nil {
			_, _ = s.principals.Add(ctx, key, b, principalTTL)
		}
	}
	return &p, nil
}

// VerifyEmail spends a verification token. Returns ErrTokenInvalid or
// ErrTokenExpired.
func (s *Service) VerifyEmail(ctx context.Context, token string) (User, error) {
	now := s.clock()
	t, err := s.store.ConsumeEmailToken(ctx, hashSecret(token), PurposeVerifyEmail, now)
	if err != nil {
		return User{}, err
	}
	return s.store.MarkEmailVerified(ctx, t.UserID, now)
}

// ResendVerification mails a new link, unless the email is verified.
func (s *Service) ResendVerification(ctx context.Context, p *Principal) error {
	u, err := s.store.UserByID(ctx, p.UserID)
	if err != nil || u.EmailVerified {
		return err
	}
	t, job := s.emailToken(u.ID, PurposeVerifyEmail, s.clock())
	return s.store.CreateEmailToken(ctx, t, job)
}

// RequestPasswordReset has a reset link mailed if the email has an
// account. It says nothing either way, in its answer (callers answer 202
// regardless) or its time: it enqueues the request for either, and the
// ResetRequestWorker looks the email up.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	return s.store.EnqueueResetRequest(ctx, ResetRequestJob{SealedEmail: s.sealer.seal(email)})
}

// ConfirmPasswordReset sets a new password with a reset token and ends
// every session of the user. The password is checked before the token is
// spent, so a rejected password does not waste the link.
func (s *Service) ConfirmPasswordReset(ctx context.Context, token, newPassword string) error {
	now := s.clock()
	hash := hashSecret(token)
	t, err := s.store.PeekEmailToken(ctx, hash, PurposeResetPassword, now)
	if err != nil {
		return err
	}
	u, err := s.store.UserByID(ctx, t.UserID)
	if err != nil {
		return err
	}
	pwHash, err := s.newPasswordHash(ctx, newPassword, u.Email, u.DisplayName)
	if err != nil {
		return err
	}
	if _, err := s.store.ConsumeEmailToken(ctx, hash, PurposeResetPassword, now); err != nil {
		return err
	}
	return s.setPassword(ctx, u.ID, pwHash, "", now)
}

func (s *Service) setPassword(ctx context.Context, userID, hash, keepSession string, now time.Time) error {
	sids, err := s.store.ActiveSessionIDs(ctx, userID)
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(ctx, userID, hash, keepSession, now); err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "password changed", slog.String("user_id", userID))
	s.forgetSessions(ctx, slices.DeleteFunc(sids, func(sid string) bool { return sid == keepSession })...)
	return nil
}

// Me returns the caller's account.
func (s *Service) Me(ctx context.Context, p *Principal) (User, error) {
	return s.store.UserByID(ctx, p.UserID)
}

// Timezone returns the user's time zone, in which their days are counted.
func (s *Service) Timezone(ctx context.Context, userID string) (*time.Location, error) {
	tz, err := s.store.UserTimezone(ctx, userID)
	if err != nil {
		return nil, err
	}
	return time.LoadLocation(tz)
}

// UpdateMe changes the caller's display name, time zone and practice
// settings; nil leaves one as it is.
func (s *Service) UpdateMe(ctx context.Context, p *Principal, c ProfileChange) (User, error) {
	u, err := s.store.UserByID(ctx, p.UserID)
	if err != nil {
		return User{}, err
	}
	if c.DisplayName != nil {
		u.DisplayName = strings.TrimSpace(*c.DisplayName)
		if err := validation.Line("display_name", u.DisplayName); err != nil {
			return User{}, err
		}
	}
	if c.Timezone != nil {
		if u.Timezone, err = checkTimezone(*c.Timezone); err != nil {
			return User{}, err
		}
	}
	set := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	set(&u.Practice.Voice, c.Voice)
	set(&u.Practice.Chime, c.Chime)
	set(&u.Practice.BreathPacing, c.BreathPacing)
	if c.BreathsPerMinute != nil {
		if n := *c.BreathsPerMinute; n < MinBreathsPerMinute || n > MaxBreathsPerMinute {
			return User{}, validation.New("practice_settings.breaths_per_minute",
				fmt.Sprintf("must be from %d to %d", MinBreathsPerMinute, MaxBreathsPerMinute))
		}
		u.Practice.BreathsPerMinute = *c.BreathsPerMinute
	}
	return s.store.UpdateProfile(ctx, u, s.clock())
}

// ChangePassword checks the current password, sets the new one and ends
// the user's other sessions. Returns ErrWrongPassword.
func (s *Service) ChangePassword(ctx context.Context, p *Principal, current, next string) error {
	u, err := s.checkPassword(ctx, p.UserID, current)
	if err != nil {
		return err
	}
	hash, err := s.newPasswordHash(ctx, next, u.Email, u.DisplayName)
	if err != nil {
		return err
	}
	return s.setPassword(ctx, u.ID, hash, p.SessionID, s.clock())
}

func (s *Service) checkPassword(ctx context.Context, userID, pw string) (User, error) {
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return User{}, err
	}
	hash, err := s.store.PasswordHash(ctx, userID)
	if err != nil {
		return User{}, err
	}
	ok, err := s.hasher.Compare(ctx, hash, pw)
	if err != nil {
		return User{}, mapHasherErr(err)
	}
	if !ok {
		return User{}, ErrWrongPassword
	}
	return u, nil
}

// Export returns everything stored about the caller.
func (s *Service) Export(ctx context.Context, p *Principal) (Export, error) {
	e, err := s.store.Export(ctx, p.UserID)
	e.Generated = s.clock()
	return e, err
}

// DeleteMe deletes the caller's account and data after checking the
// password. Audit entries stay, anonymised.
func (s *Service) DeleteMe(ctx context.Context, p *Principal, pw string, requestID string) error {
	u, err := s.checkPassword(ctx, p.UserID, pw)
	if err != nil {
		return err
	}
	sids, err := s.store.ActiveSessionIDs(ctx, u.ID)
	if err != nil {
		return err
	}
	entry := s.audit(p, "user.delete", "user", u.ID, requestID, nil)
	if err := s.store.DeleteUser(ctx, u.ID, entry); err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "account deleted", slog.String("user_id", u.ID))
	s.forgetSessions(ctx, sids...)
	return nil
}

// ListUsers lists accounts for admins.
func (s *Service) ListUsers(ctx context.Context, f UserFilter) (Page[User], error) {
	if f.Role != "" {
		if err := checkRoles([]string{f.Role}); err != nil {
			return Page[User]{}, validation.New("role", err.(*validation.Error).Message)
		}
	}
	return s.store.ListUsers(ctx, f)
}

// SetRoles replaces a user's roles. The change applies to their very next
// request.
func (s *Service) SetRoles(ctx context.Context, actor *Principal, userID string, roles []string, requestID string) (User, error) {
	if err := checkRoles(roles); err != nil {
		return User{}, err
	}
	roles = sortedUnique(roles)
	sids, err := s.store.ActiveSessionIDs(ctx, userID)
	if err != nil {
		return User{}, err
	}
	u, err := s.store.SetRoles(ctx, userID, roles, s.audit(actor, "user.roles.set", "user", userID, requestID, map[string]any{"roles": roles}))
	if err != nil {
		return User{}, err
	}
	s.logger.InfoContext(ctx, "roles changed", slog.String("user_id", userID), slog.String("actor", actor.ActorID()), slog.Any("roles", roles))
	s.forgetSessions(ctx, sids...)
	return u, nil
}

// CreateAPIKey makes a key with scopes (permission names). The key is
// returned once and stored as a hash.
func (s *Service) CreateAPIKey(ctx context.Context, actor *Principal, name string, scopes []string, expiresAt *time.Time, requestID string) (APIKey, string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return APIKey{}, "", validation.New("name", "must not be empty")
	}
	if err := validation.Line("name", name); err != nil {
		return APIKey{}, "", err
	}
	known, err := s.store.Permissions(ctx)
	if err != nil {
		return APIKey{}, "", err
	}
	scopes = sortedUnique(scopes)
	if len(scopes) == 0 {
		return APIKey{}, "", validation.New("scopes", "must name at least one permission: "+strings.Join(known, ", "))
	}
	for _, sc := range scopes {
		if !slices.Contains(known, sc) {
			return APIKey{}, "", validation.New("scopes", fmt.Sprintf("%q is not a permission; use %s", sc, strings.Join(known, ", ")))
		}
	}
	now := s.clock()
	if expiresAt != nil && !expiresAt.After(now) {
		return APIKey{}, "", validation.New("expires_at", "must be in the future")
	}
	secret := APIKeyPrefix + newSecret()
	k := APIKey{ID: newID(), Name: name, Prefix: secret[:len(APIKeyPrefix)+8], Scopes: scopes, CreatedAt: now, ExpiresAt: expiresAt}
	if actor != nil {
		k.CreatedBy = actor.UserID
	}
	entry := s.audit(actor, "apikey.create", "api_key", k.ID, requestID, map[string]any{"name": name, "scopes": scopes})
	if err := s.store.CreateAPIKey(ctx, k, hashSecret(secret), entry); err != nil {
		return APIKey{}, "", err
	}
	return k, secret, nil
}

// ListAPIKeys lists keys, newest first.
func (s *Service) ListAPIKeys(ctx context.Context, limit int, cursor string) (Page[APIKey], error) {
	return s.store.ListAPIKeys(ctx, limit, cursor)
}

// RevokeAPIKey revokes a key; the next request with it fails.
func (s *Service) RevokeAPIKey(ctx context.Context, actor *Principal, id, requestID string) error {
	hash, err := s.store.APIKeyHash(ctx, id)
	if err != nil {
		return err
	}
	if _, err := s.store.RevokeAPIKey(ctx, id, s.clock(), s.audit(actor, "apikey.revoke", "api_key", id, requestID, nil)); err != nil {
		return err
	}
	s.markStale(ctx, apiKeyKey(hash))
	return nil
}

// ListAudit lists audit entries, newest first.
func (s *Service) ListAudit(ctx context.Context, f AuditFilter) (Page[AuditEntry], error) {
	return s.store.ListAudit(ctx, f)
}

// Audit records an admin write made elsewhere (the library, flags).
func (s *Service) Audit(ctx context.Context, actor *Principal, action, targetType, targetID, requestID string, details map[string]any) error {
	return s.store.AddAudit(ctx, s.audit(actor, action, targetType, targetID, requestID, details))
}

func (s *Service) audit(actor *Principal, action, targetType, targetID, requestID string, details map[string]any) AuditEntry {
	return AuditEntry{ID: newID(), At: s.clock(), ActorID: actor.ActorID(), Action: action,
		TargetType: targetType, TargetID: targetID, RequestID: requestID, Details: details}
}

func (s *Service) emailToken(userID string, purpose EmailPurpose, now time.Time) (EmailToken, EmailJob) {
	secret := newSecret()
	ttl := s.cfg.VerifyTTL
	if purpose == PurposeResetPassword {
		ttl = s.cfg.ResetTTL
	}
	t := EmailToken{Hash: hashSecret(secret), UserID: userID, Purpose: purpose, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	return t, EmailJob{Purpose: purpose, UserID: userID, SealedToken: s.sealer.seal(secret)}
}

// ServiceWords are the service's name and domain, which no password may be
// built from: they are the first guesses at any account of it.
var ServiceWords = []string{"YogaFlow", "yogaflow.app"}

// newPasswordHash applies the password rules, then hashes.
func (s *Service) newPasswordHash(ctx context.Context, pw string, userInputs ...string) (string, error) {
	inputs := slices.Clone(userInputs)
	for _, in := range userInputs {
		if local, _, ok := strings.Cut(in, "@"); ok {
			inputs = append(inputs, local)
		}
	}
	hash, err := s.hasher.Hash(ctx, pw, password.Inputs{User: inputs, Service: ServiceWords})
	var re *password.RuleError
	switch {
	case errors.As(err, &re):
		return "", validation.New("password", re.Message)
	case errors.Is(err, password.ErrTooLong):
		return "", validation.New("password", fmt.Sprintf("must be at most %d bytes long", password.MaxLength))
	}
	return hash, mapHasherErr(err)
}

func mapHasherErr(err error) error {
	if errors.Is(err, password.ErrBusy) {
		return ErrBusy
	}
	return err
}

const maxEmailLen = 254

// NormalEmail is the form of an email address that accounts are found by:
// changing its case or padding it finds the same account.
func NormalEmail(raw string) string { return strings.ToLower(strings.TrimSpace(raw)) }

func normaliseEmail(raw string) (string, error) {
	email := NormalEmail(raw)
	// net/mail takes bidi controls in an address: one could show as another.
	if err := validation.Line("email", email); err != nil {
		return "", err
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" || len(email) > maxEmailLen || !strings.Contains(email[strings.LastIndex(email, "@"):], ".") {
		return "", validation.New("email", "must be an email address like name@example.com")
	}
	return email, nil
}

func checkTimezone(tz string) (string, error) {
	tz = strings.TrimSpace(tz)
	if tz == "" {
		return "UTC", nil
	}
	if tz == "Local" || !utf8.ValidString(tz) {
		return "", validation.New("timezone", "must be an IANA time zone name like Europe/Paris")
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return "", validation.New("timezone", "must be an IANA time zone name like Europe/Paris")
	}
	return tz, nil
}

func checkRoles(roles []string) error {
	if len(roles) == 0 {
		return validation.New("roles", "must hold at least one of user, editor, admin")
	}
	for _, r := range roles {
		if !slices.Contains(Roles, r) {
			return validation.New("roles", fmt.Sprintf("%q is not a role; use user, editor or admin", r))
		}
	}
	return nil
}

func sortedUnique(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

// clock is the time now, in UTC at the microsecond precision both
// databases keep, so what a write returns equals what a read gives back.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }
