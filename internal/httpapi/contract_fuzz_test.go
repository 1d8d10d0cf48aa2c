package httpapi_test

// Fuzz targets for what a client sends: bodies, query filters, credentials
// and Idempotency-Keys, through the real handler on SQLite. Whatever comes
// in, the answer is never a 5xx and always JSON: a success or a problem
// document. Seeds are below and in testdata/fuzz/; CI runs each target for
// a few seconds (.ci/run).

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/yogaflow/yogaflow/internal/apptest"
	"github.com/yogaflow/yogaflow/internal/platform/testdb"
)

// fuzzTarget is the service a fuzz target drives, built once per fuzzing
// process, with a signed-in user who holds an API key.
type fuzzTarget struct {
	*apptest.App
	access, apiKey string
}

func newFuzzTarget(f *testing.F) *fuzzTarget {
	f.Helper()
	// The fuzzer sends thousands of requests a second from one client;
	// rate limits are not what it tests.
	a := apptest.New(f, testdb.New(f, "sqlite"), "YOGAFLOW_RATE_LIMIT_AUTH=1000000/1s",
		"YOGAFLOW_RATE_LIMIT_ACCOUNT=1000000/1s", "YOGAFLOW_RATE_LIMIT_PUBLIC=1000000/1s", "YOGAFLOW_RATE_LIMIT_USER=1000000/1s")
	if _, _, err := a.Library.Seed(f.Context(), false); err != nil {
		f.Fatal(err)
	}
	const email = "fuzz@example.com"
	if _, err := a.Accounts.CreateUser(f.Context(), email, goodPassword, []string{"user", "admin"}); err != nil {
		f.Fatal(err)
	}
	var tk struct {
		Access string `json:"access_token"`
		Key    string `json:"key"`
	}
	fuzzDecode(f, a.Do(f, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": goodPassword}), http.StatusOK, &tk)
	ft := &fuzzTarget{App: a, access: tk.Access}
	fuzzDecode(f, a.Do(f, "POST", "/api/v1/admin/api-keys", map[string]any{"name": "fuzz", "scopes": []string{"content:write"}},
		bearer(tk.Access)...), http.StatusCreated, &tk)
	ft.apiKey = tk.Key
	return ft
}

func fuzzDecode(f *testing.F, res *apptest.Response, status int, v any) {
	f.Helper()
	if res.Status != status || json.Unmarshal(res.Body, v) != nil {
		f.Fatalf("setting up: %d %s", res.Status, res.Body)
	}
}

// serve sends one request as it came: the query raw, the body as bytes,
// headers in name, value pairs.
func (ft *fuzzTarget) serve(t *testing.T, method, path, rawQuery string, body []byte, headers ...string) *apptest.Response {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req := httptest.NewRequestWithContext(t.Context(), method, path, r)
	req.URL.RawQuery = rawQuery
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	ft.Handler.ServeHTTP(rec, req)
	res := &apptest.Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	fuzzCheck(t, method+" "+path, res)
	return res
}

// fuzzCheck is the property every request must hold: no 5xx, and a JSON
// body, which on an error is a problem document that agrees with the
// status and names a code.
func fuzzCheck(t *testing.T, what string, res *apptest.Response) {
	t.Helper()
	if res.Status >= 500 {
		t.Fatalf("%s: %d %s", what, res.Status, res.Body)
	}
	if res.Status == http.StatusNoContent || res.Status == http.StatusNotModified {
		return
	}
	ct := res.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("%s: %d with Content-Type %q: %s", what, res.Status, ct, res.Body)
	}
	var doc map[string]any
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatalf("%s: %d, body is not a JSON object (%v): %s", what, res.Status, err, res.Body)
	}
	if res.Status >= 400 {
		code, _ := doc["code"].(string)
		if !strings.HasPrefix(ct, "application/problem+json") || doc["status"] != float64(res.Status) || code == "" {
			t.Fatalf("%s: %d is not a problem document with a code: %s %s", what, res.Status, ct, res.Body)
		}
	}
}

