package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yogaflow/yogaflow/internal/account"
	"github.com/yogaflow/yogaflow/internal/library"
	"github.com/yogaflow/yogaflow/internal/platform/metrics"
	"github.com/yogaflow/yogaflow/internal/practice"
)

// userBody is a user as the API shows it.
type userBody struct {
	ID            string   `json:"id" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a5b" doc:"The user's ID."`
	Email         string   `json:"email" example:"ana@example.com" doc:"Normalised: trimmed and lower-case."`
	DisplayName   string   `json:"display_name" example:"Ana" doc:"How the user is greeted; may be empty."`
	Timezone      string   `json:"timezone" example:"Europe/Lisbon" doc:"IANA time zone; days and streaks are counted in it."`
	EmailVerified bool     `json:"email_verified" example:"true" doc:"Whether the email address has been confirmed."`
	Roles         []string `json:"roles" example:"[\"user\"]" doc:"Roles held: user, editor, admin."`
	// Practice is how the player guides the user, on every device.
	Practice  practiceSettings `json:"practice_settings"`
	CreatedAt time.Time        `json:"created_at" example:"2026-01-31T07:15:00Z" doc:"When the account was made."`
}

type practiceSettings struct {
	Voice            bool `json:"voice" example:"true" doc:"Spoken guidance: pose names, sides, a count before each change. On for a new account."`
	Chime            bool `json:"chime" example:"false" doc:"A soft chime between poses."`
	BreathPacing     bool `json:"breath_pacing" example:"false" doc:"Inhale and exhale cues at breaths_per_minute."`
	BreathsPerMinute int  `json:"breaths_per_minute" minimum:"3" maximum:"20" example:"6" doc:"The pace of breath cues; 6 for a new account."`
}

// practiceSettingsChange is a PATCH of the settings: what is left out stays.
type practiceSettingsChange struct {
	Voice            *bool `json:"voice,omitempty" example:"true"`
	Chime            *bool `json:"chime,omitempty" example:"true"`
	BreathPacing     *bool `json:"breath_pacing,omitempty" example:"true"`
	BreathsPerMinute *int  `json:"breaths_per_minute,omitempty" minimum:"3" maximum:"20" example:"5"`
}

func toUserBody(u account.User) userBody {
	roles := u.Roles
	if roles == nil {
		roles = []string{}
	}
	return userBody{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, Timezone: u.Timezone,
		EmailVerified: u.EmailVerified, Roles: roles, Practice: practiceSettings(u.Practice), CreatedAt: u.CreatedAt}
}

type userOutput struct {
	Body userBody
}

func userOut(u account.User, err error) (*userOutput, error) {
	if err != nil {
		return nil, err
	}
	return &userOutput{Body: toUserBody(u)}, nil
}

// meOutput is the caller's own account, with what their roles let them do,
// so a client shows its screens by permission rather than by role name.
type meOutput struct {
	Body struct {
		userBody
		Permissions []string `json:"permissions" example:"[\"content:write\"]" doc:"What my roles let me do: content:write, users:manage, flags:manage."`
	}
}

func meOut(ctx context.Context, u account.User, err error) (*meOutput, error) {
	if err != nil {
		return nil, err
	}
	out := &meOutput{}
	out.Body.userBody = toUserBody(u)
	out.Body.Permissions = []string{}
	if p := principalFrom(ctx); p != nil && p.Permissions != nil {
		out.Body.Permissions = p.Permissions
	}
	return out, nil
}

// tokenPair is what a sign-in returns (RFC 6749 §5.1).
type tokenPair struct {
	AccessToken  string `json:"access_token" example:"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl" doc:"A JWT to send as Authorization: Bearer."`
	TokenType    string `json:"token_type" enum:"bearer" example:"bearer" doc:"Always bearer."`
	ExpiresIn    int    `json:"expires_in" example:"900" doc:"Seconds until the access token expires."`
	RefreshToken string `json:"refresh_token" example:"q1Xk0v3g2bS9Yf1hZzJxT7cW4nA8eRmD5uLpK6iOa0E" doc:"Single use: trade it at /auth/refresh for a new pair."`
}

type tokenOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         tokenPair
}

func tokenOut(p account.TokenPair, err error) (*tokenOutput, error) {
	if err != nil {
		return nil, err
	}
	return &tokenOutput{CacheControl: "no-store", Body: tokenPair{
		AccessToken: p.AccessToken, TokenType: "bearer", ExpiresIn: int(p.ExpiresIn / time.Second), RefreshToken: p.RefreshToken,
	}}, nil
}

