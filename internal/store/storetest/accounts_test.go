package storetest_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/account"
	"github.com/yogaflow/yogaflow/internal/library"
	"github.com/yogaflow/yogaflow/internal/platform/idempotency"
	"github.com/yogaflow/yogaflow/internal/practice"
	"github.com/yogaflow/yogaflow/internal/store"
	"github.com/yogaflow/yogaflow/internal/store/storetest"
)

func TestAccountsCreateAndReadUser(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		s := accountStore(t, db)
		u := newUser("ana@example.test")
		u.DisplayName, u.Timezone, u.EmailVerified = "Ana", "Pacific/Kiritimati", true
		u.Roles = []string{account.RoleUser, account.RoleEditor}
		u.Practice = account.PracticeSettings{Voice: false, Chime: true, BreathPacing: true, BreathsPerMinute: 4}
		verify := &account.EmailToken{Hash: "verify-ana", UserID: u.ID, Purpose: account.PurposeVerifyEmail, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		if err := s.CreateUser(ctx, u, "hash-ana", verify, account.EmailJob{Purpose: account.PurposeVerifyEmail, UserID: u.ID}); err != nil {
			t.Fatal(err)
		}
		if n := queuedJobs(t, db); n != 1 {
			t.Fatalf("%d jobs queued after CreateUser with a verification token, want 1", n)
		}

		got, err := s.UserByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Email != u.Email || got.DisplayName != "Ana" || got.Timezone != u.Timezone || !got.EmailVerified ||
			got.Practice != u.Practice || !got.CreatedAt.Equal(t0) || !got.UpdatedAt.Equal(t0) || got.CreatedAt.Location() != time.UTC ||
			!slices.Equal(got.Roles, []string{account.RoleEditor, account.RoleUser}) {
			t.Fatalf("UserByID = %+v, want %+v (roles sorted)", got, u)
		}
		cred, hash, err := s.UserCredentials(ctx, u.Email)
		if err != nil || hash != "hash-ana" || cred.ID != u.ID {
			t.Fatalf("UserCredentials = %+v, %q, %v", cred, hash, err)
		}
		if h, err := s.PasswordHash(ctx, u.ID); err != nil || h != "hash-ana" {
			t.Fatalf("PasswordHash = %q, %v", h, err)
		}
		if tz, err := s.UserTimezone(ctx, u.ID); err != nil || tz != "Pacific/Kiritimati" {
			t.Fatalf("UserTimezone = %q, %v", tz, err)
		}
		if tok, err := s.PeekEmailToken(ctx, "verify-ana", account.PurposeVerifyEmail, t0); err != nil || tok.UserID != u.ID {
			t.Fatalf("the verification token of CreateUser: %+v, %v", tok, err)
		}

		unverified := mustUser(t, s, "ben@example.test")
		if got, _ := s.UserByID(ctx, unverified.ID); got.EmailVerified || !slices.Equal(got.Roles, []string{account.RoleUser}) {
			t.Fatalf("a new user without verification: %+v", got)
		}
	})
}

func TestAccountsUserNotFound(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		s := accountStore(t, db)
		mustUser(t, s, "ana@example.test")
		for name, call := range map[string]func() error{
			"UserByID":        func() error { _, err := s.UserByID(ctx, "nobody"); return err },
			"UserCredentials": func() error { _, _, err := s.UserCredentials(ctx, "nobody@example.test"); return err },
			"UserCredentials/case": func() error {
				_, _, err := s.UserCredentials(ctx, "ANA@example.test") // the service normalises; the store matches exactly
				return err
			},
			"PasswordHash":      func() error { _, err := s.PasswordHash(ctx, "nobody"); return err },
			"UserTimezone":      func() error { _, err := s.UserTimezone(ctx, "nobody"); return err },
			"UpdateProfile":     func() error { _, err := s.UpdateProfile(ctx, newUser("nobody@example.test"), t0); return err },
			"SetPassword":       func() error { return s.SetPassword(ctx, "nobody", "h", "", t0) },
			"SetRoles":          func() error { _, err := s.SetRoles(ctx, "nobody", nil, auditEntry("a1", "", "roles", t0)); return err },
			"DeleteUser":        func() error { return s.DeleteUser(ctx, "nobody", auditEntry("a2", "", "delete", t0)) },
			"Export":            func() error { _, err := s.Export(ctx, "nobody"); return err },
			"MarkEmailVerified": func() error { _, err := s.MarkEmailVerified(ctx, "nobody", t0); return err },
			"CreateSession": func() error {
				return s.CreateSession(ctx, "sess", "nobody", account.RefreshToken{Hash: "r", SessionID: "sess", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)})
			},
			"RefreshTokenByHash": func() error { _, err := s.RefreshTokenByHash(ctx, "nothing"); return err },
			"SessionPrincipal":   func() error { _, err := s.SessionPrincipal(ctx, "nothing"); return err },
			"RevokeAPIKey": func() error {
				_, err := s.RevokeAPIKey(ctx, "nothing", t0, auditEntry("a3", "", "revoke", t0))
				return err
			},
			"APIKeyPrincipal": func() error { _, err := s.APIKeyPrincipal(ctx, "nothing", t0); return err },
			"APIKeyHash":      func() error { _, err := s.APIKeyHash(ctx, "nothing"); return err },
		} {
			t.Run(name, func(t *testing.T) { wantErr(t, call(), account.ErrNotFound, name) })
		}
		// None of the failed writes left an audit entry.
		if got := auditActions(t, s); len(got) != 0 {
			t.Fatalf("failed writes left audit entries %v", got)
		}
	})
}

