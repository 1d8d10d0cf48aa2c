package httpapi_test

// Input hygiene (issue 15, points 6 and 8): what a body must be before it
// is read, what free text may hold, malformed IDs in queries, access
// tokens that live too long, and passwords built from the service's name.

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/yogaflow/yogaflow/internal/apptest"
)

// A body must be UTF-8 JSON whose objects name each key once, or it is a
// 400 malformed_request, and nothing is created.
func TestMalformedJSONBodiesAreRefused(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		register := func(email, rest string) string {
			return `{"email":"` + email + `","password":"` + goodPassword + `"` + rest + `}`
		}
		for _, tc := range []struct {
			name    string
			body    string
			status  int
			message string // a part of errors[0].message, for a 400
			email   string // with a 201: the account made
		}{
			{name: "invalid UTF-8 in a string", body: register("\xff\xfe@x.y", ""), status: 400, message: "not UTF-8"},
			// Not JSON either: the syntax error is the one told.
			{name: "invalid UTF-8 outside strings", body: register("ana1@example.com", ` `+"\xc0"), status: 400, message: "invalid character"},
			{name: "invalid UTF-8 in a key", body: register("ana1@example.com", `,"`+"\xff"+`":1`), status: 400, message: "not UTF-8"},
			{name: "escaped lone high surrogate", body: register(`\ud800@x.y`, ""), status: 400, message: "surrogate"},
			{name: "escaped lone low surrogate", body: register(`a\udc00b@x.y`, ""), status: 400, message: "surrogate"},
			{name: "escaped surrogates in the wrong order", body: register(`\udc00\ud800@x.y`, ""), status: 400, message: "surrogate"},
			{name: "duplicate key", body: register("ana2@example.com", `,"email":"eve@example.com"`), status: 400, message: `"email" appears twice`},
			{name: "duplicate key spelt with an escape", body: register("ana3@example.com", `,"displ\u0061y_name":"A","display_name":"B"`), status: 400, message: `"display_name" appears twice`},
			{name: "duplicate key in a nested object", body: `{"practice_settings":{"voice":true,"voice":false}}`, status: 400, message: "at practice_settings.voice"},
			// Controls: what is right passes.
			{name: "escapes and a surrogate pair", body: register("ana4@example.com", `,"display_name":"Ana \u00e9\ud83e\uddd8 \"x\" \\ud800"`), status: 201, email: "ana4@example.com"},
			{name: "letters outside ASCII", body: register("ana5@example.com", `,"display_name":"Śvānāsana 🧘"`), status: 201, email: "ana5@example.com"},
			{name: "the same key in two objects", body: register("ana6@example.com", `,"display_name":"email"`), status: 201, email: "ana6@example.com"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				path := "/api/v1/auth/register"
				var headers []string
				if strings.HasPrefix(tc.body, `{"practice_settings"`) {
					_, user := newUser(t, a)
					path, headers = "/api/v1/users/me", bearer(user.access)
				}
				method := map[bool]string{true: "PATCH", false: "POST"}[path == "/api/v1/users/me"]
				res := a.Do(t, method, path, tc.body, headers...)
				if tc.status != 400 {
					res.Check(t, apptest.Scenario{Status: tc.status, JSON: map[string]any{"email": tc.email}})
					return
				}
				res.Check(t, apptest.Scenario{Status: 400, ContentType: "application/problem+json", JSON: map[string]any{"code": "malformed_request"}})
				if msg, _ := apptest.Field(res.JSON(t), "errors.0.message"); !strings.Contains(fmt.Sprint(msg), tc.message) {
					t.Errorf("errors[0].message %q, want it to say %q", msg, tc.message)
				}
			})
		}
		// The refused sign-ups made no account.
		for _, email := range []string{"\ufffd\ufffd@x.y", "ana2@example.com", "eve@example.com", "ana3@example.com"} {
			res := a.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": goodPassword})
			if res.Status != http.StatusUnauthorized {
				t.Errorf("login as %q after a refused sign-up: %d, want 401", email, res.Status)
			}
		}
	})
}

