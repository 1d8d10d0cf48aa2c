package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yogaflow/yogaflow/internal/account"
)

type principalKey struct{}

// principalFrom returns who is calling, or nil for an anonymous request.
func principalFrom(ctx context.Context) *account.Principal {
	p, _ := ctx.Value(principalKey{}).(*account.Principal)
	return p
}

// credential returns the bearer token or API key of r, if any.
func credential(r *http.Request) string {
	if key := r.Header.Get("X-API-Key"); key != "" {
		return strings.TrimSpace(key)
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(token)
	}
	return ""
}

// authenticate resolves the caller of every API request that carries a
// credential. A credential that is present but bad is a 401 even where
// none is needed (the client should learn its token is dead), answered by
// refuseBadCredentials once the limits have counted the request: made-up
// credentials must not be a way around them.
func authenticate(accounts *account.Service) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			cred := credential(r)
			if cred == "" || !strings.HasPrefix(r.URL.Path, BasePath+"/") {
				next.ServeHTTP(w, r)
				return
			}
			p, err := accounts.Authenticate(r.Context(), cred)
			if err != nil {
				if !isAuthError(err) {
					writeFailure(w, r, err)
					return
				}
				next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), badCredentialKey{}, err)))
				return
			}
			if info := infoFrom(r.Context()); info != nil {
				info.userID = p.UserID
				if p.APIKeyID != "" {
					info.userID = "apikey:" + p.APIKeyID
				}
			}
			// What a signed-in caller is shown is theirs alone: no cache keeps it.
			w.Header().Set("Cache-Control", "no-store")
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
		})
	}
}

type badCredentialKey struct{}

// refuseBadCredentials answers the 401 of a credential authenticate found
// bad.
func refuseBadCredentials(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err, ok := r.Context().Value(badCredentialKey{}).(error); ok {
			writeProblem(w, problemFor(err))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func isAuthError(err error) bool {
	return errors.Is(err, account.ErrTokenInvalid) || errors.Is(err, account.ErrTokenExpired) || errors.Is(err, account.ErrSessionRevoked)
}

// Security requirements of operations, as the OpenAPI document states them.
var signedIn = []map[string][]string{{"bearer": {}}, {"apiKey": {}}, {"oauth2": {}}}

// authorize enforces what each operation declares: signed in (Security set)
// and, in Metadata["permission"], a permission. 401 for "who are you?",
// 403 for "I know you, and you may not".
func authorize(api huma.API) func(ctx huma.Context, next func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		op := ctx.Operation()
		if len(op.Security) == 0 {
			next(ctx)
			return
		}
		p := principalFrom(ctx.Context())
		if p == nil {
			_ = huma.WriteErr(api, ctx, http.StatusUnauthorized, "Sign in first: this needs an access token or an API key.")
			return
		}
		if perm, _ := op.Metadata["permission"].(string); perm != "" && !p.Can(perm) {
			_ = huma.WriteErr(api, ctx, http.StatusForbidden, "This needs the "+perm+" permission.")
			return
		}
		next(ctx)
	}
}

// needsSignIn marks op as for signed-in callers; a permission, when given,
// is required as well.
func needsSignIn(op huma.Operation, permission string) huma.Operation {
	op.Security = signedIn
	op.Errors = append(op.Errors, http.StatusUnauthorized)
	if permission != "" {
		if op.Metadata == nil {
			op.Metadata = map[string]any{}
		}
		op.Metadata["permission"] = permission
		op.Errors = append(op.Errors, http.StatusForbidden)
		op.Description = strings.TrimSpace(op.Description + "\n\nNeeds the `" + permission + "` permission.")
	}
	return op
}
