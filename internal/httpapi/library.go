package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yogaflow/yogaflow/internal/library"
)

// PermContentWrite lets editors change the pose library and the presets.
const PermContentWrite = "content:write"

type poseBody struct {
	ID                 string    `json:"id" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a61"`
	Slug               string    `json:"slug" example:"downward-facing-dog"`
	EnglishName        string    `json:"english_name" example:"Downward-Facing Dog"`
	SanskritName       string    `json:"sanskrit_name" example:"Adho Mukha Śvānāsana" doc:"In IAST."`
	Category           string    `json:"category" example:"inversion"`
	Difficulty         string    `json:"difficulty" example:"beginner"`
	Description        string    `json:"description" example:"An inverted V that lengthens the back of the body."`
	Instructions       []string  `json:"instructions" example:"[\"Start on hands and knees.\",\"Lift your hips up and back.\"]" doc:"Steps, in order."`
	Benefits           []string  `json:"benefits" example:"[\"Stretches the hamstrings and calves\"]"`
	Contraindications  []string  `json:"contraindications" example:"[\"wrist_injury\",\"high_blood_pressure\"]" doc:"Tags of conditions for which the pose is not advised."`
	TwoSided           bool      `json:"two_sided" example:"false" doc:"Whether the pose is held on each side."`
	DefaultHoldSeconds int       `json:"default_hold_seconds" example:"45"`
	ImageURL           *string   `json:"image_url" example:"/media/poses/downward-facing-dog.svg" doc:"A picture of the pose. Built-in poses point at their figure served by this service, /media/poses/{slug}.svg, drawn on the right side of a two-sided pose: mirror it for the left. Null when there is no picture."`
	CreatedAt          time.Time `json:"created_at" example:"2026-01-31T07:15:00Z"`
	UpdatedAt          time.Time `json:"updated_at" example:"2026-01-31T07:15:00Z"`
}