func TestAccountsCreateUserConflicts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		s := accountStore(t, db)
		mustUser(t, s, "ana@example.test")
		jobs := queuedJobs(t, db)

		twin := newUser("ana@example.test")
		twin.ID = "u-twin"
		verify := &account.EmailToken{Hash: "verify-twin", UserID: twin.ID, Purpose: account.PurposeVerifyEmail, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		err := s.CreateUser(ctx, twin, "h", verify, account.EmailJob{Purpose: account.PurposeVerifyEmail, UserID: twin.ID})
		wantErr(t, err, account.ErrEmailTaken, "CreateUser with a registered email")
		_, err = s.PeekEmailToken(ctx, "verify-twin", account.PurposeVerifyEmail, t0)
		wantErr(t, err, account.ErrTokenInvalid, "the token of a refused CreateUser")
		if n := queuedJobs(t, db); n != jobs {
			t.Fatalf("a refused CreateUser enqueued its email: %d jobs, want %d", n, jobs)
		}

		// An unknown role refuses the whole user.
		odd := newUser("odd@example.test")
		odd.Roles = []string{account.RoleUser, "wizard"}
		wantErr(t, s.CreateUser(ctx, odd, "h", nil, account.EmailJob{}), account.ErrNotFound, "CreateUser with an unknown role")
		_, err = s.UserByID(ctx, odd.ID)
		wantErr(t, err, account.ErrNotFound, "the user of a refused CreateUser")
		// Its email is free again.
		mustUser(t, s, "odd@example.test")
	})
}

func TestAccountsUpdateProfile(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		s := accountStore(t, db)
		u := mustUser(t, s, "ana@example.test")
		other := mustUser(t, s, "ben@example.test")
		at := t0.Add(time.Hour)
		u.DisplayName, u.Timezone = "Ana Lima", "America/Los_Angeles"
		u.Practice = account.PracticeSettings{Voice: false, Chime: true, BreathPacing: true, BreathsPerMinute: account.MaxBreathsPerMinute}
		u.Email, u.CreatedAt = "changed@example.test", at // neither is the profile's: both stay
		got, err := s.UpdateProfile(ctx, u, at)
		if err != nil {
			t.Fatal(err)
		}
		if got.DisplayName != "Ana Lima" || got.Timezone != "America/Los_Angeles" || got.Practice != u.Practice ||
			got.Email != "ana@example.test" || !got.CreatedAt.Equal(t0) || !got.UpdatedAt.Equal(at) || len(got.Roles) != 1 {
			t.Fatalf("UpdateProfile returned %+v", got)
		}
		if again, _ := s.UserByID(ctx, u.ID); again.DisplayName != got.DisplayName || again.Practice != got.Practice || !again.UpdatedAt.Equal(at) {
			t.Fatalf("UserByID after UpdateProfile = %+v", again)
		}
		if tz, _ := s.UserTimezone(ctx, u.ID); tz != "America/Los_Angeles" {
			t.Fatalf("UserTimezone after UpdateProfile = %q", tz)
		}
		if o, _ := s.UserByID(ctx, other.ID); o.DisplayName != "ben" || o.Timezone != "UTC" {
			t.Fatalf("UpdateProfile changed another user: %+v", o)
		}
	})
}

func TestAccountsSetPassword(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		s := accountStore(t, db)
		u := mustUser(t, s, "ana@example.test")
		other := mustUser(t, s, "ben@example.test")
		for _, id := range []string{"s1", "s2", "s3"} {
			mustSession(t, s, id, u.ID)
		}
		mustSession(t, s, "other", other.ID)
		for _, tok := range []account.EmailToken{
			{Hash: "reset", UserID: u.ID, Purpose: account.PurposeResetPassword, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
			{Hash: "verify", UserID: u.ID, Purpose: account.PurposeVerifyEmail, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
		} {
			if err := s.CreateEmailToken(ctx, tok, account.EmailJob{Purpose: tok.Purpose, UserID: u.ID}); err != nil {
				t.Fatal(err)
			}
		}

		at := t0.Add(time.Minute)
		if err := s.SetPassword(ctx, u.ID, "new-hash", "s2", at); err != nil {
			t.Fatal(err)
		}
		if h, _ := s.PasswordHash(ctx, u.ID); h != "new-hash" {
			t.Fatalf("PasswordHash = %q after SetPassword", h)
		}
		if got, _ := s.UserByID(ctx, u.ID); !got.UpdatedAt.Equal(at) {
			t.Fatalf("updated_at %v, want %v", got.UpdatedAt, at)
		}
		if active, _ := s.ActiveSessionIDs(ctx, u.ID); !slices.Equal(active, []string{"s2"}) {
			t.Fatalf("sessions left after SetPassword keeping s2: %v", active)
		}
		_, err := s.SessionPrincipal(ctx, "s1")
		wantErr(t, err, account.ErrSessionRevoked, "a session revoked by SetPassword")
		if active, _ := s.ActiveSessionIDs(ctx, other.ID); !slices.Equal(active, []string{"other"}) {
			t.Fatalf("SetPassword revoked another user's session: %v", active)
		}
		_, err = s.PeekEmailToken(ctx, "reset", account.PurposeResetPassword, at)
		wantErr(t, err, account.ErrTokenInvalid, "a reset token after SetPassword")
		if _, err := s.PeekEmailToken(ctx, "verify", account.PurposeVerifyEmail, at); err != nil {
			t.Fatalf("SetPassword spent the verification token: %v", err)
		}

		// Keeping no session revokes them all.
		if err := s.SetPassword(ctx, u.ID, "newer", "", at); err != nil {
			t.Fatal(err)
		}
		if active, _ := s.ActiveSessionIDs(ctx, u.ID); len(active) != 0 {
			t.Fatalf("sessions left after SetPassword keeping none: %v", active)
		}
	})
}

