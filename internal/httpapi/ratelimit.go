package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/yogaflow/yogaflow/internal/account"
	"github.com/yogaflow/yogaflow/internal/platform/metrics"
	"github.com/yogaflow/yogaflow/internal/platform/ratelimit"
)

// Limits are the request limits of API.md, each a policy of its own.
type Limits struct {
	// Auth counts the sign-in and email-sending endpoints per client IP.
	Auth *ratelimit.Limiter
	// Account counts logins and password reset requests per account (the
	// email as accounts are found by it, so its case changes nothing).
	Account *ratelimit.Limiter
	// Public counts API requests without a principal per client IP.
	Public *ratelimit.Limiter
	// User counts a signed-in caller's API requests per user or API key.
	User *ratelimit.Limiter
}

// authLimited are the endpoints that take a password or send an email:
// those worth guessing at or flooding. Refresh, logout and verification
// take a 256-bit token that cannot be guessed.
var authLimited = map[string]bool{
	BasePath + "/auth/register":               true,
	BasePath + "/auth/login":                  true,
	BasePath + "/auth/token":                  true,
	BasePath + "/auth/verify-email/resend":    true,
	BasePath + "/auth/password-reset/request": true,
	BasePath + "/auth/password-reset/confirm": true,
}

// accountField names the body field that holds the account, on the
// endpoints limited per account too.
var accountField = map[string]string{
	BasePath + "/auth/login":                  "email",
	BasePath + "/auth/token":                  "username", // the OAuth2 password grant's form
	BasePath + "/auth/password-reset/request": "email",
}

// limitRequests applies the limits to API requests (after authenticate,
// which names the principal). Operations pages, docs and the web app's
// assets are not counted. A refused request is a 429 rate_limited problem
// with Retry-After and the RateLimit-* headers of the policy that refused.
func limitRequests(l *Limits, m *metrics.Metrics) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if l == nil {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasPrefix(r.URL.Path, BasePath+"/") {
				next.ServeHTTP(w, r)
				return
			}
			ip := clientIP(r.Context())
			type count struct {
				limiter *ratelimit.Limiter
				key     string
			}
			counts := make([]count, 0, 3)
			if p := principalFrom(r.Context()); p != nil {
				key := "user:" + p.UserID
				if p.APIKeyID != "" {
					key = "apikey:" + p.APIKeyID
				}
				counts = append(counts, count{l.User, key})
			} else {
				counts = append(counts, count{l.Public, ip})
			}
			if r.Method == http.MethodPost && authLimited[r.URL.Path] {
				counts = append(counts, count{l.Auth, ip})
				if field, ok := accountField[r.URL.Path]; ok {
					if email := accountOf(r, field); email != "" {
						counts = append(counts, count{l.Account, email})
					}
				}
			}
			// The client hears of the limit nearest its end, or of the one
			// that refused.
			var tightest http.Header
			for _, c := range counts {
				ok, h := c.limiter.Allow(r, c.key)
				if !ok {
					maps.Copy(w.Header(), h)
					m.RateLimitRejections.WithLabelValues(c.limiter.Name()).Inc()
					writeProblem(w, newProblem(http.StatusTooManyRequests, "rate_limited",
						"Too many requests; Retry-After says when to try again."))
					return
				}
				if tightest == nil || ratelimit.Remaining(h) < ratelimit.Remaining(tightest) {
					tightest = h
				}
			}
			maps.Copy(w.Header(), tightest)
			next.ServeHTTP(w, r)
		})
	}
}

// accountOf reads the account a login or reset request names from its
// JSON or form body, and leaves the body for the handler to read again.
func accountOf(r *http.Request, field string) string {
	body, err := io.ReadAll(r.Body)
	rest := io.Reader(bytes.NewReader(body))
	if err != nil {
		// The handler meets the same error (a body over the limit, say).
		rest = io.MultiReader(rest, errorReader{err})
	}
	r.Body = io.NopCloser(rest)
	if err != nil {
		return ""
	}
	var value string
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		form, _ := url.ParseQuery(string(body))
		value = form.Get(field)
	} else {
		var doc map[string]json.RawMessage
		if json.Unmarshal(body, &doc) == nil {
			_ = json.Unmarshal(doc[field], &value)
		}
	}
	return account.NormalEmail(value)
}

type errorReader struct{ err error }

func (e errorReader) Read([]byte) (int, error) { return 0, e.err }

type clientIPKey struct{}

// clientIP is the address the request came from, as resolveClientIP found.
func clientIP(ctx context.Context) string {
	ip, _ := ctx.Value(clientIPKey{}).(string)
	return ip
}

// resolveClientIP finds who sent the request: the connection's peer,
// unless that peer is a trusted proxy, in which case the nearest address
// in X-Forwarded-For that is not one. Anyone else's X-Forwarded-For is
// ignored, so a client cannot pick the address its limits are counted by.
func resolveClientIP(trusted []netip.Prefix) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ip := peerIP(r.RemoteAddr)
			if isTrusted(trusted, ip) {
				ip = forwardedFor(r.Header.Values("X-Forwarded-For"), trusted, ip)
			}
			ctx := context.WithValue(r.Context(), clientIPKey{}, ip.String())
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

func peerIP(remoteAddr string) netip.Addr {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip, _ := netip.ParseAddr(host)
	return ip.Unmap()
}

func isTrusted(trusted []netip.Prefix, ip netip.Addr) bool {
	for _, p := range trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// forwardedFor walks X-Forwarded-For from the nearest hop back and returns
// the first address not of a trusted proxy: the ones before it could have
// been written by the client. A malformed hop ends the walk at the last
// address known good.
func forwardedFor(values []string, trusted []netip.Prefix, peer netip.Addr) netip.Addr {
	var hops []string
	for _, v := range values {
		hops = append(hops, strings.Split(v, ",")...)
	}
	ip := peer
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return ip
		}
		ip = hop.Unmap()
		if !isTrusted(trusted, ip) {
			return ip
		}
	}
	return ip
}
