package httpapi

import (
	"github.com/danielgtaylor/huma/v2"

	"github.com/yogaflow/yogaflow/internal/library"
)

// The library's enumerations as request fields: each takes its values
// from the library, so the document and the validation never drift from
// the data.
type (
	category         string
	difficulty       string
	contraindication string
	focusArea        string
	style            string
	side             string
)

func (category) Schema(huma.Registry) *huma.Schema   { return enumSchema(library.Categories) }
func (difficulty) Schema(huma.Registry) *huma.Schema { return enumSchema(library.Difficulties) }
func (contraindication) Schema(huma.Registry) *huma.Schema {
	return enumSchema(library.Contraindications)
}
func (focusArea) Schema(huma.Registry) *huma.Schema { return enumSchema(library.FocusAreas) }
func (style) Schema(huma.Registry) *huma.Schema     { return enumSchema(library.Styles) }
func (side) Schema(huma.Registry) *huma.Schema      { return enumSchema(library.Sides) }

func enumSchema(values []string) *huma.Schema {
	enum := make([]any, len(values))
	for i, v := range values {
		enum[i] = v
	}
	return &huma.Schema{Type: huma.TypeString, Enum: enum}
}

// plain is a list of enumerated values as the library takes them.
func plain[T ~string](values []T) []string {
	if values == nil {
		return nil
	}
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}
