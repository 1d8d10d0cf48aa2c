package httpapi

import (
	"context"
	"math"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yogaflow/yogaflow/internal/flags"
)

type variantBody struct {
	Name   string `json:"name" pattern:"^[a-z][a-z0-9_]{0,63}$" maxLength:"64" example:"treatment"`
	Weight int    `json:"weight" minimum:"1" maximum:"10000" example:"50" doc:"Relative to the other variants' weights."`
}

type flagBody struct {
	Key            string        `json:"key" example:"new_beginner_sequence"`
	Description    string        `json:"description" example:"Offer the new beginner sequence on the home screen."`
	Enabled        bool          `json:"enabled" example:"true"`
	RolloutPercent int           `json:"rollout_percent" example:"50" doc:"The share of users in the rollout."`
	Variants       []variantBody `json:"variants" doc:"How users in the rollout split; none: the single variant on."`
	DefaultVariant string        `json:"default_variant" example:"off" doc:"What users outside the rollout, anonymous callers, and everyone while the flag is disabled get."`
	Roles          []string      `json:"roles" example:"[\"user\"]" doc:"When set, only users holding one of these roles are in the rollout."`
	CreatedAt      time.Time     `json:"created_at" example:"2026-01-31T07:15:00Z"`
	UpdatedAt      time.Time     `json:"updated_at" example:"2026-01-31T07:15:00Z"`
}

func toFlagBody(f flags.Flag) flagBody {
	return flagBody{Key: f.Key, Description: f.Description, Enabled: f.Enabled, RolloutPercent: f.RolloutPercent,
		Variants:       mapSlice(f.Variants, func(v flags.Variant) variantBody { return variantBody(v) }),
		DefaultVariant: f.DefaultVariant, Roles: f.Roles, CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt}
}

// FlagWrite is a flag as admins write it; fields left out keep their value
// (or, at creation, their default). Exported: huma reads the fields of an
// embedded struct only when it is.
type FlagWrite struct {
	Description    *string       `json:"description,omitempty" maxLength:"500" example:"Offer the new beginner sequence on the home screen."`
	Enabled        *bool         `json:"enabled,omitempty" example:"true" doc:"false when left out at creation."`
	RolloutPercent *int          `json:"rollout_percent,omitempty" minimum:"0" maximum:"100" example:"50" doc:"100 when left out at creation. Raising it only adds users."`
	Variants       []variantBody `json:"variants,omitempty" maxItems:"10" doc:"Replaces every variant when given; names must differ. Changing them reassigns users."`
	DefaultVariant *string       `json:"default_variant,omitempty" pattern:"^[a-z][a-z0-9_]{0,63}$" maxLength:"64" example:"off" doc:"off when left out at creation."`
	Roles          []string      `json:"roles,omitempty" maxItems:"3" enum:"user,editor,admin" example:"[\"user\"]" doc:"Replaces the roles when given; [] for everyone."`
}

func (w FlagWrite) input() flags.Input {
	in := flags.Input{Description: w.Description, Enabled: w.Enabled, RolloutPercent: w.RolloutPercent,
		DefaultVariant: w.DefaultVariant, Roles: w.Roles}
	if w.Variants != nil {
		in.Variants = mapSlice(w.Variants, func(v variantBody) flags.Variant { return flags.Variant(v) })
	}
	return in
}

type (
	createFlagInput struct {
		Body struct {
			Key string `json:"key" pattern:"^[a-z][a-z0-9_]{1,63}$" maxLength:"64" example:"new_beginner_sequence" doc:"Lower-case letters, digits and underscores, starting with a letter; it cannot change."`
			FlagWrite
		}
	}
	flagKeyInput struct {
		Key string `path:"key" maxLength:"64" example:"new_beginner_sequence"`
	}
	updateFlagInput struct {
		Key  string `path:"key" maxLength:"64" example:"new_beginner_sequence"`
		Body FlagWrite
	}
	flagResultsInput struct {
		Key  string `path:"key" maxLength:"64" example:"new_beginner_sequence"`
		From string `query:"from" maxLength:"40" example:"2026-01-01" doc:"Sessions started from: a date (from the start of that day, UTC) or an RFC 3339 timestamp."`
		To   string `query:"to" maxLength:"40" example:"2026-01-31" doc:"Sessions started up to: a date (to the end of that day, UTC) or an RFC 3339 timestamp."`
	}
	flagOutput struct {
		Body flagBody
	}
	featureBody struct {
		Enabled bool   `json:"enabled" example:"true" doc:"Whether I am in the rollout of an enabled flag."`
		Variant string `json:"variant" example:"treatment" doc:"The variant I hold; the flag's default outside the rollout."`
	}
	featuresOutput struct {
		Body struct {
			Flags map[string]featureBody `json:"flags" doc:"Every flag, by key."`
		}
	}
	variantResultBody struct {
		Variant                string  `json:"variant" example:"treatment"`
		Users                  int     `json:"users" example:"120" doc:"Users who started a session while holding the variant."`
		SessionsStarted        int     `json:"sessions_started" example:"340"`
		SessionsCompleted      int     `json:"sessions_completed" example:"289"`
		CompletionRate         float64 `json:"completion_rate" example:"0.85" doc:"Sessions completed over sessions started; 0 with none."`
		PracticeSeconds        int     `json:"practice_seconds" example:"408000" doc:"Active time of every session, as the server's clock has banked it."`
		AverageDurationSeconds int     `json:"average_duration_seconds" example:"1320" doc:"Of completed sessions."`
	}
	flagResultsOutput struct {
		Body struct {
			Key      string              `json:"key" example:"new_beginner_sequence"`
			From     *time.Time          `json:"from" example:"2026-01-01T00:00:00Z" doc:"Null: from the first session."`
			To       *time.Time          `json:"to" example:"2026-02-01T00:00:00Z" doc:"Exclusive. Null: up to now."`
			Variants []variantResultBody `json:"variants" doc:"Each variant of the flag, its default, and any variant it has dropped that sessions held."`
		}
	}
)