// mustSession starts session id of userID with refresh token "rt-"+id.
func mustSession(t *testing.T, s account.Store, id, userID string) {
	t.Helper()
	first := account.RefreshToken{Hash: "rt-" + id, SessionID: id, UserID: userID, CreatedAt: t0, ExpiresAt: t0.Add(24 * time.Hour)}
	if err := s.CreateSession(t.Context(), id, userID, first); err != nil {
		t.Fatalf("CreateSession(%s): %v", id, err)
	}
}

func TestAccountsSessionsAndRefreshTokens(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		s := accountStore(t, db)
		u := mustUser(t, s, "ana@example.test")
		if ids, err := s.ActiveSessionIDs(ctx, u.ID); err != nil || len(ids) != 0 {
			t.Fatalf("ActiveSessionIDs of a user without sessions = %v, %v", ids, err)
		}
		mustSession(t, s, "s1", u.ID)

		rt, err := s.RefreshTokenByHash(ctx, "rt-s1")
		if err != nil {
			t.Fatal(err)
		}
		if rt.SessionID != "s1" || rt.UserID != u.ID || !rt.CreatedAt.Equal(t0) || !rt.ExpiresAt.Equal(t0.Add(24*time.Hour)) ||
			rt.UsedAt != nil || rt.Revoked || rt.Successor != "" {
			t.Fatalf("RefreshTokenByHash = %+v", rt)
		}

		at := t0.Add(time.Minute)
		next := account.RefreshToken{Hash: "rt-s1-2", SessionID: "s1", CreatedAt: at, ExpiresAt: at.Add(24 * time.Hour)}
		if err := s.RotateRefreshToken(ctx, "rt-s1", "sealed-2", next, at); err != nil {
			t.Fatal(err)
		}
		old, _ := s.RefreshTokenByHash(ctx, "rt-s1")
		if old.UsedAt == nil || !old.UsedAt.Equal(at) || old.Successor != "sealed-2" {
			t.Fatalf("the rotated token is %+v, want used at %v with its successor", old, at)
		}
		if got, err := s.RefreshTokenByHash(ctx, "rt-s1-2"); err != nil || got.UsedAt != nil || got.UserID != u.ID {
			t.Fatalf("the new token is %+v, %v", got, err)
		}

		// Reuse of the used token, and an unknown one, are invalid and store nothing.
		again := account.RefreshToken{Hash: "rt-s1-3", SessionID: "s1", CreatedAt: at, ExpiresAt: at.Add(time.Hour)}
		wantErr(t, s.RotateRefreshToken(ctx, "rt-s1", "sealed-3", again, at), account.ErrTokenInvalid, "rotating a used token")
		wantErr(t, s.RotateRefreshToken(ctx, "unknown", "sealed-3", again, at), account.ErrTokenInvalid, "rotating an unknown token")
		_, err = s.RefreshTokenByHash(ctx, "rt-s1-3")
		wantErr(t, err, account.ErrNotFound, "the token of a refused rotation")

		// A revoked session rotates no more, and says so everywhere.
		if err := s.RevokeSession(ctx, "s1", at); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeSession(ctx, "s1", at.Add(time.Hour)); err != nil {
			t.Fatalf("revoking twice: %v", err)
		}
		if err := s.RevokeSession(ctx, "unknown", at); err != nil {
			t.Fatalf("revoking an unknown session: %v, want nil (nothing to end)", err)
		}
		wantErr(t, s.RotateRefreshToken(ctx, "rt-s1-2", "x", again, at), account.ErrTokenInvalid, "rotating in a revoked session")
		if got, _ := s.RefreshTokenByHash(ctx, "rt-s1-2"); !got.Revoked {
			t.Fatalf("a token of a revoked session is %+v", got)
		}
		_, err = s.SessionPrincipal(ctx, "s1")
		wantErr(t, err, account.ErrSessionRevoked, "SessionPrincipal of a revoked session")
		if ids, _ := s.ActiveSessionIDs(ctx, u.ID); len(ids) != 0 {
			t.Fatalf("ActiveSessionIDs lists a revoked session: %v", ids)
		}
		if e, _ := s.Export(ctx, u.ID); len(e.Sessions) != 1 || e.Sessions[0].RevokedAt == nil || !e.Sessions[0].RevokedAt.Equal(at) {
			t.Fatalf("the export's sessions are %+v, want s1 revoked at %v (the first revocation)", e.Sessions, at)
		}
	})
}

func TestAccountsRotateRefreshTokenRace(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := accountStore(t, db)
		u := mustUser(t, s, "ana@example.test")
		mustSession(t, s, "s1", u.ID)
		const racers = 4
		errs := make([]error, racers)
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				next := account.RefreshToken{Hash: fmt.Sprintf("next-%d", i), SessionID: "s1", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
				errs[i] = s.RotateRefreshToken(t.Context(), "rt-s1", "sealed", next, t0)
			})
		}
		wg.Wait()
		oneWins(t, errs, func(err error) bool { return errors.Is(err, account.ErrTokenInvalid) }, "rotation of one token")
	})
}

