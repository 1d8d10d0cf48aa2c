package httpapi_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/yogaflow/yogaflow/internal/apptest"
)

// secClaims decodes the claims of a token the service issued, unverified.
func secClaims(t *testing.T, token string) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		t.Fatalf("parsing an issued token: %v", err)
	}
	return claims
}

// secSign signs claims with method and key.
func secSign(t *testing.T, method jwt.SigningMethod, key []byte, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func secB64(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// secWith returns a copy of c with changes applied; a nil value deletes the
// claim.
func secWith(c jwt.MapClaims, changes map[string]any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for k, v := range c {
		out[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// A token the service did not issue, or issued and then altered, is
// refused whatever it claims.
func TestJWTForgeryIsRefused(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		_, mine := newUser(t, a)
		_, victim := newUser(t, a)
		real := secClaims(t, mine.access)
		victimClaims := secClaims(t, victim.access)
		now := a.Clock.Now()
		// Every claim the service reads, fresh and right: the baseline each
		// forgery departs from in one respect only.
		good := jwt.MapClaims{
			"iss": "yogaflow", "sub": real["sub"], "sid": real["sid"],
			"iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(), "jti": uuid.NewString(),
		}

		t.Run("control: well-formed token with the real secret is accepted", func(t *testing.T) {
			secMe(t, a, secSign(t, jwt.SigningMethodHS256, []byte(secJWTSecret), good))
		})

		parts := strings.Split(mine.access, ".")
		if len(parts) != 3 {
			t.Fatalf("issued token is not a JWS: %q", mine.access)
		}
		// The victim's identity in my token's payload, my signature kept: if
		// the signature went unchecked this would sign me in as the victim.
		edited := secWith(real, map[string]any{"sub": victimClaims["sub"], "sid": victimClaims["sid"]})
		cases := []struct{ name, token string }{
			{"alg none", secB64(t, map[string]any{"alg": "none", "typ": "JWT"}) + "." + secB64(t, good) + "."},
			{"alg none, upper case", secB64(t, map[string]any{"alg": "NONE", "typ": "JWT"}) + "." + secB64(t, good) + "."},
			{"HS256 with a foreign secret", secSign(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-another!"), good)},
			{"payload edited to another user, signature kept", parts[0] + "." + secB64(t, edited) + "." + parts[2]},
			{"payload edited to extend exp, signature kept", parts[0] + "." + secB64(t, secWith(real, map[string]any{"exp": now.Add(24 * time.Hour).Unix()})) + "." + parts[2]},
			{"signature stripped", parts[0] + "." + parts[1] + "."},
			{"HS512 with the real secret", secSign(t, jwt.SigningMethodHS512, []byte(secJWTSecret), good)},
			{"HS384 with the real secret", secSign(t, jwt.SigningMethodHS384, []byte(secJWTSecret), good)},
			{"no exp", secSign(t, jwt.SigningMethodHS256, []byte(secJWTSecret), secWith(good, map[string]any{"exp": nil}))},
			{"wrong issuer", secSign(t, jwt.SigningMethodHS256, []byte(secJWTSecret), secWith(good, map[string]any{"iss": "evil"}))},
			{"no issuer", secSign(t, jwt.SigningMethodHS256, []byte(secJWTSecret), secWith(good, map[string]any{"iss": nil}))},
			{"issued in the future", secSign(t, jwt.SigningMethodHS256, []byte(secJWTSecret), secWith(good, map[string]any{"iat": now.Add(time.Hour).Unix()}))},
			{"no sid", secSign(t, jwt.SigningMethodHS256, []byte(secJWTSecret), secWith(good, map[string]any{"sid": nil}))},
			// Defence in depth: even with the real secret, a token naming
			// another user than its session's is refused.
			{"real secret, sub of another user on my session", secSign(t, jwt.SigningMethodHS256, []byte(secJWTSecret), secWith(good, map[string]any{"sub": victimClaims["sub"]}))},
			{"not a JWT", "garbage"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				res := a.Do(t, "GET", "/api/v1/users/me", nil, bearer(tc.token)...)
				secProblem(t, res, http.StatusUnauthorized, "token_invalid")
				// A bad credential is refused even where none is needed.
				secProblem(t, a.Do(t, "POST", "/api/v1/auth/password-reset/request", map[string]any{"email": "x@example.com"}, bearer(tc.token)...),
					http.StatusUnauthorized, "token_invalid")
			})
		}
		// The real tokens still work: nothing above was refused for
		// something the forgeries share with them.
		secMe(t, a, mine.access)
		secMe(t, a, victim.access)
	})
}