func FuzzAuthBodies(f *testing.F) {
	for _, s := range []string{
		`{"email":"new@example.com","password":"Tadasana-Sunrise-42"}`,
		`{"email":"fuzz@example.com","password":"Tadasana-Sunrise-42"}`,
		`{"email":"FUZZ@example.com ","password":"wrong"}`,
		`{"email":"a@b.c","password":"Tadasana-Sunrise-42","display_name":"\u0000","timezone":"Mars/Olympus"}`,
		`{"email":"a@b.c","password":"Tadasana-Sunrise-42","roles":["admin"]}`,
		`{"email":["x"],"password":{"a":1}}`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
		`{"email":"a@b.c","password":"` + strings.Repeat("é", 40) + `"}`,
		`{"email":"a@b.c","email":"b@c.d","password":"x"}`,
		`null`, ``, `{`, "\xff\xfe",
	} {
		f.Add([]byte(s))
	}
	ft := newFuzzTarget(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		ft.serve(t, "POST", "/api/v1/auth/register", "", body)
		ft.serve(t, "POST", "/api/v1/auth/login", "", body)
	})
}

func FuzzSessionBodies(f *testing.F) {
	for _, s := range []string{
		`{"sequence_id":"gentle-morning-flow"}`,
		`{"sequence_id":"no-such-sequence"}`,
		`{"sequence_id":"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a62"}`,
		`{"sequence_id":"' OR 1=1 --"}`,
		`{"sequence_id":""}`,
		`{"sequence_id":null}`,
		`{"sequence_id":"gentle-morning-flow","user_id":"someone-else","status":"completed"}`,
		`{"sequence_id":1e400}`,
		`not json`,
	} {
		f.Add([]byte(s))
	}
	ft := newFuzzTarget(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		res := ft.serve(t, "POST", "/api/v1/sessions", "", body, bearer(ft.access)...)
		if res.Status == http.StatusCreated {
			// Only one session may be active: end it, so the next input is
			// tried rather than refused as a conflict.
			var s struct{ ID string }
			_ = json.Unmarshal(res.Body, &s)
			ft.serve(t, "POST", "/api/v1/sessions/"+s.ID+"/abandon", "", nil, bearer(ft.access)...)
		}
	})
}

func FuzzListQueries(f *testing.F) {
	for _, q := range []string{
		"", "limit=1", "limit=0", "limit=-1", "limit=99999999999999999999", "limit=abc",
		"cursor=MTcwMDAwMDAwMDAwMDAwMHxhYmM", "cursor=!!!", "cursor=" + base64.RawURLEncoding.EncodeToString([]byte(`["a",""]`)),
		"q=%27%20OR%201%3D1%20--", "q=%00", "q=" + strings.Repeat("a", 300), "category=standing&difficulty=beginner",
		"status=completed&from=2026-01-01&to=2025-01-01", "from=not-a-date", "from=2026-01-01T00:00:00Z&to=9999-12-31",
		"sequence_id=gentle-morning-flow", "status=completed&status=abandoned", "%zz", "a=1&&&=&", "limit=1;limit=2",
	} {
		f.Add(q)
	}
	ft := newFuzzTarget(f)
	f.Fuzz(func(t *testing.T, query string) {
		ft.serve(t, "GET", "/api/v1/poses", query, nil)
		ft.serve(t, "GET", "/api/v1/sequences", query, nil, bearer(ft.access)...)
		ft.serve(t, "GET", "/api/v1/history", query, nil, bearer(ft.access)...)
		ft.serve(t, "GET", "/api/v1/history/stats", query, nil, bearer(ft.access)...)
	})
}