func TestAccountsSessionPrincipalAndRoles(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		s := accountStore(t, db)
		u := mustUser(t, s, "ana@example.test")
		mustSession(t, s, "s1", u.ID)
		p, err := s.SessionPrincipal(ctx, "s1")
		if err != nil || p.UserID != u.ID || p.SessionID != "s1" || !slices.Equal(p.Roles, []string{"user"}) || len(p.Permissions) != 0 {
			t.Fatalf("SessionPrincipal of a plain user = %+v, %v", p, err)
		}

		at := t0.Add(time.Hour)
		got, err := s.SetRoles(ctx, u.ID, []string{account.RoleAdmin, account.RoleEditor}, auditEntry("roles-1", "admin-1", "user.roles", at))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Roles, []string{"admin", "editor"}) || !got.UpdatedAt.Equal(at) {
			t.Fatalf("SetRoles returned %+v", got)
		}
		p, err = s.SessionPrincipal(ctx, "s1")
		// editor and admin both hold content:write: listed once.
		if err != nil || !slices.Equal(p.Roles, []string{"admin", "editor"}) ||
			!slices.Equal(p.Permissions, []string{"content:write", "flags:manage", "users:manage"}) {
			t.Fatalf("SessionPrincipal of an admin = %+v, %v", p, err)
		}
		if !p.Can(account.PermUsersManage) {
			t.Fatal("an admin's principal cannot manage users")
		}
		if a := auditActions(t, s); !slices.Equal(a, []string{"user.roles"}) {
			t.Fatalf("audit after SetRoles: %v", a)
		}

		// An unknown role changes nothing and writes no audit.
		_, err = s.SetRoles(ctx, u.ID, []string{account.RoleUser, "wizard"}, auditEntry("roles-2", "admin-1", "user.roles", at))
		wantErr(t, err, account.ErrNotFound, "SetRoles with an unknown role")
		if got, _ := s.UserByID(ctx, u.ID); !slices.Equal(got.Roles, []string{"admin", "editor"}) {
			t.Fatalf("a refused SetRoles left roles %v", got.Roles)
		}
		if a := auditActions(t, s); len(a) != 1 {
			t.Fatalf("a refused SetRoles wrote audit: %v", a)
		}

		// No roles at all is allowed, and holds no permission.
		if got, err := s.SetRoles(ctx, u.ID, nil, auditEntry("roles-3", "admin-1", "user.roles", at)); err != nil || len(got.Roles) != 0 {
			t.Fatalf("SetRoles(nil) = %+v, %v", got.Roles, err)
		}
		if p, _ := s.SessionPrincipal(ctx, "s1"); len(p.Roles) != 0 || len(p.Permissions) != 0 {
			t.Fatalf("a principal without roles: %+v", p)
		}
	})
}

func TestAccountsPermissions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		perms, err := accountStore(t, db).Permissions(t.Context())
		if err != nil || !slices.Equal(perms, []string{"content:write", "flags:manage", "users:manage"}) {
			t.Fatalf("Permissions = %v, %v", perms, err)
		}
	})
}

func TestAccountsEmailTokens(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		s := accountStore(t, db)
		u := mustUser(t, s, "ana@example.test")
		expires := t0.Add(time.Hour)
		tok := account.EmailToken{Hash: "reset-1", UserID: u.ID, Purpose: account.PurposeResetPassword, CreatedAt: t0, ExpiresAt: expires}
		jobs := queuedJobs(t, db)
		if err := s.CreateEmailToken(ctx, tok, account.EmailJob{Purpose: tok.Purpose, UserID: u.ID}); err != nil {
			t.Fatal(err)
		}
		if n := queuedJobs(t, db); n != jobs+1 {
			t.Fatalf("CreateEmailToken queued %d jobs, want 1", n-jobs)
		}

		for _, c := range []struct {
			name    string
			hash    string
			purpose account.EmailPurpose
			at      time.Time
			want    error
		}{
			{"live", "reset-1", account.PurposeResetPassword, t0, nil},
			{"a microsecond before expiry", "reset-1", account.PurposeResetPassword, expires.Add(-time.Microsecond), nil},
			{"at expiry", "reset-1", account.PurposeResetPassword, expires, account.ErrTokenExpired},
			{"after expiry", "reset-1", account.PurposeResetPassword, expires.Add(time.Hour), account.ErrTokenExpired},
			{"another purpose", "reset-1", account.PurposeVerifyEmail, t0, account.ErrTokenInvalid},
			{"unknown", "nothing", account.PurposeResetPassword, t0, account.ErrTokenInvalid},
		} {
			t.Run(c.name, func(t *testing.T) {
				got, err := s.PeekEmailToken(ctx, c.hash, c.purpose, c.at)
				if c.want == nil {
					if err != nil || got.UserID != u.ID || !got.ExpiresAt.Equal(expires) || !got.CreatedAt.Equal(t0) || got.Purpose != c.purpose {
						t.Fatalf("PeekEmailToken = %+v, %v", got, err)
					}
					return
				}
				wantErr(t, err, c.want, "PeekEmailToken")
			})
		}

		// Peeking spends nothing; consuming spends once.
		_, err := s.ConsumeEmailToken(ctx, "reset-1", account.PurposeResetPassword, expires)
		wantErr(t, err, account.ErrTokenExpired, "consuming an expired token")
		got, err := s.ConsumeEmailToken(ctx, "reset-1", account.PurposeResetPassword, t0)
		if err != nil || got.UserID != u.ID {
			t.Fatalf("ConsumeEmailToken = %+v, %v", got, err)
		}
		_, err = s.ConsumeEmailToken(ctx, "reset-1", account.PurposeResetPassword, t0)
		wantErr(t, err, account.ErrTokenInvalid, "consuming twice")
		_, err = s.PeekEmailToken(ctx, "reset-1", account.PurposeResetPassword, t0)
		wantErr(t, err, account.ErrTokenInvalid, "peeking a consumed token")

		// Of concurrent uses, one wins.
		tok.Hash = "reset-2"
		if err := s.CreateEmailToken(ctx, tok, account.EmailJob{Purpose: tok.Purpose, UserID: u.ID}); err != nil {
			t.Fatal(err)
		}
		errs := make([]error, 4)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() { _, errs[i] = s.ConsumeEmailToken(ctx, "reset-2", account.PurposeResetPassword, t0) })
		}
		wg.Wait()
		oneWins(t, errs, func(err error) bool { return errors.Is(err, account.ErrTokenInvalid) }, "consumption of one token")

		if err := s.EnqueueResetRequest(ctx, account.ResetRequestJob{SealedEmail: "sealed"}); err != nil {
			t.Fatal(err)
		}
		if n := queuedJobs(t, db); n != jobs+3 {
			t.Fatalf("%d jobs queued, want %d (two tokens and a reset request)", n, jobs+3)
		}
	})
}