// A body sent to a JSON operation without Content-Type is a 415; no body
// needs none.
func TestBodyWithoutContentTypeIs415(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		user := practiceSetup(t, a)
		session := startSession(t, a, user)
		noType := []string{"Content-Type", ""}
		serve := func(method, path, body string, contentLength int64, headers ...string) *apptest.Response {
			req := httptest.NewRequestWithContext(t.Context(), method, path, strings.NewReader(body))
			req.RemoteAddr = "192.0.2.1:1234"
			req.ContentLength = contentLength // -1: unknown, as with chunked encoding
			for i := 0; i < len(headers); i += 2 {
				req.Header.Set(headers[i], headers[i+1])
			}
			rec := httptest.NewRecorder()
			a.Handler.ServeHTTP(rec, req)
			return &apptest.Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
		}
		// A new address each time, so no case depends on another's outcome.
		signUp := func() string { return `{"email":"` + newEmail() + `","password":"` + goodPassword + `"}` }
		for _, tc := range []struct {
			name   string
			res    func() *apptest.Response
			status int
		}{
			{"sign-up without Content-Type", func() *apptest.Response {
				return a.Do(t, "POST", "/api/v1/auth/register", signUp(), noType...)
			}, 415},
			{"sign-up of unknown length without Content-Type", func() *apptest.Response {
				return serve("POST", "/api/v1/auth/register", signUp(), -1)
			}, 415},
			{"signed-in write without Content-Type", func() *apptest.Response {
				return a.Do(t, "PATCH", "/api/v1/users/me", `{"display_name":"Ana"}`, append(noType, bearer(user.access)...)...)
			}, 415},
			{"sign-up as text/plain", func() *apptest.Response {
				return a.Do(t, "POST", "/api/v1/auth/register", signUp(), "Content-Type", "text/plain")
			}, 415},
			// Controls.
			{"optional body left out, without Content-Type", func() *apptest.Response {
				return serve("POST", "/api/v1/sessions/"+session+"/pause", "", 0, bearer(user.access)...)
			}, 200},
			{"empty body of unknown length, without Content-Type", func() *apptest.Response {
				return serve("POST", "/api/v1/sessions/"+session+"/complete", "", -1, bearer(user.access)...)
			}, 200},
			{"sign-up with Content-Type and parameters", func() *apptest.Response {
				return a.Do(t, "POST", "/api/v1/auth/register", signUp(), "Content-Type", "application/json; charset=utf-8")
			}, 201},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := tc.res()
				want := apptest.Scenario{Status: tc.status}
				if tc.status == 415 {
					want.ContentType, want.JSON = "application/problem+json", map[string]any{"code": "unsupported_media_type"}
				}
				res.Check(t, want)
			})
		}
	})
}