// Bounds on every string a client sends, so no field can carry megabytes.
type (
	registerInput struct {
		Body struct {
			Email       string `json:"email" maxLength:"254" example:"ana@example.com" doc:"Normalised (trimmed, lower-cased)."`
			Password    string `json:"password" minLength:"8" maxLength:"72" example:"Tadasana-Sunrise-42" doc:"8–72 bytes, with an upper-case letter, a lower-case letter and a digit, and not easily guessed."`
			DisplayName string `json:"display_name,omitempty" maxLength:"100" example:"Ana"`
			Timezone    string `json:"timezone,omitempty" maxLength:"64" example:"Europe/Lisbon" doc:"IANA name; UTC when left out."`
		}
	}
	loginInput struct {
		Body struct {
			Email    string `json:"email" maxLength:"254" example:"ana@example.com"`
			Password string `json:"password" maxLength:"1024" example:"Tadasana-Sunrise-42"`
		}
	}
	refreshInput struct {
		Body struct {
			RefreshToken string `json:"refresh_token" maxLength:"256" example:"q1Xk0v3g2bS9Yf1hZzJxT7cW4nA8eRmD5uLpK6iOa0E"`
		}
	}
	tokenInput struct {
		Body struct {
			Token string `json:"token" maxLength:"256" example:"Wm9vbVpvb21ab29tWm9vbVpvb21ab29tWm9vbVpvb20"`
		}
	}
	emailInput struct {
		Body struct {
			Email string `json:"email" maxLength:"254" example:"ana@example.com"`
		}
	}
	resetConfirmInput struct {
		Body struct {
			Token       string `json:"token" maxLength:"256" example:"Wm9vbVpvb21ab29tWm9vbVpvb21ab29tWm9vbVpvb20"`
			NewPassword string `json:"new_password" minLength:"8" maxLength:"72" example:"Vrksasana-Dawn-77"`
		}
	}
	updateMeInput struct {
		Body struct {
			DisplayName *string                 `json:"display_name,omitempty" maxLength:"100" example:"Ana Sofia"`
			Timezone    *string                 `json:"timezone,omitempty" maxLength:"64" example:"Asia/Tokyo"`
			Practice    *practiceSettingsChange `json:"practice_settings,omitempty" doc:"Only the settings given change."`
		}
	}
	changePasswordInput struct {
		Body struct {
			CurrentPassword string `json:"current_password" maxLength:"1024" example:"Tadasana-Sunrise-42"`
			NewPassword     string `json:"new_password" minLength:"8" maxLength:"72" example:"Vrksasana-Dawn-77"`
		}
	}
	deleteMeInput struct {
		Body struct {
			Password string `json:"password" maxLength:"1024" example:"Tadasana-Sunrise-42"`
		}
	}
	oauthTokenInput struct {
		ContentType string `header:"Content-Type" maxLength:"255"`
		RawBody     []byte `contentType:"application/x-www-form-urlencoded"`
	}
)

// noContent is the output of operations that answer 204 or 202.
type noContent struct{}

type accountHandlers struct {
	svc      *account.Service
	library  *library.Service
	practice *practice.Service
	metrics  *metrics.Metrics
}

// practiceSessions reads all of a user's practice sessions, for the export.
func (h *accountHandlers) practiceSessions(ctx context.Context, userID string) ([]sessionBody, error) {
	out := []sessionBody{}
	now := h.practice.Now()
	f := practice.HistoryFilter{UserID: userID, Limit: 100}
	for {
		page, err := h.practice.History(ctx, f, practice.Bound{}, practice.Bound{})
		if err != nil {
			return nil, err
		}
		for _, s := range page.Items {
			out = append(out, toSessionBody(s, now))
		}
		if f.Cursor = page.NextCursor; f.Cursor == "" {
			return out, nil
		}
	}
}