func TestAccountsMarkEmailVerified(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		s := accountStore(t, db)
		u := mustUser(t, s, "ana@example.test")
		at := t0.Add(time.Hour)
		got, err := s.MarkEmailVerified(ctx, u.ID, at)
		if err != nil || !got.EmailVerified || !got.UpdatedAt.Equal(at) || len(got.Roles) != 1 {
			t.Fatalf("MarkEmailVerified = %+v, %v", got, err)
		}
		// A second time changes nothing: the first verification stands.
		got, err = s.MarkEmailVerified(ctx, u.ID, at.Add(time.Hour))
		if err != nil || !got.EmailVerified || !got.UpdatedAt.Equal(at) {
			t.Fatalf("MarkEmailVerified again = %+v, %v; want updated_at kept at %v", got, err, at)
		}
	})
}

func TestAccountsListUsers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		s := accountStore(t, db)
		list := func(f account.UserFilter) lister {
			return func(limit int, cursor string) ([]string, string, error) {
				f.Limit, f.Cursor = limit, cursor
				p, err := s.ListUsers(ctx, f)
				return keysOf(p.Items, func(u account.User) string { return u.ID }), p.NextCursor, err
			}
		}
		t.Run("empty", func(t *testing.T) { checkPages(t, nil, list(account.UserFilter{})) })

		// Five users a minute apart, and two created at the same instant
		// (ordered by ID, descending).
		for i, name := range []string{"ana", "ben", "cai", "dee", "eve"} {
			u := newUser(name + "@example.test")
			u.CreatedAt = t0.Add(time.Duration(i) * time.Minute)
			if name == "dee" || name == "eve" {
				u.CreatedAt = t0.Add(10 * time.Minute)
			}
			switch name {
			case "cai":
				u.DisplayName, u.Roles = "Cai 100%_Sure", []string{account.RoleUser, account.RoleAdmin}
			case "eve":
				u.DisplayName = "Élodie Ünal"
			}
			mustCreateUser(t, s, u)
		}
		want := []string{"u-eve", "u-dee", "u-cai", "u-ben", "u-ana"}
		t.Run("all", func(t *testing.T) { checkPages(t, want, list(account.UserFilter{})) })
		t.Run("role", func(t *testing.T) {
			checkPages(t, []string{"u-cai"}, list(account.UserFilter{Role: account.RoleAdmin}))
			checkPages(t, want, list(account.UserFilter{Role: account.RoleUser}))
			checkPages(t, nil, list(account.UserFilter{Role: account.RoleEditor}))
		})
		t.Run("query", func(t *testing.T) {
			for q, ids := range map[string][]string{
				"EXAMPLE":      {"u-eve", "u-dee", "u-cai", "u-ben", "u-ana"}, // every email, any case
				"  BEN ":       {"u-ben"},
				"100%":         {"u-cai"},
				"%":            {"u-cai"}, // a literal percent sign, not a wildcard
				"_":            {"u-cai"}, // likewise the underscore
				"nobody-at-al": nil,
				"élodie":       {"u-eve"}, // letters beyond ASCII fold too, on both engines
				"ÜNAL":         {"u-eve"},
			} {
				checkPages(t, ids, list(account.UserFilter{Query: q}))
			}
			checkPages(t, []string{"u-cai"}, list(account.UserFilter{Query: "sure", Role: account.RoleAdmin}))
			checkPages(t, nil, list(account.UserFilter{Query: "ana", Role: account.RoleAdmin}))
		})
		t.Run("roles filled in", func(t *testing.T) {
			p, err := s.ListUsers(ctx, account.UserFilter{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range p.Items {
				wantRoles := []string{"user"}
				if u.ID == "u-cai" {
					wantRoles = []string{"admin", "user"}
				}
				if !slices.Equal(u.Roles, wantRoles) {
					t.Errorf("%s has roles %v, want %v", u.ID, u.Roles, wantRoles)
				}
			}
		})
		t.Run("cursor past the end", func(t *testing.T) {
			p, err := s.ListUsers(ctx, account.UserFilter{Limit: 4})
			if err != nil || p.NextCursor == "" {
				t.Fatalf("%v %v", p, err)
			}
			if err := s.DeleteUser(ctx, "u-ana", auditEntry("del-ana", "", "user.delete", t0)); err != nil {
				t.Fatal(err)
			}
			last, err := s.ListUsers(ctx, account.UserFilter{Limit: 4, Cursor: p.NextCursor})
			if err != nil || len(last.Items) != 0 || last.NextCursor != "" {
				t.Fatalf("the page after the last user: %+v, %v; want empty without a cursor", last, err)
			}
		})
		t.Run("forged cursor", func(t *testing.T) {
			for _, c := range forgedCursors {
				_, err := s.ListUsers(ctx, account.UserFilter{Limit: 2, Cursor: c})
				wantBadCursor(t, err, "ListUsers")
			}
		})
	})
}

