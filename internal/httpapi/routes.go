package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yogaflow/yogaflow/internal/account"
	"github.com/yogaflow/yogaflow/internal/flags"
)

// operations is the whole API, one operation a line: its method and path,
// its ID, who may call it, what it counts against, and its handler. What
// each says in the OpenAPI document is in its concern's docs (healthDocs,
// accountDocs, ...) under the same ID, beside the handlers.
func operations(d Deps) []route {
	health := &healthHandlers{checks: d.Checks, logger: d.Logger}
	accounts := &accountHandlers{svc: d.Accounts, library: d.Library, practice: d.Practice, metrics: d.Metrics}
	lib := &libraryHandlers{svc: d.Library}
	prac := &practiceHandlers{svc: d.Practice}
	flag := &flagHandlers{svc: d.Flags}
	const (
		get, post, put, patch, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete
		users, content             = account.PermUsersManage, PermContentWrite
	)
	v1 := func(path string) string { return BasePath + path }
	return []route{
		{get, "/health", "health", anyone, uncounted, handle(health.live)},
		{get, "/health/ready", "ready", anyone, uncounted, handle(health.ready)},
		{get, "/media/poses/{pose}.svg", "get-pose-picture", anyone, uncounted, handle(picture)},

		{post, v1("/auth/register"), "register", anyone, perAddress, handle(accounts.register)},
		{post, v1("/auth/login"), "login", anyone, perLogin, handle(accounts.login)},
		{post, v1("/auth/token"), "oauth-token", anyone, perFormLogin, accounts.registerToken},
		{post, v1("/auth/refresh"), "refresh", anyone, perCaller, handle(accounts.refresh)},
		{post, v1("/auth/logout"), "logout", signedInUser, perCaller, handle(accounts.logout)},
		{post, v1("/auth/verify-email"), "verify-email", anyone, perCaller, handle(accounts.verifyEmail)},
		{post, v1("/auth/verify-email/resend"), "resend-verification", signedInUser, perAddress, handle(accounts.resendVerification)},
		{post, v1("/auth/password-reset/request"), "request-password-reset", anyone, perReset, handle(accounts.requestReset)},
		{post, v1("/auth/password-reset/confirm"), "confirm-password-reset", anyone, perAddress, handle(accounts.confirmReset)},

		{get, v1("/users/me"), "get-me", signedInUser, perCaller, handle(accounts.me)},
		{patch, v1("/users/me"), "update-me", signedInUser, perCaller, handle(accounts.updateMe)},
		{post, v1("/users/me/password"), "change-password", signedInUser, perCaller, handle(accounts.changePassword)},
		{get, v1("/users/me/export"), "export-me", signedInUser, perCaller, handle(accounts.export)},
		{del, v1("/users/me"), "delete-me", signedInUser, perCaller, handle(accounts.deleteMe)},

		{get, v1("/poses"), "list-poses", anyone, perCaller, handle(lib.listPoses)},
		{get, v1("/poses/{pose}"), "get-pose", anyone, perCaller, handle(lib.getPose)},
		{post, v1("/admin/poses"), "create-pose", content, perCaller, handle(lib.createPose)},
		{patch, v1("/admin/poses/{pose}"), "update-pose", content, perCaller, handle(lib.updatePose)},
		{del, v1("/admin/poses/{pose}"), "delete-pose", content, perCaller, handle(lib.deletePose)},

		{get, v1("/sequences"), "list-sequences", anyone, perCaller, handle(lib.listSequences)},
		{get, v1("/sequences/{sequence}"), "get-sequence", anyone, perCaller, handle(lib.getSequence)},
		{post, v1("/sequences"), "create-sequence", signedInUser, perCaller, handle(lib.createSequence)},
		{post, v1("/sequences/generate"), "generate-sequence", signedInUser, perCaller, handle(lib.generateSequence)},
		{patch, v1("/sequences/{sequence}"), "update-sequence", signedInUser, perCaller, handle(lib.updateSequence)},
		{del, v1("/sequences/{sequence}"), "delete-sequence", signedInUser, perCaller, handle(lib.deleteSequence)},
		{post, v1("/admin/sequences"), "create-preset", content, perCaller, handle(lib.createPreset)},
		{patch, v1("/admin/sequences/{sequence}"), "update-preset", content, perCaller, handle(lib.updatePreset)},
		{del, v1("/admin/sequences/{sequence}"), "delete-preset", content, perCaller, handle(lib.deletePreset)},

		{post, v1("/sessions"), "start-session", signedInUser, perCaller, handle(prac.start)},
		{get, v1("/sessions/current"), "current-session", signedInUser, perCaller, handle(prac.current)},
		{get, v1("/sessions/{id}"), "get-session", signedInUser, perCaller, handle(prac.get)},
		{post, v1("/sessions/{id}/progress"), "session-progress", signedInUser, perCaller, handle(prac.progress)},
		{post, v1("/sessions/{id}/pause"), "pause-session", signedInUser, perCaller, handle(prac.transition(prac.svc.Pause))},
		{post, v1("/sessions/{id}/resume"), "resume-session", signedInUser, perCaller, handle(prac.transition(prac.svc.Resume))},
		{post, v1("/sessions/{id}/abandon"), "abandon-session", signedInUser, perCaller, handle(prac.transition(prac.svc.Abandon))},
		{post, v1("/sessions/{id}/complete"), "complete-session", signedInUser, perCaller, handle(prac.complete)},
		{get, v1("/history"), "history", signedInUser, perCaller, handle(prac.history)},
		{post, v1("/history"), "log-practice", signedInUser, perCaller, handle(prac.logPractice)},
		{get, v1("/history/stats"), "stats", signedInUser, perCaller, handle(prac.stats)},

		{get, v1("/features"), "features", anyone, perCaller, handle(flag.features)},
		{get, v1("/admin/flags"), "list-flags", flags.PermManage, perCaller, handle(flag.list)},
		{post, v1("/admin/flags"), "create-flag", flags.PermManage, perCaller, handle(flag.create)},
		{get, v1("/admin/flags/{key}"), "get-flag", flags.PermManage, perCaller, handle(flag.get)},
		{patch, v1("/admin/flags/{key}"), "update-flag", flags.PermManage, perCaller, handle(flag.update)},
		{del, v1("/admin/flags/{key}"), "delete-flag", flags.PermManage, perCaller, handle(flag.delete)},
		{get, v1("/admin/flags/{key}/results"), "flag-results", flags.PermManage, perCaller, handle(flag.results)},

		{get, v1("/admin/users"), "list-users", users, perCaller, handle(accounts.listUsers)},
		{put, v1("/admin/users/{id}/roles"), "set-roles", users, perCaller, handle(accounts.setRoles)},
		{post, v1("/admin/api-keys"), "create-api-key", users, perCaller, handle(accounts.createAPIKey)},
		{get, v1("/admin/api-keys"), "list-api-keys", users, perCaller, handle(accounts.listAPIKeys)},
		{del, v1("/admin/api-keys/{id}"), "revoke-api-key", users, perCaller, handle(accounts.revokeAPIKey)},
		{get, v1("/admin/audit-log"), "list-audit-log", users, perCaller, handle(accounts.listAudit)},
	}
}