// accountDocs are the sign-up and sign-in operations' pages.
func accountDocs() map[string]huma.Operation {
	return map[string]huma.Operation{
		"register": {Summary: "Sign up", Description: "Creates an account with the user role and emails a verification link.",
			DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict}},
		"login": {Summary: "Sign in", Description: "Unknown email and wrong password give the same 401 invalid_credentials, in the same time.",
			Errors: []int{http.StatusUnauthorized, http.StatusServiceUnavailable}},
		"oauth-token": oauthTokenOperation(),
		"refresh": {Summary: "Trade a refresh token for a new pair", Description: "Refresh tokens rotate: each works once. Reusing a spent one ends its whole sign-in (401) — " +
			"except within the grace window after its rotation (YOGAFLOW_REFRESH_REUSE_GRACE, 10 s by default), " +
			"when it answers 200 with the same new refresh token and a fresh access token, as long as that new token is unspent: " +
			"two page loads at once spend one token and both stay signed in. After the window, or once the new token has been used, " +
			"a reuse is a copy in other hands and ends the sign-in.",
			Errors: []int{http.StatusUnauthorized}},
		"logout": {Summary: "Sign out", Description: "Ends the sign-in the refresh token belongs to; its access tokens stop working at once. 400 token_invalid for a refresh token that is not the caller's.",
			DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusBadRequest}},
		"verify-email":        {Summary: "Confirm an email address", Description: "With the token from the emailed link; single use. 400 token_invalid or token_expired."},
		"resend-verification": {Summary: "Email a new verification link", DefaultStatus: http.StatusAccepted},
		"request-password-reset": {Summary: "Email a password reset link", Description: "Always 202, whether or not the email has an account.",
			DefaultStatus: http.StatusAccepted},
		"confirm-password-reset": {Summary: "Set a new password with a reset token", Description: "Single use; ends every sign-in of the account. 400 token_invalid or token_expired.",
			DefaultStatus: http.StatusNoContent},
	}
}

// meDocs are the pages of the operations on the caller's own account.
func meDocs() map[string]huma.Operation {
	return map[string]huma.Operation{
		"get-me": {Summary: "My account"},
		"update-me": {Summary: "Change my display name, time zone or practice settings",
			Description: "Fields left out stay as they are, inside practice_settings too. A time zone that is not an IANA name, " +
				"or breaths_per_minute outside 3..20, is a 422 naming the field."},
		"change-password": {Summary: "Change my password", Description: "401 invalid_credentials on a wrong current password. Ends my other sign-ins.",
			DefaultStatus: http.StatusNoContent},
		"export-me": {Summary: "Everything stored about me", Description: "Profile, my sequences, my practice sessions, sign-ins, API keys I made and audit entries about me, as one JSON document."},
		"delete-me": {Summary: "Delete my account and its data", Description: "Needs the password. Audit entries stay, anonymised.",
			DefaultStatus: http.StatusNoContent},
	}
}

func (h *accountHandlers) register(ctx context.Context, in *registerInput) (*userOutput, error) {
	u, err := h.svc.Register(ctx, account.RegisterInput{
		Email: in.Body.Email, Password: in.Body.Password, DisplayName: in.Body.DisplayName, Timezone: in.Body.Timezone,
	})
	if err == nil {
		h.metrics.SignUps.Inc()
	}
	return userOut(u, err)
}

func (h *accountHandlers) login(ctx context.Context, in *loginInput) (*tokenOutput, error) {
	return tokenOut(h.signIn(ctx, in.Body.Email, in.Body.Password))
}

// signIn is a password sign-in, counted by result (refusals for want of a
// hashing slot are neither).
func (h *accountHandlers) signIn(ctx context.Context, email, password string) (account.TokenPair, error) {
	pair, err := h.svc.Login(ctx, email, password)
	switch {
	case err == nil:
		h.metrics.Logins.WithLabelValues("ok").Inc()
	case errors.Is(err, account.ErrInvalidCredentials):
		h.metrics.Logins.WithLabelValues("failed").Inc()
	}
	return pair, err
}

func (h *accountHandlers) refresh(ctx context.Context, in *refreshInput) (*tokenOutput, error) {
	return tokenOut(h.svc.Refresh(ctx, in.Body.RefreshToken))
}

func (h *accountHandlers) logout(ctx context.Context, in *refreshInput) (*noContent, error) {
	return nil, inputTokenError(h.svc.Logout(ctx, principalFrom(ctx), in.Body.RefreshToken))
}

// inputTokenError gives a 400 where a token in the body is a bad input, not
// the caller's credential: emailed tokens, and logout's refresh token (a 401
// there would tell the client its own sign-in had ended).
func inputTokenError(err error) error {
	if errors.Is(err, account.ErrTokenInvalid) || errors.Is(err, account.ErrTokenExpired) {
		p := problemFor(err)
		p.Status, p.Title = http.StatusBadRequest, http.StatusText(http.StatusBadRequest)
		return p
	}
	return err
}

func (h *accountHandlers) verifyEmail(ctx context.Context, in *tokenInput) (*userOutput, error) {
	u, err := h.svc.VerifyEmail(ctx, in.Body.Token)
	return userOut(u, inputTokenError(err))
}

func (h *accountHandlers) resendVerification(ctx context.Context, _ *struct{}) (*noContent, error) {
	return nil, h.svc.ResendVerification(ctx, principalFrom(ctx))
}