func toPoseBody(p library.Pose) poseBody {
	return poseBody{ID: p.ID, Slug: p.Slug, EnglishName: p.EnglishName, SanskritName: p.SanskritName, Category: p.Category,
		Difficulty: p.Difficulty, Description: p.Description, Instructions: p.Instructions, Benefits: p.Benefits,
		Contraindications: p.Contraindications, TwoSided: p.TwoSided, DefaultHoldSeconds: p.DefaultHoldSeconds,
		ImageURL: p.ImageURL, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

type poseRefBody struct {
	ID           string  `json:"id" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a61"`
	Slug         string  `json:"slug" example:"downward-facing-dog"`
	EnglishName  string  `json:"english_name" example:"Downward-Facing Dog"`
	SanskritName string  `json:"sanskrit_name" example:"Adho Mukha Śvānāsana"`
	ImageURL     *string `json:"image_url" example:"/media/poses/downward-facing-dog.svg" doc:"As on the pose: mirror it for a left-side step."`
	TwoSided     bool    `json:"two_sided" example:"false" doc:"Held on each side in turn: a both step of it is held its duration on each side."`
}

type stepBody struct {
	Position        int         `json:"position" example:"1" doc:"1-based order in the sequence."`
	Pose            poseRefBody `json:"pose"`
	DurationSeconds int         `json:"duration_seconds" example:"45" doc:"Per side: on a two-sided pose, a both step is held this long on each side."`
	Side            side        `json:"side" example:"both"`
	Cue             *string     `json:"cue,omitempty" example:"Press the floor away; let the head hang."`
}

type SequenceBody struct {
	ID                   string     `json:"id" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a62"`
	Slug                 string     `json:"slug" example:"gentle-morning-flow"`
	Name                 string     `json:"name" example:"Gentle Morning Flow"`
	Description          string     `json:"description" example:"Wake the spine and hips in fifteen unhurried minutes."`
	Difficulty           string     `json:"difficulty" example:"beginner"`
	Style                string     `json:"style" example:"gentle"`
	FocusArea            string     `json:"focus_area" example:"energy"`
	IsPreset             bool       `json:"is_preset" example:"true" doc:"Curated by editors; false for a user's own."`
	OwnerID              *string    `json:"owner_id" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a5b" doc:"Null for presets."`
	TotalDurationSeconds int        `json:"total_duration_seconds" example:"900" doc:"Derived: a both step of a two-sided pose is held on each side and counts twice."`
	Contraindications    []string   `json:"contraindications" example:"[\"wrist_injury\"]" doc:"The union of its poses' tags."`
	Steps                []stepBody `json:"steps"`
	CreatedAt            time.Time  `json:"created_at" example:"2026-01-31T07:15:00Z"`
	UpdatedAt            time.Time  `json:"updated_at" example:"2026-01-31T07:15:00Z"`
}

func toSequenceBody(q library.Sequence) SequenceBody {
	steps := make([]stepBody, len(q.Steps))
	for i, st := range q.Steps {
		steps[i] = stepBody{Position: st.Position, DurationSeconds: st.DurationSeconds, Side: side(st.Side), Cue: st.Cue,
			Pose: poseRefBody(st.Pose)}
	}
	return SequenceBody{ID: q.ID, Slug: q.Slug, Name: q.Name, Description: q.Description, Difficulty: q.Difficulty,
		Style: q.Style, FocusArea: q.FocusArea, IsPreset: q.IsPreset(), OwnerID: q.OwnerID,
		TotalDurationSeconds: q.TotalDurationSeconds, Contraindications: q.Contraindications, Steps: steps,
		CreatedAt: q.CreatedAt, UpdatedAt: q.UpdatedAt}
}

type (
	listPosesInput struct {
		ListParams
		Category   category           `query:"category" example:"standing"`
		Difficulty difficulty         `query:"difficulty" example:"beginner"`
		Avoid      []contraindication `query:"avoid" maxItems:"12" example:"knee_injury,pregnancy" doc:"Comma-separated contraindication tags: poses carrying any of them are left out."`
		Query      string             `query:"q" maxLength:"100" example:"adho mukha" doc:"Part of the English or Sanskrit name; case and diacritics are ignored, and so is one typo in a word of five letters or more. Results come best match first: the whole name, then the start of a name, the start of a word, anywhere in a name, and last the words found in another order or with a typo; ties by English name."`
	}
	listSequencesInput struct {
		ListParams
		Difficulty  difficulty         `query:"difficulty" example:"beginner"`
		FocusArea   focusArea          `query:"focus_area" example:"hips"`
		Style       style              `query:"style" example:"yin"`
		Preset      string             `query:"preset" enum:"true,false" example:"true" doc:"true: presets only; false: my own only (needs a token)."`
		Mine        bool               `query:"mine" example:"false" doc:"My own sequences only; needs a token."`
		Avoid       []contraindication `query:"avoid" maxItems:"12" example:"pregnancy" doc:"Comma-separated tags: sequences holding a pose with any of them are left out."`
		MaxDuration int                `query:"max_duration" minimum:"1" maximum:"86400" example:"1200" doc:"Longest total_duration_seconds."`
	}
	poseRefInput struct {
		Pose string `path:"pose" maxLength:"100" example:"downward-facing-dog" doc:"The pose's ID or slug."`
	}
	sequenceRefInput struct {
		Sequence string `path:"sequence" maxLength:"100" example:"gentle-morning-flow" doc:"The sequence's ID or slug."`
	}
	poseWrite struct {
		Slug               *string            `json:"slug,omitempty" maxLength:"100" example:"downward-facing-dog" doc:"Made from the English name when left out."`
		EnglishName        *string            `json:"english_name,omitempty" minLength:"1" maxLength:"100" example:"Downward-Facing Dog"`
		SanskritName       *string            `json:"sanskrit_name,omitempty" maxLength:"100" example:"Adho Mukha Śvānāsana"`
		Category           *category          `json:"category,omitempty" example:"inversion"`
		Difficulty         *difficulty        `json:"difficulty,omitempty" example:"beginner"`
		Description        *string            `json:"description,omitempty" maxLength:"2000" example:"An inverted V that lengthens the back of the body."`
		Instructions       []string           `json:"instructions,omitempty" maxItems:"30" maxLength:"1000" example:"[\"Start on hands and knees.\",\"Lift your hips up and back.\"]"`
		Benefits           []string           `json:"benefits,omitempty" maxItems:"20" maxLength:"500" example:"[\"Stretches the hamstrings and calves\"]"`
		Contraindications  []contraindication `json:"contraindications,omitempty" maxItems:"12" example:"[\"wrist_injury\"]"`
		TwoSided           *bool              `json:"two_sided,omitempty" example:"false"`
		DefaultHoldSeconds *int               `json:"default_hold_seconds,omitempty" minimum:"1" maximum:"3600" example:"45"`
		ImageURL           *string            `json:"image_url,omitempty" maxLength:"500" format:"uri-reference" example:"https://cdn.example.com/poses/downward-facing-dog.jpg" doc:"A path on this site under /media/ or an https:// address; empty clears it. Anything else is 422."`
	}
	createPoseInput struct {
		Body poseWrite
	}
	updatePoseInput struct {
		Pose string `path:"pose" maxLength:"100" example:"downward-facing-dog"`
		Body poseWrite
	}
	stepWrite struct {
		PoseID          string  `json:"pose_id,omitempty" maxLength:"100" example:"downward-facing-dog" doc:"The pose's ID (or slug)."`
		PoseSlug        string  `json:"pose_slug,omitempty" maxLength:"100" example:"downward-facing-dog" doc:"Or the pose's slug."`
		DurationSeconds int     `json:"duration_seconds" minimum:"1" maximum:"3600" example:"45" doc:"Per side."`
		Side            side    `json:"side,omitempty" example:"both" doc:"both when left out."`
		Cue             *string `json:"cue,omitempty" maxLength:"300" example:"Press the floor away."`
	}
	sequenceWrite struct {
		Slug        *string     `json:"slug,omitempty" maxLength:"100" example:"gentle-morning-flow" doc:"Presets only; made from the name when left out."`
		Name        *string     `json:"name,omitempty" minLength:"1" maxLength:"100" example:"Gentle Morning Flow"`
		Description *string     `json:"description,omitempty" maxLength:"2000" example:"Wake the spine and hips in fifteen unhurried minutes."`
		Difficulty  *difficulty `json:"difficulty,omitempty" example:"beginner"`
		Style       *style      `json:"style,omitempty" example:"gentle"`
		FocusArea   *focusArea  `json:"focus_area,omitempty" example:"energy"`
		Steps       []stepWrite `json:"steps,omitempty" maxItems:"100" doc:"Replaces every step when given."`
	}
	createSequenceInput struct {
		Body sequenceWrite
	}
	updateSequenceInput struct {
		Sequence string `path:"sequence" maxLength:"100" example:"gentle-morning-flow"`
		Body     sequenceWrite
	}
	generateWrite struct {
		Minutes    int                `json:"minutes" minimum:"5" maximum:"90" example:"30" doc:"How long the practice lasts, final rest included; the total is this exactly, give or take five seconds."`
		Difficulty difficulty         `json:"difficulty" example:"beginner" doc:"No pose above it."`
		FocusArea  focusArea          `json:"focus_area,omitempty" example:"hips" doc:"What the peak works on; full_body when left out."`
		Style      style              `json:"style,omitempty" example:"hatha" doc:"How long poses are held; when left out, the focus's own (gentle for relaxation, restorative for sleep, vinyasa for energy, else hatha)."`
		Avoid      []contraindication `json:"avoid,omitempty" maxItems:"12" example:"[\"knee_injury\"]" doc:"No pose carrying any of these tags."`
		Seed       *int64             `json:"seed,omitempty" minimum:"0" maximum:"9007199254740991" example:"42" doc:"The same seed and input over the same library give the same practice; drawn at random when left out and returned either way."`
	}
	generateSequenceInput struct {
		Save string `query:"save" enum:"true,false" default:"true" example:"false" doc:"false: answer 200 with a preview that is not stored (its id and slug are empty); save it by posting its steps to /sequences."`
		Body generateWrite
	}
	generatedBody struct {
		SequenceBody
		Seed int64 `json:"seed" example:"42" doc:"Makes this practice again."`
	}
	generatedOutput struct {
		Status int
		Body   generatedBody
	}
	poseOutput struct {
		Body poseBody
	}
	sequenceOutput struct {
		Body SequenceBody
	}
)

func (w poseWrite) input() library.PoseInput {
	return library.PoseInput{Slug: w.Slug, EnglishName: w.EnglishName, SanskritName: w.SanskritName, Category: (*string)(w.Category),
		Difficulty: (*string)(w.Difficulty), Description: w.Description, Instructions: w.Instructions, Benefits: w.Benefits,
		Contraindications: plain(w.Contraindications), TwoSided: w.TwoSided, DefaultHoldSeconds: w.DefaultHoldSeconds, ImageURL: w.ImageURL}
}

func (w sequenceWrite) input() library.SequenceInput {
	in := library.SequenceInput{Slug: w.Slug, Name: w.Name, Description: w.Description, Difficulty: (*string)(w.Difficulty),
		Style: (*string)(w.Style), FocusArea: (*string)(w.FocusArea)}
	if w.Steps != nil {
		in.Steps = make([]library.StepInput, len(w.Steps))
		for i, st := range w.Steps {
			ref := st.PoseID
			if ref == "" {
				ref = st.PoseSlug
			}
			in.Steps[i] = library.StepInput{Pose: ref, DurationSeconds: st.DurationSeconds, Side: string(st.Side), Cue: st.Cue}
		}
	}
	return in
}

type libraryHandlers struct {
	svc *library.Service
}

// poseDocs are the pose library's pages.
func poseDocs() map[string]huma.Operation {
	return map[string]huma.Operation{
		"list-poses": {Summary: "Browse the pose library", Description: "By English name, or best match first with q. Filters combine with AND."},
		"get-pose":   {Summary: "A pose", Errors: []int{http.StatusNotFound}},
		"create-pose": {MaxBodyBytes: MaxBodyBytes, Summary: "Add a pose", Description: "Audited.",
			DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict}},
		"update-pose": {MaxBodyBytes: MaxBodyBytes, Summary: "Change a pose", Description: "Only the fields given change. Audited.",
			Errors: []int{http.StatusNotFound, http.StatusConflict}},
		"delete-pose": {Summary: "Remove a pose", Description: "409 conflict while a sequence uses it. Audited.", DefaultStatus: http.StatusNoContent,
			Errors: []int{http.StatusNotFound, http.StatusConflict}},
	}
}

// sequenceDocs are the pages of the sequences, presets and the user's own.
func sequenceDocs() map[string]huma.Operation {
	return map[string]huma.Operation{
		"list-sequences": {Summary: "Browse sequences",
			Description: "Presets for everyone; a signed-in caller also sees their own. By name. Filters combine with AND.",
			Errors:      []int{http.StatusUnauthorized}},
		"get-sequence": {Summary: "A sequence with its steps", Description: "Another user's sequence is a 404.", Errors: []int{http.StatusNotFound}},
		"create-sequence": {MaxBodyBytes: MaxBodyBytes, Summary: "Compose my own sequence",
			Description:   "Steps name poses by ID or slug; an unknown pose is a 422 naming the step.",
			DefaultStatus: http.StatusCreated},
		"generate-sequence": {MaxBodyBytes: MaxBodyBytes, Summary: "Make me a practice",
			Description: "Builds a new practice from the library: centring, standing and balancing poses, a peak for the focus, a cool-down " +
				"and a final rest. No pose is above the difficulty or carries a tag of avoid; a counterpose follows every backbend and " +
				"inversion; two-sided poses are held on both sides. 201 with one of my own sequences, or 200 with a preview when " +
				"save=false. 422 when a field is out of range or when avoid leaves no resting pose to end with.",
			DefaultStatus: http.StatusCreated,
			Responses: map[string]*huma.Response{"200": {Description: "A preview (save=false), not stored: its id and slug are empty.",
				Content: map[string]*huma.MediaType{"application/json": {Schema: &huma.Schema{Ref: "#/components/schemas/GeneratedBody"}}}}}},
		"update-sequence": {MaxBodyBytes: MaxBodyBytes, Summary: "Change my sequence",
			Description: "Only the fields given change; steps, when given, replace them all.", Errors: []int{http.StatusNotFound}},
		"delete-sequence": {Summary: "Delete my sequence", DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusNotFound}},
		"create-preset": {MaxBodyBytes: MaxBodyBytes, Summary: "Add a preset sequence", Description: "Audited.",
			DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict}},
		"update-preset": {MaxBodyBytes: MaxBodyBytes, Summary: "Change a preset sequence", Description: "Audited.",
			Errors: []int{http.StatusNotFound, http.StatusConflict}},
		"delete-preset": {Summary: "Remove a preset sequence", Description: "Audited.", DefaultStatus: http.StatusNoContent,
			Errors: []int{http.StatusNotFound}},
	}
}

