package httpapi_test

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/yogaflow/yogaflow/internal/apptest"
)

// Admin operations need the permission, checked on every request against
// the roles the caller holds now.
func TestBrokenAccessControlIsRefused(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		admin := newAdmin(t, a)
		_, user := newUser(t, a)

		doc, ok := a.Do(t, "GET", "/openapi.json", nil).JSON(t).(map[string]any)
		if !ok {
			t.Fatal("the OpenAPI document is not an object")
		}
		paths, _ := doc["paths"].(map[string]any)
		components, _ := doc["components"].(map[string]any)
		schemas, _ := components["schemas"].(map[string]any)

		type op struct {
			method, path string
			body         any
		}
		var ops []op
		for path, item := range paths {
			if !strings.HasPrefix(path, "/api/v1/admin/") {
				continue
			}
			for method, o := range item.(map[string]any) {
				if !slices.Contains([]string{"get", "put", "post", "patch", "delete"}, method) {
					continue
				}
				concrete := path
				for strings.Contains(concrete, "{") {
					i, j := strings.Index(concrete, "{"), strings.Index(concrete, "}")
					concrete = concrete[:i] + uuid.NewString() + concrete[j+1:]
				}
				var body any
				if rb, ok := o.(map[string]any)["requestBody"].(map[string]any); ok {
					content, _ := rb["content"].(map[string]any)
					if mt, ok := content["application/json"].(map[string]any); ok {
						s, _ := mt["schema"].(map[string]any)
						body = secExample(schemas, s, 0)
					} else {
						body = map[string]any{}
					}
				}
				ops = append(ops, op{strings.ToUpper(method), concrete, body})
			}
		}
		sort.Slice(ops, func(i, j int) bool { return ops[i].path+ops[i].method < ops[j].path+ops[j].method })
		// The ones this package serves today; more may come.
		if len(ops) < 6 {
			t.Fatalf("found %d admin operations in the document, want at least 6: %v", len(ops), ops)
		}

		for _, o := range ops {
			t.Run(o.method+" "+o.path, func(t *testing.T) {
				secProblem(t, a.Do(t, o.method, o.path, o.body), http.StatusUnauthorized, "unauthorized")
				secProblem(t, a.Do(t, o.method, o.path, o.body, bearer(user.access)...), http.StatusForbidden, "forbidden")
				res := a.Do(t, o.method, o.path, o.body, bearer(admin.access)...)
				if res.Status == http.StatusUnauthorized || res.Status == http.StatusForbidden || res.Status >= 500 {
					t.Errorf("as admin: %d %s (body sent: %v)", res.Status, res.Body, o.body)
				}
			})
		}

		userID := secMe(t, a, user.access)
		t.Run("editor may not manage users", func(t *testing.T) {
			_, editor := newUser(t, a)
			secSetRoles(t, a, admin.access, secMe(t, a, editor.access), "user", "editor")
			for _, path := range []string{"/api/v1/admin/users", "/api/v1/admin/api-keys", "/api/v1/admin/audit-log"} {
				secProblem(t, a.Do(t, "GET", path, nil, bearer(editor.access)...), http.StatusForbidden, "forbidden")
			}
			secProblem(t, a.Do(t, "PUT", "/api/v1/admin/users/"+secMe(t, a, editor.access)+"/roles", map[string]any{"roles": []string{"admin"}}, bearer(editor.access)...),
				http.StatusForbidden, "forbidden")
		})

		t.Run("a role change applies to the very next request", func(t *testing.T) {
			secProblem(t, a.Do(t, "GET", "/api/v1/admin/users", nil, bearer(user.access)...), http.StatusForbidden, "forbidden")
			secSetRoles(t, a, admin.access, userID, "user", "admin")
			if res := a.Do(t, "GET", "/api/v1/admin/users", nil, bearer(user.access)...); res.Status != http.StatusOK {
				t.Errorf("promoted user's existing token: %d %s, want 200", res.Status, res.Body)
			}
			secSetRoles(t, a, admin.access, userID, "user")
			secProblem(t, a.Do(t, "GET", "/api/v1/admin/users", nil, bearer(user.access)...), http.StatusForbidden, "forbidden")
		})

		t.Run("API keys hold their scopes only, and die when revoked", func(t *testing.T) {
			mk := func(scope string) (id, key string) {
				res := a.Do(t, "POST", "/api/v1/admin/api-keys", map[string]any{"name": "k " + scope, "scopes": []string{scope}}, bearer(admin.access)...)
				if res.Status != http.StatusCreated {
					t.Fatalf("creating a key: %d %s", res.Status, res.Body)
				}
				return secString(t, res, "id"), secString(t, res, "key")
			}
			_, content := mk("content:write")
			secProblem(t, a.Do(t, "GET", "/api/v1/admin/users", nil, "X-API-Key", content), http.StatusForbidden, "forbidden")
			secProblem(t, a.Do(t, "GET", "/api/v1/admin/users", nil, bearer(content)...), http.StatusForbidden, "forbidden")
			id, manager := mk("users:manage")
			if res := a.Do(t, "GET", "/api/v1/admin/users", nil, "X-API-Key", manager); res.Status != http.StatusOK {
				t.Fatalf("key with users:manage: %d %s", res.Status, res.Body)
			}
			if res := a.Do(t, "DELETE", "/api/v1/admin/api-keys/"+id, nil, bearer(admin.access)...); res.Status != http.StatusNoContent {
				t.Fatalf("revoking: %d %s", res.Status, res.Body)
			}
			secProblem(t, a.Do(t, "GET", "/api/v1/admin/users", nil, "X-API-Key", manager), http.StatusUnauthorized, "token_invalid")
		})
	})
}

// secExample makes a plausible value for an OpenAPI schema: its example,
// else its default or first enum value, else one built from its type.
// Objects get their required properties (all of them when none is).
func secExample(schemas map[string]any, s map[string]any, depth int) any {
	if s == nil || depth > 8 {
		return nil
	}
	if ref, ok := s["$ref"].(string); ok {
		next, _ := schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
		return secExample(schemas, next, depth+1)
	}
	if ex, ok := s["examples"].([]any); ok && len(ex) > 0 {
		return ex[0]
	}
	for _, k := range []string{"example", "default"} {
		if v, ok := s[k]; ok {
			return v
		}
	}
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
		return enum[0]
	}
	typ, _ := s["type"].(string)
	if types, ok := s["type"].([]any); ok {
		for _, ty := range types {
			if ty != "null" {
				typ, _ = ty.(string)
			}
		}
	}
	switch typ {
	case "object":
		props, _ := s["properties"].(map[string]any)
		names := []string{}
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				names = append(names, r.(string))
			}
		}
		if len(names) == 0 {
			for k := range props {
				names = append(names, k)
			}
		}
		out := map[string]any{}
		for _, k := range names {
			p, _ := props[k].(map[string]any)
			out[k] = secExample(schemas, p, depth+1)
		}
		return out
	case "array":
		items, _ := s["items"].(map[string]any)
		return []any{secExample(schemas, items, depth+1)}
	case "integer", "number":
		if m, ok := s["minimum"]; ok {
			return m
		}
		return 1
	case "boolean":
		return true
	case "string":
		switch s["format"] {
		case "date-time":
			return time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
		case "uuid":
			return uuid.NewString()
		}
		return "secexample"
	}
	return nil
}