// Free text refuses control characters (line feeds and tabs are allowed in
// multi-line text) and bidi overrides and isolates: 422 naming the field.
func TestFreeTextRefusesControlAndBidiCharacters(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		admin := newAdmin(t, a)
		user := practiceSetup(t, a)
		session := startSession(t, a, user)
		pose := func(field string, v any) map[string]any {
			p := map[string]any{"english_name": "Mountain", "category": "standing", "difficulty": "beginner", "instructions": []string{"Stand."}}
			p[field] = v
			return p
		}
		sequence := func(field string, v any) map[string]any {
			s := map[string]any{"name": "Mine", "difficulty": "beginner", "style": "hatha", "focus_area": "balance",
				"steps": []map[string]any{{"pose_slug": "tree", "duration_seconds": 30}}}
			s[field] = v
			return s
		}
		logged := func(field string, v any) map[string]any {
			h := map[string]any{"started_at": a.Clock.Now().Add(-time.Hour).Format(time.RFC3339), "duration_seconds": 600}
			h[field] = v
			return h
		}
		for _, tc := range []struct {
			name, method, path string
			who                []string
			body               any
			field              string // "" when accepted
			status             int    // when accepted
		}{
			{"display name with NUL at sign-up", "POST", "/api/v1/auth/register", nil,
				map[string]any{"email": newEmail(), "password": goodPassword, "display_name": "Ana\x00"}, "display_name", 0},
			{"display name with a right-to-left override", "PATCH", "/api/v1/users/me", bearer(user.access),
				map[string]any{"display_name": "Ana\u202Egnp.exe"}, "display_name", 0},
			{"display name with a line feed", "PATCH", "/api/v1/users/me", bearer(user.access),
				map[string]any{"display_name": "Ana\nAdmin"}, "display_name", 0},
			{"email with an isolate", "POST", "/api/v1/auth/register", nil,
				map[string]any{"email": "ana\u2066@example.com", "password": goodPassword}, "email", 0},
			{"sequence name with a tab", "POST", "/api/v1/sequences", bearer(user.access), sequence("name", "Mine\tyours"), "name", 0},
			{"sequence description with an escape", "POST", "/api/v1/sequences", bearer(user.access), sequence("description", "\x1b[2J"), "description", 0},
			{"step cue with a pop isolate", "POST", "/api/v1/sequences", bearer(user.access),
				sequence("steps", []map[string]any{{"pose_slug": "tree", "duration_seconds": 30, "cue": "Breathe\u2069"}}), "steps[0].cue", 0},
			{"preset name with DEL", "POST", "/api/v1/admin/sequences", bearer(admin.access), sequence("name", "Preset\x7f"), "name", 0},
			{"pose name with a C1 control", "POST", "/api/v1/admin/poses", bearer(admin.access), pose("english_name", "Moun\u0085tain"), "english_name", 0},
			{"pose Sanskrit name with an embedding", "POST", "/api/v1/admin/poses", bearer(admin.access), pose("sanskrit_name", "\u202BTāḍāsana"), "sanskrit_name", 0},
			{"pose description with a carriage return", "POST", "/api/v1/admin/poses", bearer(admin.access), pose("description", "One.\r\nTwo."), "description", 0},
			{"pose instruction with a line feed", "PATCH", "/api/v1/admin/poses/tree", bearer(admin.access),
				map[string]any{"instructions": []string{"Stand.", "Foot\nto thigh."}}, "instructions[1]", 0},
			{"pose benefit with NUL", "PATCH", "/api/v1/admin/poses/tree", bearer(admin.access),
				map[string]any{"benefits": []string{"Balance\x00"}}, "benefits[0]", 0},
			{"session notes with NUL", "POST", "/api/v1/sessions/" + session + "/complete", bearer(user.access),
				map[string]any{"notes": "Good\x00"}, "notes", 0},
			{"logged practice title with an override", "POST", "/api/v1/history", bearer(user.access), logged("title", "Park\u202D"), "title", 0},
			{"logged practice notes with a bell", "POST", "/api/v1/history", bearer(user.access), logged("notes", "Ding\a"), "notes", 0},
			{"API key name with a line feed", "POST", "/api/v1/admin/api-keys", bearer(admin.access),
				map[string]any{"name": "export\nadmin", "scopes": []string{"content:write"}}, "name", 0},
			{"flag description with an isolate", "POST", "/api/v1/admin/flags", bearer(admin.access),
				map[string]any{"key": "bidi_flag", "description": "On\u2067"}, "description", 0},
			// Controls: multi-line text keeps its line feeds and tabs, and
			// right-to-left text its marks.
			{"sequence description over lines", "POST", "/api/v1/sequences", bearer(user.access),
				sequence("description", "Warm up.\n\tThen rest."), "", 201},
			{"pose description over lines, Hebrew name with a mark", "POST", "/api/v1/admin/poses", bearer(admin.access),
				map[string]any{"english_name": "Hill", "sanskrit_name": "הר\u200f", "category": "standing", "difficulty": "beginner",
					"instructions": []string{"Stand."}, "description": "Tall.\nStill."}, "", 201},
			{"logged practice notes over lines", "POST", "/api/v1/history", bearer(user.access), logged("notes", "Windy.\nLovely."), "", 201},
			{"flag description over lines", "POST", "/api/v1/admin/flags", bearer(admin.access),
				map[string]any{"key": "lines_flag", "description": "One.\nTwo."}, "", 201},
			{"session notes over lines", "POST", "/api/v1/sessions/" + session + "/complete", bearer(user.access),
				map[string]any{"notes": "Hips open.\nShoulders tight."}, "", 200},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := a.Do(t, tc.method, tc.path, tc.body, tc.who...)
				if tc.field == "" {
					res.Check(t, apptest.Scenario{Status: tc.status})
					return
				}
				res.Check(t, apptest.Scenario{Status: 422, ContentType: "application/problem+json",
					JSON: map[string]any{"code": "validation_failed", "errors.0.field": tc.field}})
			})
		}
	})
}