func TestAccountsAPIKeys(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		s := accountStore(t, db)
		admin := mustUser(t, s, "admin@example.test")
		expires := t0.Add(24 * time.Hour)
		keys := []account.APIKey{
			{ID: "k1", Name: "ci", Prefix: "yf_k1", Scopes: []string{"content:write", "users:manage"}, CreatedBy: admin.ID, CreatedAt: t0},
			{ID: "k2", Name: "expiring", Prefix: "yf_k2", Scopes: []string{"flags:manage"}, CreatedBy: admin.ID, CreatedAt: t0.Add(time.Minute), ExpiresAt: &expires},
			{ID: "k3", Name: "cli", Prefix: "yf_k3", Scopes: []string{}, CreatedAt: t0.Add(2 * time.Minute)}, // by the command line
		}
		for _, k := range keys {
			if err := s.CreateAPIKey(ctx, k, "hash-"+k.ID, auditEntry("create-"+k.ID, admin.ID, "apikey.create", k.CreatedAt)); err != nil {
				t.Fatal(err)
			}
		}
		if a := auditActions(t, s); len(a) != 3 {
			t.Fatalf("audit after three CreateAPIKey: %v", a)
		}
		if h, err := s.APIKeyHash(ctx, "k2"); err != nil || h != "hash-k2" {
			t.Fatalf("APIKeyHash = %q, %v", h, err)
		}

		list := func(limit int, cursor string) ([]string, string, error) {
			p, err := s.ListAPIKeys(ctx, limit, cursor)
			return keysOf(p.Items, func(k account.APIKey) string { return k.ID }), p.NextCursor, err
		}
		checkPages(t, []string{"k3", "k2", "k1"}, list)
		for _, c := range forgedCursors {
			_, err := s.ListAPIKeys(ctx, 2, c)
			wantBadCursor(t, err, "ListAPIKeys")
		}
		page, _ := s.ListAPIKeys(ctx, 10, "")
		k2 := page.Items[1]
		if k2.Name != "expiring" || k2.Prefix != "yf_k2" || !slices.Equal(k2.Scopes, []string{"flags:manage"}) || k2.CreatedBy != admin.ID ||
			k2.ExpiresAt == nil || !k2.ExpiresAt.Equal(expires) || k2.LastUsedAt != nil || k2.RevokedAt != nil {
			t.Fatalf("ListAPIKeys item = %+v", k2)
		}
		if k3 := page.Items[0]; k3.CreatedBy != "" || len(k3.Scopes) != 0 || k3.ExpiresAt != nil {
			t.Fatalf("a key of the command line = %+v", k3)
		}

		// A principal records its use, at most once a minute.
		p, err := s.APIKeyPrincipal(ctx, "hash-k1", t0.Add(time.Hour))
		if err != nil || p.APIKeyID != "k1" || !slices.Equal(p.Permissions, []string{"content:write", "users:manage"}) || p.ExpiresAt != nil || p.UserID != "" {
			t.Fatalf("APIKeyPrincipal = %+v, %v", p, err)
		}
		lastUsed := func() time.Time {
			t.Helper()
			page, _ := s.ListAPIKeys(ctx, 10, "")
			k := page.Items[2]
			if k.LastUsedAt == nil {
				t.Fatal("k1 has no last use")
			}
			return *k.LastUsedAt
		}
		if got := lastUsed(); !got.Equal(t0.Add(time.Hour)) {
			t.Fatalf("last used %v, want %v", got, t0.Add(time.Hour))
		}
		if _, err := s.APIKeyPrincipal(ctx, "hash-k1", t0.Add(time.Hour+30*time.Second)); err != nil {
			t.Fatal(err)
		}
		if got := lastUsed(); !got.Equal(t0.Add(time.Hour)) {
			t.Fatalf("a use 30s later moved last use to %v", got)
		}
		if _, err := s.APIKeyPrincipal(ctx, "hash-k1", t0.Add(time.Hour+time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got := lastUsed(); !got.Equal(t0.Add(time.Hour + time.Minute)) {
			t.Fatalf("a use a minute later left last use at %v", got)
		}

		// Expiry is exclusive: at the instant, the key is gone.
		if p, err := s.APIKeyPrincipal(ctx, "hash-k2", expires.Add(-time.Second)); err != nil || p.ExpiresAt == nil || !p.ExpiresAt.Equal(expires) {
			t.Fatalf("APIKeyPrincipal before expiry = %+v, %v", p, err)
		}
		_, err = s.APIKeyPrincipal(ctx, "hash-k2", expires)
		wantErr(t, err, account.ErrNotFound, "APIKeyPrincipal at expiry")

		revokedAt := t0.Add(2 * time.Hour)
		k, err := s.RevokeAPIKey(ctx, "k1", revokedAt, auditEntry("revoke-k1", admin.ID, "apikey.revoke", revokedAt))
		if err != nil || k.ID != "k1" || k.RevokedAt == nil || !k.RevokedAt.Equal(revokedAt) {
			t.Fatalf("RevokeAPIKey = %+v, %v", k, err)
		}
		_, err = s.APIKeyPrincipal(ctx, "hash-k1", revokedAt)
		wantErr(t, err, account.ErrNotFound, "APIKeyPrincipal of a revoked key")
		// Revoking again keeps the first time, and is audited again.
		k, err = s.RevokeAPIKey(ctx, "k1", revokedAt.Add(time.Hour), auditEntry("revoke-k1-again", admin.ID, "apikey.revoke", revokedAt))
		if err != nil || !k.RevokedAt.Equal(revokedAt) {
			t.Fatalf("RevokeAPIKey again = %+v, %v", k, err)
		}
		if a := auditActions(t, s); len(a) != 5 {
			t.Fatalf("audit entries %v, want 5", a)
		}
		if h, err := s.APIKeyHash(ctx, "k1"); err != nil || h != "hash-k1" {
			t.Fatalf("APIKeyHash of a revoked key = %q, %v (it stays listed)", h, err)
		}
	})
}

