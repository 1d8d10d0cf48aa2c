package account

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Access tokens arrive from anyone, so their parser is fuzzed: it accepts
// only an HS256 token signed with the service's secret, unexpired and
// naming a user and a session, and refuses everything else with one of
// its two errors.

var (
	fuzzSecret = []byte("fuzz-secret-fuzz-secret-fuzz-secret!")
	fuzzNow    = time.Date(2026, 1, 31, 7, 15, 0, 0, time.UTC)
)

func fuzzSigner(secret []byte) *tokenSigner {
	return newTokenSigner(secret, 15*time.Minute, func() time.Time { return fuzzNow })
}

func FuzzParseAccessToken(f *testing.F) {
	good, err := fuzzSigner(fuzzSecret).issue("user-1", "session-1", fuzzNow)
	if err != nil {
		f.Fatal(err)
	}
	foreign, _ := fuzzSigner([]byte("another-secret-another-secret-another")).issue("user-1", "session-1", fuzzNow)
	expired, _ := fuzzSigner(fuzzSecret).issue("user-1", "session-1", fuzzNow.Add(-time.Hour))
	parts := strings.Split(good, ".")
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, s := range []string{
		good, foreign, expired, "", ".", "..", "a.b.c", good + ".x",
		b64(`{"alg":"none","typ":"JWT"}`) + "." + parts[1] + ".",
		b64(`{"alg":"HS512","typ":"JWT"}`) + "." + parts[1] + "." + parts[2],
		b64(`{"alg":"HS256"}`) + "." + b64(`{"sub":"u","sid":"s","iss":"yogaflow","exp":1e30}`) + "." + parts[2],
		parts[0] + "." + b64(`{"sub":"admin","sid":"s","iss":"yogaflow","exp":9999999999}`) + "." + parts[2],
		parts[0] + "." + parts[1] + "." + parts[2] + "=",
	} {
		f.Add(s)
	}
	signer := fuzzSigner(fuzzSecret)
	f.Fuzz(func(t *testing.T, token string) {
		userID, sessionID, err := signer.parse(token)
		if err != nil {
			if (!errors.Is(err, ErrTokenInvalid) && !errors.Is(err, ErrTokenExpired)) || userID != "" || sessionID != "" {
				t.Fatalf("%q: %q, %q, %v", token, userID, sessionID, err)
			}
			return
		}
		if userID == "" || sessionID == "" || !signedWith(token, fuzzSecret) {
			t.Fatalf("accepted %q (user %q, session %q), which the secret did not sign or which names nobody", token, userID, sessionID)
		}
		var header struct{ Alg string }
		h, _ := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[0])
		if json.Unmarshal(h, &header) != nil || header.Alg != "HS256" {
			t.Fatalf("accepted %q with header %s", token, h)
		}
	})
}

// FuzzAccessTokenKeys: a token the service issues reads back as the same
// user and session under the secret it was signed with, and under no other.
func FuzzAccessTokenKeys(f *testing.F) {
	f.Add("user-1", "session-1", fuzzSecret)
	f.Add("user-1", "session-1", []byte("another-secret-another-secret-another"))
	f.Add("user-1", "session-1", append([]byte(nil), fuzzSecret[:len(fuzzSecret)-1]...))
	f.Add("", "session-1", fuzzSecret)
	f.Add("user-1", "", fuzzSecret)
	f.Add("\u0000\"}", "session-1", []byte{0})
	signer := fuzzSigner(fuzzSecret)
	f.Fuzz(func(t *testing.T, userID, sessionID string, key []byte) {
		token, err := fuzzSigner(key).issue(userID, sessionID, fuzzNow)
		if err != nil {
			return // a key the JWT library will not sign with (empty)
		}
		gotUser, gotSession, err := signer.parse(token)
		// HMAC takes some distinct keys alike (a short key with trailing
		// zero bytes, a long key and its hash): what counts is whether the
		// signature is the secret's.
		valid := signedWith(token, fuzzSecret) && userID != "" && sessionID != ""
		switch {
		// IDs are UUIDs; JSON would replace the bytes of a string that is
		// not UTF-8, so only those that are read back as they went in.
		case valid && (err != nil || utf8.ValidString(userID) && utf8.ValidString(sessionID) && (gotUser != userID || gotSession != sessionID)):
			t.Fatalf("issued for %q, %q with the secret; parsed as %q, %q, %v", userID, sessionID, gotUser, gotSession, err)
		case !valid && err == nil:
			t.Fatalf("accepted a token for %q, %q signed with the key %q", userID, sessionID, key)
		}
	})
}

// signedWith checks a token's HMAC-SHA256 signature with secret apart from
// the JWT library.
func signedWith(token string, secret []byte) bool {
	i := strings.LastIndex(token, ".")
	if i < 0 {
		return false
	}
	sig, err := base64.RawURLEncoding.DecodeString(token[i+1:])
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(token[:i]))
	return err == nil && hmac.Equal(sig, mac.Sum(nil))
}