// sequence_id in the history filter must be an ID: a malformed one is a
// 422, as malformed input is everywhere else.
func TestHistoryRefusesMalformedSequenceID(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		user := practiceSetup(t, a)
		session := startSession(t, a, user)
		seq, _ := apptest.Field(a.Do(t, "GET", "/api/v1/sequences/four-steps", nil).JSON(t), "id")
		id := seq.(string)
		for _, tc := range []struct {
			name, value string
			status      int
			sessions    int // with a 200
		}{
			{"not an ID", "not-a-uuid", 422, 0},
			{"a slug", "four-steps", 422, 0},
			{"an ID with a character more", id + "0", 422, 0},
			{"quotes", "%27%20OR%201%3D1%20--", 422, 0},
			{"the sequence's ID", id, 200, 1},
			{"the same ID in upper case", strings.ToUpper(id), 200, 1},
			{"the same ID in braces", "%7B" + id + "%7D", 200, 1},
			{"another sequence's ID", uuid.NewString(), 200, 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := a.Do(t, "GET", "/api/v1/history?sequence_id="+tc.value, nil, bearer(user.access)...)
				if tc.status == 422 {
					res.Check(t, apptest.Scenario{Status: 422, ContentType: "application/problem+json",
						JSON: map[string]any{"code": "validation_failed", "errors.0.field": "query.sequence_id"}})
					return
				}
				if got := res.Column(t, "id"); len(got) != tc.sessions || (tc.sessions == 1 && got[0] != session) {
					t.Errorf("sessions %v, want %d (%s)", got, tc.sessions, session)
				}
			})
		}
	})
}

// An access token made with the real secret but living longer than the
// access TTL (15 minutes by default) is refused like any bad token.
func TestAccessTokenLongerThanTheTTLIsRefused(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		_, user := newUser(t, a)
		real := secClaims(t, user.access)
		now := a.Clock.Now()
		token := func(iat time.Time, lifetime time.Duration) string {
			return secSign(t, jwt.SigningMethodHS256, []byte(secJWTSecret), secWith(real, map[string]any{
				"iat": iat.Unix(), "exp": iat.Add(lifetime).Unix(), "jti": uuid.NewString()}))
		}
		for _, tc := range []struct {
			name  string
			token string
			ok    bool
		}{
			{"the service's own token", user.access, true},
			{"lifetime of the TTL", token(now, 15*time.Minute), true},
			{"shorter lifetime", token(now.Add(-time.Minute), 5*time.Minute), true},
			{"a second longer than the TTL", token(now, 15*time.Minute+time.Second), false},
			{"a day", token(now, 24*time.Hour), false},
			{"issued long ago, still unexpired", token(now.Add(-2*time.Hour), 2*time.Hour+10*time.Minute), false},
			{"no iat", secSign(t, jwt.SigningMethodHS256, []byte(secJWTSecret), secWith(real, map[string]any{"iat": nil})), false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := a.Do(t, "GET", "/api/v1/users/me", nil, bearer(tc.token)...)
				if tc.ok {
					res.Check(t, apptest.Scenario{Status: 200})
					return
				}
				secProblem(t, res, http.StatusUnauthorized, "token_invalid")
			})
		}
	})
}