// A route is one operation of the API.
type route struct {
	method, path, id string
	// access is anyone, signedInUser, or the permission the caller needs.
	access string
	// limit is what a request counts against; every API request counts
	// against its caller's limit (Public or User) too.
	limit  limitClass
	handle func(huma.API, huma.Operation)
}

const (
	anyone       = "anyone"
	signedInUser = "signed in"
)

// limitClass is what an operation's requests count against, beyond the
// caller's own limit.
type limitClass struct {
	api bool // the caller's own limit, as every API request
	// address counts the request per client address (Limits.Auth).
	address bool
	// field names the body field that holds the account.
	field string
	// resets counts the account's reset requests (Limits.Reset); without
	// it, the account's failed logins (Limits.Account, AccountCeiling).
	resets bool
}

// The operations that take a password or send an email, those worth
// guessing at or flooding, count per address; refresh, logout and
// verification take a 256-bit token that cannot be guessed.
var (
	uncounted    = limitClass{}
	perCaller    = limitClass{api: true}
	perAddress   = limitClass{api: true, address: true}
	perLogin     = limitClass{api: true, address: true, field: "email"}
	perFormLogin = limitClass{api: true, address: true, field: "username"} // the OAuth2 password grant's form
	perReset     = limitClass{api: true, address: true, field: "email", resets: true}
)

// login says whether the operation takes the account's password.
func (c limitClass) login() bool { return c.field != "" && !c.resets }

// routeKey finds an operation's limitClass from its request, before the
// router has matched it: the classes beyond perCaller are on fixed paths.
type routeKey struct{ method, path string }

// addressLimited are the operations that count per client address, by
// method and path.
func addressLimited(routes []route) map[routeKey]limitClass {
	classes := map[routeKey]limitClass{}
	for _, r := range routes {
		if r.limit.address {
			classes[routeKey{r.method, r.path}] = r.limit
		}
	}
	return classes
}

// handle makes a route's handle from a handler: registered with the errors
// its shape can give (register).
func handle[I, O any](handler func(context.Context, *I) (*O, error)) func(huma.API, huma.Operation) {
	return func(api huma.API, op huma.Operation) { register(api, op, handler) }
}

// registerAll registers every route with its documentation from docs,
// which must describe every route and nothing else.
func registerAll(api huma.API, routes []route, docs map[string]huma.Operation) {
	if len(docs) != len(routes) {
		panic(fmt.Sprintf("httpapi: %d operations documented for %d routes", len(docs), len(routes)))
	}
	for _, r := range routes {
		op, ok := docs[r.id]
		if !ok {
			panic("httpapi: operation " + r.id + " has no docs")
		}
		if r.limit.api != strings.HasPrefix(r.path, BasePath+"/") {
			panic("httpapi: operation " + r.id + ": every API operation, and only they, count against the caller's limit")
		}
		op.OperationID, op.Method, op.Path = r.id, r.method, r.path
		if r.access != anyone {
			permission := r.access
			if permission == signedInUser {
				permission = ""
			}
			op = needsSignIn(op, permission)
		}
		r.handle(api, op)
		if r.limit.login() {
			documentDeviceCookie(documented(api, op))
		}
	}
}

// operationDocs are every operation's pages of the OpenAPI document, by ID,
// made anew for each API: huma keeps and amends what it is given.
func operationDocs() map[string]huma.Operation {
	all := map[string]huma.Operation{}
	for _, group := range []struct {
		tag string
		ops map[string]huma.Operation
	}{
		{"Operations", healthDocs()},
		{"Accounts", accountDocs()},
		{"Me", meDocs()},
		{"Administration", adminDocs()},
		{"Poses", poseDocs()},
		{"Poses", mediaDocs()},
		{"Sequences", sequenceDocs()},
		{"Practice", practiceDocs()},
		{"Feature flags", flagDocs()},
	} {
		for id, op := range group.ops {
			if _, taken := all[id]; taken {
				panic("httpapi: operation " + id + " is documented twice")
			}
			op.Tags = []string{group.tag}
			all[id] = op
		}
	}
	return all
}
