package httpapi_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

// TestEveryInputIsBounded walks the served document: every API operation
// declares the 429 of the rate limits and their headers; every string a client
// sends (in a body, a path, a query or a header) has a maxLength, an enum
// or a format that bounds it, every array a maxItems, every body a byte
// limit no larger than 1 MiB, and every page size a maximum. Unbounded
// input is what floods memory and the database.
func TestEveryInputIsBounded(t *testing.T) {
	a := apptest.New(t, sqliteEngine(t))
	doc, _ := a.Do(t, "GET", "/openapi.json", nil).JSON(t).(map[string]any)
	b := bounds{t: t, schemas: lookup(doc, "components.schemas")}
	paths := lookup(doc, "paths")
	for _, path := range sortedKeys(paths) {
		for _, method := range sortedKeys(paths[path].(map[string]any)) {
			op := lookup(paths, path+"\x00"+method)
			name := strings.ToUpper(method) + " " + path
			params, _ := op["parameters"].([]any)
			for _, p := range params {
				param := p.(map[string]any)
				where := fmt.Sprintf("%s %s parameter %s", name, param["in"], param["name"])
				schema, _ := param["schema"].(map[string]any)
				b.check(where, schema, map[string]bool{})
				if param["name"] == "limit" && schema["maximum"] == nil {
					t.Errorf("%s: a page size without a maximum", where)
				}
			}
			if strings.HasPrefix(path, "/api/v1/") {
				limited := lookup(op, "responses\x00429\x00headers")
				if limited["Retry-After"] == nil || limited["RateLimit-Limit"] == nil {
					t.Errorf("%s: does not declare its 429 with Retry-After and RateLimit-* headers", name)
				}
				for status, r := range lookup(op, "responses") {
					if h, _ := r.(map[string]any)["headers"].(map[string]any); strings.HasPrefix(status, "2") && h["RateLimit-Remaining"] == nil {
						t.Errorf("%s: its %s response does not declare RateLimit-Remaining", name, status)
					}
				}
			}
			if body, ok := op["requestBody"].(map[string]any); ok {
				for mt, m := range lookup(body, "content") {
					schema, _ := m.(map[string]any)["schema"].(map[string]any)
					b.check(fmt.Sprintf("%s body %s", name, mt), schema, map[string]bool{})
				}
			}
		}
	}
}

type bounds struct {
	t       *testing.T
	schemas map[string]any
}

func (b bounds) check(where string, s map[string]any, seen map[string]bool) {
	b.t.Helper()
	if s == nil {
		return
	}
	if ref, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		if !seen[name] {
			seen[name] = true
			b.check(where+" → "+name, lookup(b.schemas, name), seen)
		}
		return
	}
	types := []any{s["type"]}
	if list, ok := s["type"].([]any); ok {
		types = list
	}
	for _, typ := range types {
		switch typ {
		case "string":
			// date-time and date are bounded by their grammar.
			if s["maxLength"] == nil && s["enum"] == nil && s["format"] != "date-time" && s["format"] != "date" {
				b.t.Errorf("%s: a string without maxLength", where)
			}
		case "array":
			if s["maxItems"] == nil {
				b.t.Errorf("%s: an array without maxItems", where)
			}
			if items, ok := s["items"].(map[string]any); ok {
				b.check(where+"[]", items, seen)
			}
		case "object":
			props, _ := s["properties"].(map[string]any)
			for _, p := range sortedKeys(props) {
				b.check(where+"."+p, props[p].(map[string]any), seen)
			}
			if ap, ok := s["additionalProperties"].(map[string]any); ok {
				b.t.Errorf("%s: an object open to any property", where)
				b.check(where+"{}", ap, seen)
			}
		}
	}
}

// TestBodiesAreLimitedPerOperation: content (poses, sequences) may be up
// to 1 MiB; everything else takes a few hundred bytes and is refused past
// 64 KiB, before its body is decoded. Deep nesting is refused, not
// recursed into.
func TestBodiesAreLimitedPerOperation(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		admin := newAdmin(t, a)
		padding := strings.Repeat(" ", 100<<10)
		a.Do(t, "POST", "/api/v1/auth/login", `{"email": "ana@example.com", "password": "x"`+padding+`}`).
			Check(t, apptest.Scenario{Status: 413, JSON: map[string]any{"code": "payload_too_large"}})
		a.Do(t, "POST", "/api/v1/sessions", `{"sequence_id": "x"`+padding+`}`, bearer(admin.access)...).
			Check(t, apptest.Scenario{Status: 413})
		pose := `{"slug": "padded-pose", "english_name": "Padded Pose", "category": "standing", "difficulty": "beginner", "instructions": ["Stand tall."]` + padding + `}`
		a.Do(t, "POST", "/api/v1/admin/poses", pose, bearer(admin.access)...).Check(t, apptest.Scenario{Status: 201})

		nested := `{"slug": ` + strings.Repeat("[", 200_000) + strings.Repeat("]", 200_000) + `}`
		if res := a.Do(t, "POST", "/api/v1/admin/poses", nested, bearer(admin.access)...); res.Status != 400 && res.Status != 422 {
			t.Errorf("a body nested 200,000 deep: %d %s", res.Status, res.Body)
		}
	})
}
