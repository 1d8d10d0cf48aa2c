package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yogaflow/yogaflow/internal/account"
)

// ListParams are the paging parameters of every list (API.md: default 20,
// at most 100, opaque keyset cursor). Exported: huma reads the fields of an
// embedded struct only when it is.
type ListParams struct {
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"20" example:"20" doc:"Items per page, 1 to 100."`
	Cursor string `query:"cursor" maxLength:"512" example:"MTc2OTg0MzcwMDAwMDAwMHwwMTk0MmY3Yw" doc:"next_cursor of the previous page."`
}

type listOutput[T any] struct {
	Body struct {
		Items      []T     `json:"items" doc:"This page's items."`
		NextCursor *string `json:"next_cursor" example:"MTc2OTg0MzcwMDAwMDAwMHwwMTk0MmY3Yw" doc:"Pass as cursor for the next page; null on the last page."`
	}
}

// listOf makes a list response of one page of any domain's items.
func listOf[T, U any](items []T, next string, err error, f func(T) U) (*listOutput[U], error) {
	if err != nil {
		return nil, err
	}
	out := &listOutput[U]{}
	out.Body.Items = mapSlice(items, f)
	if next != "" {
		out.Body.NextCursor = &next
	}
	return out, nil
}

type apiKeyBody struct {
	ID         string     `json:"id" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a5d"`
	Name       string     `json:"name" example:"nightly export"`
	Prefix     string     `json:"prefix" example:"yf_Ab3dE9xQ" doc:"The start of the key, to recognise it by."`
	Scopes     []string   `json:"scopes" example:"[\"content:write\"]" doc:"Permissions the key holds."`
	CreatedBy  string     `json:"created_by,omitempty" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a5b" doc:"The user who made it; empty when made on the command line."`
	CreatedAt  time.Time  `json:"created_at" example:"2026-01-31T07:15:00Z"`
	ExpiresAt  *time.Time `json:"expires_at" example:"2027-01-31T00:00:00Z" doc:"Null: never expires."`
	LastUsedAt *time.Time `json:"last_used_at" example:"2026-02-01T09:00:00Z" doc:"To the minute; null if never used."`
	RevokedAt  *time.Time `json:"revoked_at" example:"2026-03-01T00:00:00Z" doc:"Null while the key works."`
}

func toAPIKeyBody(k account.APIKey) apiKeyBody {
	return apiKeyBody{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Scopes: k.Scopes, CreatedBy: k.CreatedBy,
		CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt, LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt}
}

type newAPIKeyBody struct {
	apiKeyBody
	Key string `json:"key" example:"yf_Ab3dE9xQ7Lm2Pq8Rs4Tu6Vw0Xy1Za5Bc7De9Fg2Hi" doc:"The key itself. Shown this once: only its hash is kept."`
}

type auditBody struct {
	ID         string         `json:"id" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a5e"`
	At         time.Time      `json:"at" example:"2026-01-31T07:15:00Z"`
	Actor      string         `json:"actor" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a5b" doc:"User ID, apikey:ID, deleted-user, or empty for the command line."`
	Action     string         `json:"action" example:"user.roles.set"`
	TargetType string         `json:"target_type" example:"user"`
	TargetID   string         `json:"target_id" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a5f"`
	RequestID  string         `json:"request_id" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a60"`
	Details    map[string]any `json:"details" example:"{\"roles\":[\"editor\",\"user\"]}"`
}

func toAuditBody(e account.AuditEntry) auditBody {
	details := e.Details
	if details == nil {
		details = map[string]any{}
	}
	return auditBody{ID: e.ID, At: e.At, Actor: e.ActorID, Action: e.Action, TargetType: e.TargetType,
		TargetID: e.TargetID, RequestID: e.RequestID, Details: details}
}