// A password built from the service's own name or domain is too easy to
// guess, wherever a password is chosen.
func TestPasswordFromTheServiceNameIsRefused(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		_, user := newUser(t, a)
		for _, tc := range []struct {
			name, password string
			refused        bool
		}{
			{"the name and a digit", "Yogaflow1", true},
			{"the name in its own case", "YogaFlow2", true},
			{"the domain", "Yogaflow.app7", true},
			{"control: a good password", "Vrksasana-Dawn-77", false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				for _, op := range []struct {
					name, method, path string
					body               map[string]any
					who                []string
					status             int
				}{
					{"sign-up", "POST", "/api/v1/auth/register", map[string]any{"email": newEmail(), "password": tc.password}, nil, 201},
					{"change", "POST", "/api/v1/users/me/password", map[string]any{"current_password": goodPassword, "new_password": tc.password},
						bearer(user.access), 204},
				} {
					res := a.Do(t, op.method, op.path, op.body, op.who...)
					if !tc.refused {
						res.Check(t, apptest.Scenario{Status: op.status})
						// Back to the password the other cases start from.
						if op.name == "change" {
							a.Do(t, "POST", op.path, map[string]any{"current_password": tc.password, "new_password": goodPassword},
								op.who...).Check(t, apptest.Scenario{Status: 204})
						}
						continue
					}
					res.Check(t, apptest.Scenario{Status: 422, JSON: map[string]any{"code": "validation_failed", "errors.0.field": "password"}})
					if msg, _ := apptest.Field(res.JSON(t), "errors.0.message"); !strings.Contains(fmt.Sprint(msg), "name of this service") {
						t.Errorf("%s: message %q does not say why", op.name, msg)
					}
				}
			})
		}
	})
}

// The served document says what these refusals mean.
func TestOpenAPIDocumentsInputHygiene(t *testing.T) {
	a := apptest.New(t, sqliteEngine(t))
	doc, _ := a.Do(t, "GET", "/openapi.json", nil).JSON(t).(map[string]any)
	register := lookup(doc, "paths\x00/api/v1/auth/register\x00post\x00responses")
	for status, part := range map[string]string{"400": "twice", "415": "Content-Type", "422": "bidirectional"} {
		if d, _ := lookup(register, status)["description"].(string); !strings.Contains(d, part) {
			t.Errorf("register's %s says %q, want it to mention %q", status, d, part)
		}
	}
	// The form-encoded token endpoint is not told to send JSON.
	if d, _ := lookup(doc, "paths\x00/api/v1/auth/token\x00post\x00responses\x00415")["description"].(string); strings.Contains(d, "application/json") {
		t.Errorf("the token endpoint's 415 says %q", d)
	}
	params, _ := lookup(doc, "paths\x00/api/v1/history\x00get")["parameters"].([]any)
	var format any
	for _, p := range params {
		if p := p.(map[string]any); p["name"] == "sequence_id" {
			format = lookup(p, "schema")["format"]
		}
	}
	if format != "uuid" {
		t.Errorf("history's sequence_id has format %v, want uuid", format)
	}
	if d, _ := lookup(doc, "components.securitySchemes.bearer")["description"].(string); !strings.Contains(d, "exp - iat") {
		t.Errorf("the bearer scheme does not say a long-lived token is refused: %q", d)
	}
}
