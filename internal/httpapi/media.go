package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yogaflow/yogaflow/internal/library"
)

type (
	pictureInput struct {
		Pose        string `path:"pose" maxLength:"100" pattern:"^[a-z0-9]+(-[a-z0-9]+)*$" example:"downward-facing-dog"`
		IfNoneMatch string `header:"If-None-Match" maxLength:"200" doc:"The ETag of a copy you hold: 304 when it is still the picture."`
	}
	pictureOutput struct {
		Status       int
		ContentType  string `header:"Content-Type" example:"image/svg+xml"`
		ETag         string `header:"ETag"`
		CacheControl string `header:"Cache-Control"`
		Body         []byte
	}
)

// picture serves a built-in pose's figure. The pictures are drawn once
// from the figure model and change only with the binary.
func picture(_ context.Context, in *pictureInput) (*pictureOutput, error) {
	p, ok, err := library.BuiltinPicture(in.Pose)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, library.ErrNotFound
	}
	out := &pictureOutput{Status: http.StatusOK, ContentType: "image/svg+xml", ETag: p.ETag, CacheControl: "public, max-age=86400"}
	if in.IfNoneMatch == p.ETag || in.IfNoneMatch == "*" {
		out.Status = http.StatusNotModified
		return out, nil
	}
	out.Body = p.SVG
	return out, nil
}

// mediaDocs is the pose pictures' page.
func mediaDocs() map[string]huma.Operation {
	return map[string]huma.Operation{
		"get-pose-picture": {Summary: "A built-in pose's picture",
			Description: "The figure of a built-in pose, drawn by the service (SVG, 200 × 200, no script, nothing loaded from elsewhere). " +
				"A two-sided pose is drawn on its right side; show it mirrored (e.g. CSS `transform: scaleX(-1)`) for the left. " +
				"Built-in poses point at it with `image_url`. 404 for a pose without a built-in picture.",
			Errors: []int{http.StatusNotFound},
			Responses: map[string]*huma.Response{
				"200": {Description: "The picture.", Content: map[string]*huma.MediaType{"image/svg+xml": {
					Schema:  &huma.Schema{Type: "string"},
					Example: `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" role="img" aria-label="Tree Pose"><title>Tree Pose</title>…</svg>`,
				}}},
				"304": {Description: "The copy named by If-None-Match is still the picture."},
			},
		},
	}
}