type flagHandlers struct {
	svc *flags.Service
}

// flagDocs are the feature flags' pages.
func flagDocs() map[string]huma.Operation {
	return map[string]huma.Operation{
		"features": {Summary: "Every flag, evaluated for me",
			Description: "Signed in: the variant I hold of each flag, the same on every call and every instance while the flag's rollout " +
				"and variants are unchanged. Anonymous: each flag's default.",
			Errors: []int{http.StatusUnauthorized}},
		"list-flags": {Summary: "List flags", Description: "By key."},
		"create-flag": {Summary: "Add a flag", Description: "409 conflict when the key is taken. Every instance evaluates it within a second. Audited.",
			DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict}},
		"get-flag": {Summary: "A flag", Errors: []int{http.StatusNotFound}},
		"update-flag": {Summary: "Change a flag", Description: "Only the fields given change. Every instance evaluates the change within a second. Audited.",
			Errors: []int{http.StatusNotFound}},
		"delete-flag": {Summary: "Remove a flag", Description: "Its recorded exposures go with it. Audited.",
			DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusNotFound}},
		"flag-results": {Summary: "An experiment's results",
			Description: "Per variant, the practice of the sessions started while their user held it (recorded at each start, for every " +
				"enabled flag): users, sessions started and completed, completion rate, practice time and average duration.",
			Errors: []int{http.StatusNotFound}},
	}
}

func (h *flagHandlers) features(ctx context.Context, _ *struct{}) (*featuresOutput, error) {
	var u flags.User
	if p := principalFrom(ctx); p != nil {
		u = flags.User{ID: p.UserID, Roles: p.Roles}
	}
	all, err := h.svc.Evaluate(ctx, u)
	if err != nil {
		return nil, err
	}
	out := &featuresOutput{}
	out.Body.Flags = make(map[string]featureBody, len(all))
	for key, e := range all {
		out.Body.Flags[key] = featureBody(e)
	}
	return out, nil
}

func (h *flagHandlers) list(ctx context.Context, in *ListParams) (*listOutput[flagBody], error) {
	page, err := h.svc.List(ctx, in.Limit, in.Cursor)
	return listOf(page.Items, page.NextCursor, err, toFlagBody)
}

func flagOut(f flags.Flag, err error) (*flagOutput, error) {
	if err != nil {
		return nil, err
	}
	return &flagOutput{Body: toFlagBody(f)}, nil
}

func (h *flagHandlers) create(ctx context.Context, in *createFlagInput) (*flagOutput, error) {
	return flagOut(h.svc.Create(ctx, principalFrom(ctx), in.Body.Key, in.Body.input(), RequestID(ctx)))
}

func (h *flagHandlers) get(ctx context.Context, in *flagKeyInput) (*flagOutput, error) {
	return flagOut(h.svc.Flag(ctx, in.Key))
}

func (h *flagHandlers) update(ctx context.Context, in *updateFlagInput) (*flagOutput, error) {
	return flagOut(h.svc.Update(ctx, principalFrom(ctx), in.Key, in.Body.input(), RequestID(ctx)))
}

func (h *flagHandlers) delete(ctx context.Context, in *flagKeyInput) (*noContent, error) {
	return nil, h.svc.Delete(ctx, principalFrom(ctx), in.Key, RequestID(ctx))
}

func (h *flagHandlers) results(ctx context.Context, in *flagResultsInput) (*flagResultsOutput, error) {
	r, err := h.svc.Results(ctx, in.Key, in.From, in.To)
	if err != nil {
		return nil, err
	}
	out := &flagResultsOutput{}
	out.Body.Key, out.Body.From, out.Body.To = in.Key, r.From, r.To
	out.Body.Variants = mapSlice(r.Variants, func(v flags.VariantResult) variantResultBody {
		b := variantResultBody{Variant: v.Variant, Users: v.Users, SessionsStarted: v.SessionsStarted,
			SessionsCompleted: v.SessionsCompleted, PracticeSeconds: int(v.Practice / time.Second),
			AverageDurationSeconds: int(v.AverageCompleted / time.Second)}
		if v.SessionsStarted > 0 {
			b.CompletionRate = math.Round(float64(v.SessionsCompleted)/float64(v.SessionsStarted)*1000) / 1000
		}
		return b
	})
	return out, nil
}