func editor(ctx context.Context) library.Editor {
	return library.Editor{Actor: principalFrom(ctx), RequestID: RequestID(ctx)}
}

// viewer is the signed-in user's ID, or "".
func viewer(ctx context.Context) string {
	if p := principalFrom(ctx); p != nil {
		return p.UserID
	}
	return ""
}

func (h *libraryHandlers) listPoses(ctx context.Context, in *listPosesInput) (*listOutput[poseBody], error) {
	page, err := h.svc.ListPoses(ctx, library.PoseFilter{Category: string(in.Category), Difficulty: string(in.Difficulty), Avoid: plain(in.Avoid),
		Query: in.Query, Limit: in.Limit, Cursor: in.Cursor})
	return listOf(page.Items, page.NextCursor, err, toPoseBody)
}

func (h *libraryHandlers) getPose(ctx context.Context, in *poseRefInput) (*poseOutput, error) {
	return poseOut(h.svc.Pose(ctx, in.Pose))
}

func poseOut(p library.Pose, err error) (*poseOutput, error) {
	if err != nil {
		return nil, err
	}
	return &poseOutput{Body: toPoseBody(p)}, nil
}

func sequenceOut(q library.Sequence, err error) (*sequenceOutput, error) {
	if err != nil {
		return nil, err
	}
	return &sequenceOutput{Body: toSequenceBody(q)}, nil
}