func TestAccountsAudit(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		s := accountStore(t, db)
		list := func(f account.AuditFilter) lister {
			return func(limit int, cursor string) ([]string, string, error) {
				f.Limit, f.Cursor = limit, cursor
				p, err := s.ListAudit(ctx, f)
				return keysOf(p.Items, func(e account.AuditEntry) string { return e.ID }), p.NextCursor, err
			}
		}
		checkPages(t, nil, list(account.AuditFilter{}))

		// Six entries: a-01..a-06 a second apart, but a-05 and a-06 at the same
		// instant; actors alternate, actions in threes.
		all := ids("a", 6)
		for i, id := range all {
			actor := []string{"alice", "bob"}[i%2]
			action := []string{"x.create", "x.delete"}[i/3]
			at := t0.Add(time.Duration(min(i, 4)) * time.Second)
			e := auditEntry(id, actor, action, at)
			if id == "a-01" {
				e.Details = map[string]any{"nested": map[string]any{"roles": []any{"admin"}}, "ok": true}
			}
			if id == "a-02" {
				e.Details = nil
			}
			if err := s.AddAudit(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.AddAudit(ctx, auditEntry("a-01", "alice", "x.create", t0)); err == nil {
			t.Fatal("AddAudit with a used ID succeeded")
		}
		newestFirst := reversed(all)
		checkPages(t, newestFirst, list(account.AuditFilter{}))
		checkPages(t, []string{"a-05", "a-03", "a-01"}, list(account.AuditFilter{ActorID: "alice"}))
		checkPages(t, []string{"a-06", "a-05", "a-04"}, list(account.AuditFilter{Action: "x.delete"}))
		checkPages(t, []string{"a-06", "a-04"}, list(account.AuditFilter{ActorID: "bob", Action: "x.delete"}))
		checkPages(t, nil, list(account.AuditFilter{ActorID: "carol"}))
		for _, c := range forgedCursors {
			_, err := s.ListAudit(ctx, account.AuditFilter{Limit: 2, Cursor: c})
			wantBadCursor(t, err, "ListAudit")
		}

		p, _ := s.ListAudit(ctx, account.AuditFilter{Limit: 10})
		first, second := p.Items[5], p.Items[4]
		if first.ActorID != "alice" || first.TargetType != "test" || first.TargetID != "target-a-01" || first.RequestID != "req-a-01" ||
			!first.At.Equal(t0) || first.At.Location() != time.UTC || fmt.Sprint(first.Details) != "map[nested:map[roles:[admin]] ok:true]" {
			t.Fatalf("an audit entry read back: %+v", first)
		}
		if len(second.Details) != 0 {
			t.Fatalf("an entry without details reads back %v", second.Details)
		}
	})
}

