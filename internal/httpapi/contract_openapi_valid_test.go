package httpapi_test

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/yogaflow/yogaflow/internal/apptest"
	"github.com/yogaflow/yogaflow/internal/platform/testdb"
)

// The schemas the document is checked against, by $id; the files are in
// testdata/openapi-3.1, whose README.md says where they came from.
const (
	// officialSchemaID is the OAI's schema, verbatim: the document's
	// structure, any Schema Object accepted.
	officialSchemaID = "https://spec.openapis.org/oas/3.1/schema/2025-11-23"
	// baseSchemaID wraps it to also check every Schema Object against the
	// OAS 3.1 dialect (JSON Schema 2020-12 plus the OAS vocabulary).
	baseSchemaID = "https://yogaflow.invalid/testdata/openapi-3.1/schema-base.json"
)

// TestOpenAPIDocumentIsValid31 proves the served document is OpenAPI 3.1 by
// the specification's own JSON Schema, not by our reading of it.
func TestOpenAPIDocumentIsValid31(t *testing.T) {
	a := apptest.New(t, testdb.New(t, "sqlite"))
	res := a.Do(t, "GET", "/openapi.json", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("GET /openapi.json: status %d; body: %s", res.Status, res.Body)
	}
	official, base := compileOAS31Schemas(t)

	doc := decodeOAS31Doc(t, res.Body)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1") {
		t.Errorf("openapi %q, want 3.1.x", v)
	}

	for _, s := range []struct {
		name   string
		schema *jsonschema.Schema
	}{{"official schema", official}, {"schema-base", base}} {
		t.Run(s.name, func(t *testing.T) {
			if err := s.schema.Validate(doc); err != nil {
				// %#v prints every failing keyword with its schema location.
				t.Errorf("/openapi.json is not valid OpenAPI 3.1:\n%#v", err)
			}
		})
	}

	// A validator that passes everything would make the subtests above
	// worthless: break copies of the real document and see each rejected
	// where it was broken.
	t.Run("rejects a broken document", func(t *testing.T) {
		for _, c := range []struct {
			name   string
			schema *jsonschema.Schema
			breaks func(doc map[string]any)
			at     []string // the instance location the error must point at
		}{
			{
				name: "paths is a number", schema: official,
				breaks: func(doc map[string]any) { doc["paths"] = 42 },
				at:     []string{"paths"},
			},
			{
				name: "responses is a string", schema: official,
				breaks: func(doc map[string]any) {
					paths, _ := doc["paths"].(map[string]any)
					if paths == nil {
						paths = map[string]any{}
						doc["paths"] = paths
					}
					paths["/broken"] = map[string]any{"get": map[string]any{"responses": "ok"}}
				},
				at: []string{"paths", "/broken", "get", "responses"},
			},
			{
				// Only schema-base looks inside Schema Objects.
				name: "a Schema Object with a bad type", schema: base,
				breaks: func(doc map[string]any) {
					components, _ := doc["components"].(map[string]any)
					if components == nil {
						components = map[string]any{}
						doc["components"] = components
					}
					schemas, _ := components["schemas"].(map[string]any)
					if schemas == nil {
						schemas = map[string]any{}
						components["schemas"] = schemas
					}
					schemas["Broken"] = map[string]any{"type": "text"}
				},
				at: []string{"components", "schemas", "Broken", "type"},
			},
		} {
			t.Run(c.name, func(t *testing.T) {
				broken := decodeOAS31Doc(t, res.Body) // a fresh copy
				c.breaks(broken)
				err := c.schema.Validate(broken)
				if err == nil {
					t.Fatal("the validator accepted a broken document")
				}
				var verr *jsonschema.ValidationError
				if !errors.As(err, &verr) {
					t.Fatalf("not a validation error: %v", err)
				}
				if !failsAt(verr, c.at) {
					t.Errorf("rejected, but not at /%s:\n%#v", strings.Join(c.at, "/"), verr)
				}
			})
		}
	})
}

// compileOAS31Schemas registers every schema in testdata/openapi-3.1 under
// its own $id and compiles the two the test uses. The loader knows no URL
// scheme, so anything not registered here or built into the validator (the
// 2020-12 meta-schemas) fails to compile instead of being fetched.
func compileOAS31Schemas(t *testing.T) (official, base *jsonschema.Schema) {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.UseLoader(jsonschema.SchemeURLLoader{})
	files, err := filepath.Glob(filepath.Join("testdata", "openapi-3.1", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no schemas in testdata/openapi-3.1 (%v)", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		id, _ := s.(map[string]any)["$id"].(string)
		if id == "" {
			t.Fatalf("%s: no $id", f)
		}
		if err := c.AddResource(id, s); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if official, err = c.Compile(officialSchemaID); err != nil {
		t.Fatalf("compiling %s: %v", officialSchemaID, err)
	}
	if base, err = c.Compile(baseSchemaID); err != nil {
		t.Fatalf("compiling %s: %v", baseSchemaID, err)
	}
	return official, base
}

// decodeOAS31Doc decodes the document the way the validator expects (numbers
// as json.Number, so none is rounded).
func decodeOAS31Doc(t *testing.T, body []byte) map[string]any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("/openapi.json is not JSON: %v", err)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("/openapi.json is not a JSON object: %s", body)
	}
	return doc
}

// failsAt reports whether e or one of its causes is about the value at
// location.
func failsAt(e *jsonschema.ValidationError, location []string) bool {
	if slices.Equal(e.InstanceLocation, location) {
		return true
	}
	return slices.ContainsFunc(e.Causes, func(c *jsonschema.ValidationError) bool { return failsAt(c, location) })
}