func (h *accountHandlers) requestReset(ctx context.Context, in *emailInput) (*noContent, error) {
	return nil, h.svc.RequestPasswordReset(ctx, in.Body.Email)
}

func (h *accountHandlers) confirmReset(ctx context.Context, in *resetConfirmInput) (*noContent, error) {
	return nil, inputTokenError(h.svc.ConfirmPasswordReset(ctx, in.Body.Token, in.Body.NewPassword))
}

func (h *accountHandlers) me(ctx context.Context, _ *struct{}) (*meOutput, error) {
	u, err := h.svc.Me(ctx, principalFrom(ctx))
	return meOut(ctx, u, err)
}

func (h *accountHandlers) updateMe(ctx context.Context, in *updateMeInput) (*meOutput, error) {
	c := account.ProfileChange{DisplayName: in.Body.DisplayName, Timezone: in.Body.Timezone}
	if p := in.Body.Practice; p != nil {
		c.Voice, c.Chime, c.BreathPacing, c.BreathsPerMinute = p.Voice, p.Chime, p.BreathPacing, p.BreathsPerMinute
	}
	u, err := h.svc.UpdateMe(ctx, principalFrom(ctx), c)
	return meOut(ctx, u, err)
}

func (h *accountHandlers) changePassword(ctx context.Context, in *changePasswordInput) (*noContent, error) {
	return nil, h.svc.ChangePassword(ctx, principalFrom(ctx), in.Body.CurrentPassword, in.Body.NewPassword)
}

func (h *accountHandlers) deleteMe(ctx context.Context, in *deleteMeInput) (*noContent, error) {
	return nil, h.svc.DeleteMe(ctx, principalFrom(ctx), in.Body.Password, RequestID(ctx))
}

type exportOutput struct {
	ContentDisposition string `header:"Content-Disposition"`
	Body               exportBody
}

type exportBody struct {
	GeneratedAt time.Time      `json:"generated_at" example:"2026-01-31T07:15:00Z"`
	User        userBody       `json:"user"`
	SignIns     []signInBody   `json:"sign_ins" doc:"Sign-ins (refresh token families), without their tokens."`
	Sessions    []sessionBody  `json:"sessions" doc:"Every practice session, newest first."`
	Sequences   []SequenceBody `json:"sequences" doc:"The user's own sequences."`
	APIKeys     []apiKeyBody   `json:"api_keys" doc:"API keys this user created, without their secrets."`
	AuditLog    []auditBody    `json:"audit_log" doc:"Audit entries where this user is the actor or the target."`
}

type signInBody struct {
	ID        string     `json:"id" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a5c"`
	CreatedAt time.Time  `json:"created_at" example:"2026-01-31T07:15:00Z"`
	RevokedAt *time.Time `json:"revoked_at" example:"2026-02-01T07:15:00Z" doc:"Null while the sign-in lasts."`
}

func (h *accountHandlers) export(ctx context.Context, _ *struct{}) (*exportOutput, error) {
	e, err := h.svc.Export(ctx, principalFrom(ctx))
	if err != nil {
		return nil, err
	}
	out := &exportOutput{ContentDisposition: `attachment; filename="yogaflow-export.json"`, Body: exportBody{
		GeneratedAt: e.Generated, User: toUserBody(e.User), SignIns: []signInBody{},
		APIKeys: mapSlice(e.APIKeys, toAPIKeyBody), AuditLog: mapSlice(e.AuditLog, toAuditBody),
	}}
	for _, s := range e.Sessions {
		out.Body.SignIns = append(out.Body.SignIns, signInBody(s))
	}
	if out.Body.Sessions, err = h.practiceSessions(ctx, e.User.ID); err != nil {
		return nil, err
	}
	out.Body.Sequences = []SequenceBody{}
	f := library.SequenceFilter{Viewer: e.User.ID, Mine: true, Limit: 100}
	for {
		page, err := h.library.ListSequences(ctx, f)
		if err != nil {
			return nil, err
		}
		out.Body.Sequences = append(out.Body.Sequences, mapSlice(page.Items, toSequenceBody)...)
		if f.Cursor = page.NextCursor; f.Cursor == "" {
			return out, nil
		}
	}
}