func (h *libraryHandlers) createPose(ctx context.Context, in *createPoseInput) (*poseOutput, error) {
	return poseOut(h.svc.CreatePose(ctx, editor(ctx), in.Body.input()))
}

func (h *libraryHandlers) updatePose(ctx context.Context, in *updatePoseInput) (*poseOutput, error) {
	return poseOut(h.svc.UpdatePose(ctx, editor(ctx), in.Pose, in.Body.input()))
}

func (h *libraryHandlers) deletePose(ctx context.Context, in *poseRefInput) (*noContent, error) {
	return nil, h.svc.DeletePose(ctx, editor(ctx), in.Pose)
}

func (h *libraryHandlers) listSequences(ctx context.Context, in *listSequencesInput) (*listOutput[SequenceBody], error) {
	f := library.SequenceFilter{Viewer: viewer(ctx), Difficulty: string(in.Difficulty), Style: string(in.Style),
		FocusArea: string(in.FocusArea), Mine: in.Mine, Avoid: plain(in.Avoid), MaxDuration: in.MaxDuration, Limit: in.Limit, Cursor: in.Cursor}
	if in.Preset != "" {
		preset := in.Preset == "true"
		f.Preset = &preset
	}
	page, err := h.svc.ListSequences(ctx, f)
	return listOf(page.Items, page.NextCursor, err, toSequenceBody)
}