type (
	listUsersInput struct {
		ListParams
		Query string `query:"q" maxLength:"100" example:"ana" doc:"Part of the email or display name."`
		Role  string `query:"role" enum:"user,editor,admin" example:"editor"`
	}
	setRolesInput struct {
		ID   string `path:"id" maxLength:"64" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a5b"`
		Body struct {
			Roles []string `json:"roles" minItems:"1" maxItems:"3" uniqueItems:"true" maxLength:"32" example:"[\"user\",\"editor\"]" doc:"Replaces every role held: user, editor (content:write), admin (everything)."`
		}
	}
	createAPIKeyInput struct {
		Body struct {
			Name      string     `json:"name" minLength:"1" maxLength:"100" example:"nightly export"`
			Scopes    []string   `json:"scopes" minItems:"1" maxItems:"16" maxLength:"64" example:"[\"content:write\"]" doc:"Permissions: content:write, users:manage, flags:manage."`
			ExpiresAt *time.Time `json:"expires_at,omitempty" example:"2027-01-31T00:00:00Z"`
		}
	}
	apiKeyIDInput struct {
		ID string `path:"id" maxLength:"64" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a5d"`
	}
	listAuditInput struct {
		ListParams
		Actor  string `query:"actor" maxLength:"100" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a5b" doc:"A user ID or apikey:ID."`
		Action string `query:"action" maxLength:"100" example:"user.roles.set"`
	}
	newAPIKeyOutput struct {
		CacheControl string `header:"Cache-Control"`
		Body         newAPIKeyBody
	}
)

// adminDocs are the pages of the operations on people, roles and API keys.
func adminDocs() map[string]huma.Operation {
	return map[string]huma.Operation{
		"list-users": {Summary: "List accounts", Description: "Newest first."},
		"set-roles": {Summary: "Set a user's roles", Description: "Takes effect on the user's very next request. Audited.",
			Errors: []int{http.StatusNotFound}},
		"create-api-key": {Summary: "Make an API key", Description: "The key is in this response only; it is stored as a hash. Audited.",
			DefaultStatus: http.StatusCreated},
		"list-api-keys": {Summary: "List API keys", Description: "Newest first, revoked ones included."},
		"revoke-api-key": {Summary: "Revoke an API key", Description: "Takes effect at once. Audited.",
			DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusNotFound}},
		"list-audit-log": {Summary: "Read the audit log", Description: "Every admin write, role change, API key change and account deletion, newest first."},
	}
}

func (h *accountHandlers) listUsers(ctx context.Context, in *listUsersInput) (*listOutput[userBody], error) {
	page, err := h.svc.ListUsers(ctx, account.UserFilter{Query: in.Query, Role: in.Role, Limit: in.Limit, Cursor: in.Cursor})
	return listOf(page.Items, page.NextCursor, err, toUserBody)
}

func (h *accountHandlers) setRoles(ctx context.Context, in *setRolesInput) (*userOutput, error) {
	return userOut(h.svc.SetRoles(ctx, principalFrom(ctx), in.ID, in.Body.Roles, RequestID(ctx)))
}

func (h *accountHandlers) createAPIKey(ctx context.Context, in *createAPIKeyInput) (*newAPIKeyOutput, error) {
	k, secret, err := h.svc.CreateAPIKey(ctx, principalFrom(ctx), in.Body.Name, in.Body.Scopes, in.Body.ExpiresAt, RequestID(ctx))
	if err != nil {
		return nil, err
	}
	return &newAPIKeyOutput{CacheControl: "no-store", Body: newAPIKeyBody{apiKeyBody: toAPIKeyBody(k), Key: secret}}, nil
}

func (h *accountHandlers) listAPIKeys(ctx context.Context, in *ListParams) (*listOutput[apiKeyBody], error) {
	page, err := h.svc.ListAPIKeys(ctx, in.Limit, in.Cursor)
	return listOf(page.Items, page.NextCursor, err, toAPIKeyBody)
}

func (h *accountHandlers) revokeAPIKey(ctx context.Context, in *apiKeyIDInput) (*noContent, error) {
	return nil, h.svc.RevokeAPIKey(ctx, principalFrom(ctx), in.ID, RequestID(ctx))
}

func (h *accountHandlers) listAudit(ctx context.Context, in *listAuditInput) (*listOutput[auditBody], error) {
	page, err := h.svc.ListAudit(ctx, account.AuditFilter{ActorID: in.Actor, Action: in.Action, Limit: in.Limit, Cursor: in.Cursor})
	return listOf(page.Items, page.NextCursor, err, toAuditBody)
}