func mapSlice[T, U any](in []T, f func(T) U) []U {
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// The OAuth2 token endpoint (RFC 6749 §4.3 and §6), form-encoded, so the
// docs page's Authorize button works. Its errors are RFC 6749's, not
// problem documents.
type oauthError struct {
	status      int
	Code        string `json:"error" enum:"invalid_request,invalid_grant,unsupported_grant_type" example:"invalid_grant"`
	Description string `json:"error_description,omitempty" example:"email or password is wrong"`
}

func (e *oauthError) Error() string                { return e.Code }
func (e *oauthError) GetStatus() int               { return e.status }
func (e *oauthError) ContentType(ct string) string { return ct }

// oauthFieldLimits bound the token form's fields as the JSON endpoints
// bound theirs; the form is parsed by hand, so they are checked there too.
var oauthFieldLimits = map[string]int{"username": 254, "password": 1024, "refresh_token": 256}

func oauthTokenOperation() huma.Operation {
	problem := &huma.Response{Description: "An RFC 6749 error.", Content: map[string]*huma.MediaType{
		"application/json": {Schema: &huma.Schema{Type: "object", Properties: map[string]*huma.Schema{
			"error":             {Type: "string", Enum: []any{"invalid_request", "invalid_grant", "unsupported_grant_type"}, Examples: []any{"invalid_grant"}},
			"error_description": {Type: "string", Examples: []any{"email or password is wrong"}},
		}, Required: []string{"error"}}},
	}}
	return huma.Operation{
		Summary:     "OAuth2 token endpoint",
		Description: "grant_type=password (username is the email) or grant_type=refresh_token, form-encoded (RFC 6749). Errors follow RFC 6749 §5.2.",
		RequestBody: &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
			"application/x-www-form-urlencoded": {Schema: &huma.Schema{Type: "object", Properties: map[string]*huma.Schema{
				"grant_type":    {Type: "string", Enum: []any{"password", "refresh_token"}, Examples: []any{"password"}},
				"username":      {Type: "string", MaxLength: new(oauthFieldLimits["username"]), Examples: []any{"ana@example.com"}},
				"password":      {Type: "string", MaxLength: new(oauthFieldLimits["password"]), Examples: []any{"Tadasana-Sunrise-42"}},
				"refresh_token": {Type: "string", MaxLength: new(oauthFieldLimits["refresh_token"]), Examples: []any{"q1Xk0v3g2bS9Yf1hZzJxT7cW4nA8eRmD5uLpK6iOa0E"}},
			}, Required: []string{"grant_type"}}},
		}},
		Responses: map[string]*huma.Response{"400": problem, "401": problem},
		Errors:    []int{http.StatusServiceUnavailable},
	}
}

// registerToken registers the token endpoint. huma describes a raw body as
// binary, and a 400 as a problem only: its form's fields and RFC 6749's
// error are put back.
func (h *accountHandlers) registerToken(api huma.API, op huma.Operation) {
	form := op.RequestBody.Content["application/x-www-form-urlencoded"]
	register(api, op, h.oauthToken)
	doc := documented(api, op)
	doc.RequestBody.Content["application/x-www-form-urlencoded"] = form
	doc.Responses["400"].Content["application/json"] = op.Responses["401"].Content["application/json"]
}

func (h *accountHandlers) oauthToken(ctx context.Context, in *oauthTokenInput) (*tokenOutput, error) {
	if mt, _, _ := strings.Cut(in.ContentType, ";"); !strings.EqualFold(strings.TrimSpace(mt), "application/x-www-form-urlencoded") {
		return nil, newProblem(http.StatusUnsupportedMediaType, "", "Send the form as application/x-www-form-urlencoded.")
	}
	form, err := url.ParseQuery(string(in.RawBody))
	if err != nil {
		return nil, &oauthError{status: http.StatusBadRequest, Code: "invalid_request", Description: "the body is not a valid form"}
	}
	for field, limit := range oauthFieldLimits {
		if len(form.Get(field)) > limit {
			return nil, &oauthError{status: http.StatusBadRequest, Code: "invalid_request",
				Description: fmt.Sprintf("%s is longer than %d bytes", field, limit)}
		}
	}
	var pair account.TokenPair
	switch form.Get("grant_type") {
	case "password":
		pair, err = h.signIn(ctx, form.Get("username"), form.Get("password"))
	case "refresh_token":
		pair, err = h.svc.Refresh(ctx, form.Get("refresh_token"))
	case "":
		return nil, &oauthError{status: http.StatusBadRequest, Code: "invalid_request", Description: "grant_type is required"}
	default:
		return nil, &oauthError{status: http.StatusBadRequest, Code: "unsupported_grant_type", Description: "use password or refresh_token"}
	}
	if errors.Is(err, account.ErrInvalidCredentials) || errors.Is(err, account.ErrTokenInvalid) || errors.Is(err, account.ErrTokenExpired) {
		return nil, &oauthError{status: http.StatusBadRequest, Code: "invalid_grant", Description: err.Error()}
	}
	return tokenOut(pair, err)
}