// TestAccountsDeleteUser: a user's data goes with them, in every domain;
// the audit log keeps what happened without who it happened to.
func TestAccountsDeleteUser(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		s := accountStore(t, db)
		var lib library.Store = db.Library()
		var ps practice.Store = db.Practice()
		u := mustUser(t, s, "ana@example.test")
		other := mustUser(t, s, "ben@example.test")
		mustSession(t, s, "s1", u.ID)
		if err := s.CreateEmailToken(ctx, account.EmailToken{Hash: "verify", UserID: u.ID, Purpose: account.PurposeVerifyEmail,
			CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}, account.EmailJob{}); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateAPIKey(ctx, account.APIKey{ID: "k1", Name: "mine", Prefix: "yf", CreatedBy: u.ID, CreatedAt: t0},
			"hash-k1", auditEntry("by-ana", u.ID, "apikey.create", t0)); err != nil {
			t.Fatal(err)
		}
		if err := s.AddAudit(ctx, account.AuditEntry{ID: "about-ana", At: t0, ActorID: other.ID, Action: "user.roles", TargetID: u.ID}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddAudit(ctx, auditEntry("by-ben", other.ID, "x", t0)); err != nil {
			t.Fatal(err)
		}
		pose := mustCreatePose(t, lib, newPose("tree", "Tree", true))
		mustCreateSequence(t, lib, newSequence("mine", "Mine", u.ID), library.NewStep{PoseID: pose.ID, DurationSeconds: 30, Side: "both"})
		mustCreateSequence(t, lib, newSequence("bens", "Ben's", other.ID))
		mustCreateSession(t, ps, newSession("ps1", u.ID, t0, time.UTC, practice.InProgress))
		mustCreateSession(t, ps, newSession("ps2", other.ID, t0, time.UTC, practice.InProgress))
		if _, err := db.Idempotency().Claim(ctx, u.ID, "key", "hash", t0); err != nil {
			t.Fatal(err)
		}

		if export, err := s.Export(ctx, u.ID); err != nil || export.User.ID != u.ID || len(export.Sessions) != 1 ||
			len(export.APIKeys) != 1 || len(export.AuditLog) != 2 {
			t.Fatalf("Export before deletion: %+v, %v", export, err)
		}

		if err := s.DeleteUser(ctx, u.ID, account.AuditEntry{ID: "deleted", At: t0, ActorID: u.ID, Action: "user.delete", TargetID: u.ID}); err != nil {
			t.Fatal(err)
		}
		_, err := s.UserByID(ctx, u.ID)
		wantErr(t, err, account.ErrNotFound, "UserByID after DeleteUser")
		_, err = s.SessionPrincipal(ctx, "s1")
		wantErr(t, err, account.ErrNotFound, "SessionPrincipal after DeleteUser")
		_, err = s.RefreshTokenByHash(ctx, "rt-s1")
		wantErr(t, err, account.ErrNotFound, "RefreshTokenByHash after DeleteUser")
		_, err = s.PeekEmailToken(ctx, "verify", account.PurposeVerifyEmail, t0)
		wantErr(t, err, account.ErrTokenInvalid, "an email token after DeleteUser")
		_, err = lib.Sequence(ctx, "mine")
		wantErr(t, err, library.ErrNotFound, "the user's sequence after DeleteUser")
		if _, err := lib.Sequence(ctx, "bens"); err != nil {
			t.Fatalf("another user's sequence after DeleteUser: %v", err)
		}
		_, err = ps.Session(ctx, u.ID, "ps1")
		wantErr(t, err, practice.ErrNotFound, "the user's practice after DeleteUser")
		if _, err := ps.Session(ctx, other.ID, "ps2"); err != nil {
			t.Fatalf("another user's practice after DeleteUser: %v", err)
		}
		// The key they made stays, without its maker.
		keys, _ := s.ListAPIKeys(ctx, 10, "")
		if len(keys.Items) != 1 || keys.Items[0].CreatedBy != "" {
			t.Fatalf("API keys after their maker's deletion: %+v", keys.Items)
		}

		entries, _ := s.ListAudit(ctx, account.AuditFilter{Limit: 10})
		byID := map[string]account.AuditEntry{}
		for _, e := range entries.Items {
			byID[e.ID] = e
		}
		if e := byID["by-ana"]; e.ActorID != "deleted-user" || e.Action != "apikey.create" {
			t.Errorf("the user's own entry: %+v", e)
		}
		if e := byID["about-ana"]; e.TargetID != "deleted-user" || e.ActorID != other.ID {
			t.Errorf("an entry about the user: %+v", e)
		}
		if e := byID["deleted"]; e.ActorID != "deleted-user" || e.TargetID != "deleted-user" || e.Action != "user.delete" {
			t.Errorf("the deletion's entry: %+v", e)
		}
		if e := byID["by-ben"]; e.ActorID != other.ID {
			t.Errorf("another user's entry: %+v", e)
		}
		if p, _ := s.ListAudit(ctx, account.AuditFilter{ActorID: u.ID, Limit: 10}); len(p.Items) != 0 {
			t.Errorf("entries still name the deleted user: %+v", p.Items)
		}

		// The email (and here the ID) is free for a new account, which
		// inherits none of the old one's idempotency keys.
		mustUser(t, s, "ana@example.test")
		if c, err := db.Idempotency().Claim(ctx, u.ID, "key", "other", t0); err != nil || c.Outcome != idempotency.Claimed {
			t.Fatalf("the user's idempotency key outlived them: %+v, %v", c, err)
		}
	})
}

func TestAccountsExport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		s := accountStore(t, db)
		u := mustUser(t, s, "ana@example.test")
		e, err := s.Export(ctx, u.ID)
		if err != nil || e.User.ID != u.ID || e.Sessions == nil || len(e.Sessions) != 0 || e.APIKeys == nil || len(e.AuditLog) != 0 {
			t.Fatalf("Export of a new user: %+v, %v (empty lists, not nil)", e, err)
		}
		other := mustUser(t, s, "ben@example.test")
		for i, id := range []string{"s2", "s1"} {
			first := account.RefreshToken{Hash: "rt-" + id, SessionID: id, CreatedAt: t0.Add(time.Duration(i) * time.Hour), ExpiresAt: t0.Add(48 * time.Hour)}
			if err := s.CreateSession(ctx, id, u.ID, first); err != nil {
				t.Fatal(err)
			}
		}
		mustSession(t, s, "bens", other.ID)
		for i, id := range []string{"k2", "k1"} {
			if err := s.CreateAPIKey(ctx, account.APIKey{ID: id, Name: id, Prefix: id, CreatedBy: u.ID, CreatedAt: t0.Add(time.Duration(i) * time.Hour)},
				"hash-"+id, auditEntry("create-"+id, u.ID, "apikey.create", t0.Add(time.Duration(i)*time.Hour))); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.CreateAPIKey(ctx, account.APIKey{ID: "k3", Name: "k3", Prefix: "k3", CreatedBy: other.ID, CreatedAt: t0},
			"hash-k3", auditEntry("create-k3", other.ID, "apikey.create", t0)); err != nil {
			t.Fatal(err)
		}
		e, err = s.Export(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := keysOf(e.Sessions, func(s account.SessionInfo) string { return s.ID }); !slices.Equal(got, []string{"s2", "s1"}) {
			t.Errorf("exported sessions %v, want the user's, oldest first", got)
		}
		if got := keysOf(e.APIKeys, func(k account.APIKey) string { return k.ID }); !slices.Equal(got, []string{"k2", "k1"}) {
			t.Errorf("exported keys %v, want the user's, oldest first", got)
		}
		if got := keysOf(e.AuditLog, func(a account.AuditEntry) string { return a.ID }); !slices.Equal(got, []string{"create-k2", "create-k1"}) {
			t.Errorf("exported audit %v, want the user's, oldest first", got)
		}
	})
}
