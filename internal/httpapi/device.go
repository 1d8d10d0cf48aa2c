package httpapi

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"time"
)

// Device cookies, as OWASP describes them against lockout: a sign-in that
// succeeds gives the browser a cookie that names the account, signed, so
// that the device's later logins are counted on their own and not against
// the ceiling that guesses from everywhere else fill. The cookie proves
// nothing but an earlier sign-in; the password is still asked.
const (
	deviceCookieName = "yogaflow_device"
	deviceCookieAge  = 365 * 24 * time.Hour
)

// deviceCookie is a new device's cookie for email; nil without a key.
func (l *Limits) deviceCookie(email string) *http.Cookie {
	if len(l.DeviceKey) == 0 {
		return nil
	}
	nonce := rand.Text()
	return &http.Cookie{
		Name: deviceCookieName, Value: nonce + "." + l.deviceMAC(email, nonce),
		Path: BasePath + "/auth", MaxAge: int(deviceCookieAge.Seconds()),
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode,
	}
}

func (l *Limits) deviceMAC(email, nonce string) string {
	m := hmac.New(sha256.New, l.DeviceKey)
	m.Write([]byte(email + "\x00" + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// knownDevice is the device named by the request's cookie when it was
// given at a sign-in to email, else "".
func (l *Limits) knownDevice(r *http.Request, email string) string {
	c, err := r.Cookie(deviceCookieName)
	if err != nil || len(l.DeviceKey) == 0 {
		return ""
	}
	nonce, mac, ok := strings.Cut(c.Value, ".")
	if !ok || nonce == "" || !hmac.Equal([]byte(mac), []byte(l.deviceMAC(email, nonce))) {
		return ""
	}
	return nonce
}
