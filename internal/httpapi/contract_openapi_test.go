package httpapi_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

// TestOpenAPIDocumentIsComplete walks the served document so that every
// operation, as endpoints are added, keeps documenting its errors and
// carrying request and response examples.
func TestOpenAPIDocumentIsComplete(t *testing.T) {
	a := apptest.New(t, sqliteEngine(t))
	doc, ok := a.Do(t, "GET", "/openapi.json", nil).JSON(t).(map[string]any)
	if !ok {
		t.Fatal("the document is not a JSON object")
	}
	w := walker{t: t, schemas: lookup(doc, "components.schemas")}

	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi %v, want 3.1.0", doc["openapi"])
	}
	schemes := lookup(doc, "components.securitySchemes")
	if lookup(schemes, "bearer")["scheme"] != "bearer" {
		t.Error("no bearer security scheme")
	}
	if lookup(schemes, "oauth2.flows.password")["tokenUrl"] != "/api/v1/auth/token" {
		t.Error("no OAuth2 password flow pointing at /api/v1/auth/token")
	}

	paths := lookup(doc, "paths")
	if len(paths) == 0 {
		t.Fatal("no paths")
	}
	for _, path := range sortedKeys(paths) {
		for _, method := range sortedKeys(paths[path].(map[string]any)) {
			op := lookup(paths, path+"\x00"+method)
			name := strings.ToUpper(method) + " " + path
			w.operation(name, op)
		}
	}
}

type walker struct {
	t       *testing.T
	schemas map[string]any
}

func (w walker) operation(name string, op map[string]any) {
	w.t.Helper()
	if op["operationId"] == nil || op["summary"] == nil {
		w.t.Errorf("%s: needs an operationId and a summary", name)
	}
	responses := lookup(op, "responses")
	var success bool
	for status, r := range responses {
		resp := r.(map[string]any)
		content, _ := resp["content"].(map[string]any)
		switch {
		case strings.HasPrefix(status, "2"):
			success = true
			for mt, m := range content {
				w.exampled(fmt.Sprintf("%s %s response %s", name, status, mt), m.(map[string]any))
			}
		case strings.HasPrefix(status, "4"), strings.HasPrefix(status, "5"):
			if content["application/problem+json"] == nil && content["application/json"] == nil {
				w.t.Errorf("%s: error response %s has no problem document", name, status)
			}
		}
	}
	if !success {
		w.t.Errorf("%s: no success response", name)
	}
	want := []string{"500"}
	if body, ok := op["requestBody"].(map[string]any); ok {
		want = append(want, "400", "413", "415", "422")
		for mt, m := range lookup(body, "content") {
			w.exampled(fmt.Sprintf("%s request %s", name, mt), m.(map[string]any))
		}
	} else if params, ok := op["parameters"].([]any); ok && len(params) > 0 {
		want = append(want, "422")
	}
	for _, status := range want {
		if responses[status] == nil {
			w.t.Errorf("%s: does not document its %s response", name, status)
		}
	}
}

// exampled checks that a media type has an example, or that every property
// of its schema, all the way down, has one.
func (w walker) exampled(where string, mediaType map[string]any) {
	w.t.Helper()
	if mediaType["example"] != nil || mediaType["examples"] != nil {
		return
	}
	schema, _ := mediaType["schema"].(map[string]any)
	w.schema(where, schema, map[string]bool{})
}

func (w walker) schema(where string, s map[string]any, seen map[string]bool) {
	w.t.Helper()
	if s == nil {
		w.t.Errorf("%s: no schema", where)
		return
	}
	if ref, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		if seen[name] {
			return
		}
		seen[name] = true
		w.schema(where+" → "+name, lookup(w.schemas, name), seen)
		return
	}
	if s["examples"] != nil || s["example"] != nil {
		return
	}
	switch {
	case s["properties"] != nil:
		props := s["properties"].(map[string]any)
		for _, p := range sortedKeys(props) {
			w.schema(where+"."+p, props[p].(map[string]any), seen)
		}
	case s["items"] != nil:
		w.schema(where+"[]", s["items"].(map[string]any), seen)
	case s["additionalProperties"] != nil:
		if ap, ok := s["additionalProperties"].(map[string]any); ok {
			w.schema(where+"{}", ap, seen)
		}
	default:
		w.t.Errorf("%s: no example", where)
	}
}

// lookup follows a dotted path of object keys; "\x00" separates keys that
// themselves hold dots or slashes (paths).
func lookup(doc map[string]any, path string) map[string]any {
	sep := "."
	if strings.Contains(path, "\x00") {
		sep = "\x00"
	}
	cur := doc
	for _, k := range strings.Split(path, sep) {
		next, _ := cur[k].(map[string]any)
		cur = next
	}
	return cur
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