// FuzzCredentials: the only credentials accepted are the two the service
// issued, the API key and the access token; anything else is a 401
// problem, never a 5xx.
func FuzzCredentials(f *testing.F) {
	ft := newFuzzTarget(f)
	parts := strings.Split(ft.access, ".")
	for _, s := range []string{
		ft.access, ft.apiKey, "", "yf_", "yf_" + strings.Repeat("A", 43), ft.apiKey + "x", ft.access + "x",
		parts[0] + "." + parts[1] + ".", parts[0] + ".." + parts[2], "a.b.c", "....", "Bearer",
		base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + ".",
		base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","kid":"../../etc/passwd"}`)) + "." + parts[1] + "." + parts[2],
	} {
		f.Add(s)
	}
	// The property below holds vacuously unless the real credentials pass.
	for _, ok := range [][]string{bearer(ft.access), {"X-API-Key", ft.apiKey}} {
		if res := ft.Do(f, "GET", "/api/v1/users/me", nil, ok...); res.Status == http.StatusUnauthorized {
			f.Fatalf("%s refused: %s", ok[0], res.Body)
		}
	}
	f.Fuzz(func(t *testing.T, credential string) {
		for _, header := range [][]string{{"Authorization", "Bearer " + credential}, {"X-API-Key", credential}} {
			// An API key has no account: /users/me is a 404 for it.
			res := ft.serve(t, "GET", "/api/v1/users/me", "", nil, header...)
			if res.Status != http.StatusUnauthorized && credential != ft.apiKey && !sameToken(credential, ft.access) {
				t.Fatalf("%s %q was accepted (%d %s): it is neither the API key nor the access token",
					header[0], credential, res.Status, res.Body)
			}
		}
	})
}

// sameToken reports whether credential is the token issued, up to how
// base64 spells the signature (its last character's spare bits, line
// breaks): the only access token the service made here.
func sameToken(credential, issued string) bool {
	c, i := strings.Split(credential, "."), strings.Split(issued, ".")
	if len(c) != 3 || c[0] != i[0] || c[1] != i[1] {
		return false
	}
	cs, err := base64.RawURLEncoding.DecodeString(c[2])
	is, _ := base64.RawURLEncoding.DecodeString(i[2])
	return err == nil && bytes.Equal(cs, is)
}

// FuzzIdempotencyKey: a key of 1 to 200 printable ASCII characters makes a
// POST safe to retry (the retry gets the first response, marked replayed);
// any other key is a 422 naming the header, and nothing is recorded.
func FuzzIdempotencyKey(f *testing.F) {
	for _, k := range []string{
		"a", "0f8c2f44-7e1b-4d2a-9a8e-5c1f3e2b7d90", strings.Repeat("k", 200), strings.Repeat("k", 201),
		"has space", "tab\there", "new\nline", "é", "\x00", "\x7f", "~!@#$%^&*()_+{}|:<>?", "",
	} {
		f.Add(k)
	}
	ft := newFuzzTarget(f)
	body := []byte(`{"title":"Fuzzing in the park","started_at":"2026-01-31T07:15:00Z","duration_seconds":600}`)
	f.Fuzz(func(t *testing.T, key string) {
		if key == "" {
			return // no key: an ordinary POST
		}
		headers := append(bearer(ft.access), "Idempotency-Key", key)
		first := ft.serve(t, "POST", "/api/v1/history", "", body, headers...)
		if !validIdempotencyKey(key) {
			if first.Status != http.StatusUnprocessableEntity || !strings.Contains(string(first.Body), "header.Idempotency-Key") {
				t.Fatalf("key %q: %d %s, want 422 naming the header", key, first.Status, first.Body)
			}
			return
		}
		// The key may have been used by an earlier input: then the first
		// is a replay too. Either way both answers are the first's.
		retry := ft.serve(t, "POST", "/api/v1/history", "", body, headers...)
		if first.Status != http.StatusCreated || retry.Status != http.StatusCreated || !bytes.Equal(first.Body, retry.Body) ||
			retry.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("key %q: %d %s then %d %s (replayed %q), want the same 201 twice", key, first.Status, first.Body,
				retry.Status, retry.Body, retry.Header.Get("Idempotent-Replayed"))
		}
	})
}

// validIdempotencyKey is API.md's rule, written apart from the handler's.
func validIdempotencyKey(k string) bool {
	if len(k) == 0 || len(k) > 200 {
		return false
	}
	for _, c := range []byte(k) {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}