func (h *libraryHandlers) getSequence(ctx context.Context, in *sequenceRefInput) (*sequenceOutput, error) {
	return sequenceOut(h.svc.Sequence(ctx, viewer(ctx), in.Sequence))
}

func (h *libraryHandlers) createSequence(ctx context.Context, in *createSequenceInput) (*sequenceOutput, error) {
	return sequenceOut(h.svc.CreateSequence(ctx, viewer(ctx), in.Body.input()))
}

func (h *libraryHandlers) generateSequence(ctx context.Context, in *generateSequenceInput) (*generatedOutput, error) {
	b := in.Body
	gen, err := h.svc.GenerateSequence(ctx, viewer(ctx), library.GenerateInput{Minutes: b.Minutes, Difficulty: string(b.Difficulty),
		FocusArea: string(b.FocusArea), Style: string(b.Style), Avoid: plain(b.Avoid), Seed: b.Seed}, in.Save != "false")
	if err != nil {
		return nil, err
	}
	status := http.StatusCreated
	if in.Save == "false" {
		status = http.StatusOK
	}
	return &generatedOutput{Status: status, Body: generatedBody{SequenceBody: toSequenceBody(gen.Sequence), Seed: gen.Seed}}, nil
}

func (h *libraryHandlers) updateSequence(ctx context.Context, in *updateSequenceInput) (*sequenceOutput, error) {
	return sequenceOut(h.svc.UpdateSequence(ctx, viewer(ctx), in.Sequence, in.Body.input()))
}

func (h *libraryHandlers) deleteSequence(ctx context.Context, in *sequenceRefInput) (*noContent, error) {
	return nil, h.svc.DeleteSequence(ctx, viewer(ctx), in.Sequence)
}

func (h *libraryHandlers) createPreset(ctx context.Context, in *createSequenceInput) (*sequenceOutput, error) {
	return sequenceOut(h.svc.CreatePreset(ctx, editor(ctx), in.Body.input()))
}

func (h *libraryHandlers) updatePreset(ctx context.Context, in *updateSequenceInput) (*sequenceOutput, error) {
	return sequenceOut(h.svc.UpdatePreset(ctx, editor(ctx), in.Sequence, in.Body.input()))
}

func (h *libraryHandlers) deletePreset(ctx context.Context, in *sequenceRefInput) (*noContent, error) {
	return nil, h.svc.DeletePreset(ctx, editor(ctx), in.Sequence)
}
