package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"mime"
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
	// Account counts failed logins per account (the email as accounts are
	// found by it, so its case changes nothing) from one client: its
	// network (a /24, a /64) or, with the account's device cookie, that
	// device. A login that succeeds is not counted.
	Account *ratelimit.Limiter
	// AccountCeiling counts failed logins per account from every client
	// without its device cookie, together: however many addresses guess,
	// they guess no more than this, and the owner's known device still
	// signs in.
	AccountCeiling *ratelimit.Limiter
	// Reset counts password reset requests per account, apart from logins:
	// failed guesses do not stop the owner from resetting.
	Reset *ratelimit.Limiter
	// DeviceKey signs the device cookies set at sign-in.
	DeviceKey []byte
	// Public counts API requests without a principal per client IP.
	Public *ratelimit.Limiter
	// User counts a signed-in caller's API requests per user or API key.
	User *ratelimit.Limiter
}

// limitRequests applies the limits to API requests (after authenticate,
// which names the principal): each counts against its caller's limit, and
// the operations in limited against theirs too (routes.go). Operations
// pages, docs and the web app's assets are not counted. A refused request
// is a 429 rate_limited problem with Retry-After and the RateLimit-*
// headers of the policy that refused.
func limitRequests(l *Limits, limited map[routeKey]limitClass, m *metrics.Metrics) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if l == nil {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasPrefix(r.URL.Path, BasePath+"/") {
				next.ServeHTTP(w, r)
				return
			}
			ip := addressKey(clientIP(r.Context()))
			// The client hears of the limit nearest its end, or of the one
			// that refused.
			var tightest http.Header
			note := func(h http.Header) {
				if tightest == nil || ratelimit.Remaining(h) < ratelimit.Remaining(tightest) {
					tightest = h
				}
			}
			refuse := func(limiter *ratelimit.Limiter, h http.Header) {
				maps.Copy(w.Header(), h)
				m.RateLimitRejections.WithLabelValues(limiter.Name()).Inc()
				writeProblem(w, newProblem(http.StatusTooManyRequests, "rate_limited",
					"Too many requests; Retry-After says when to try again."))
			}
			allow := func(limiter *ratelimit.Limiter, key string) bool {
				ok, h := limiter.Allow(r, key)
				if !ok {
					refuse(limiter, h)
					return false
				}
				note(h)
				return true
			}
			// A request whose credential was bad has no principal: it counts
			// against its address like any anonymous one.
			if p := principalFrom(r.Context()); p != nil {
				key := "user:" + p.UserID
				if p.APIKeyID != "" {
					key = "apikey:" + p.APIKeyID
				}
				if !allow(l.User, key) {
					return
				}
			} else if !allow(l.Public, ip) {
				return
			}
			class, ok := limited[routeKey{r.Method, r.URL.Path}]
			if !ok {
				maps.Copy(w.Header(), tightest)
				next.ServeHTTP(w, r)
				return
			}
			if !allow(l.Auth, ip) {
				return
			}
			// The body is read only once the address is within its limits,
			// and no further than any sign-in body goes.
			var email string
			if class.field != "" {
				email = accountOf(r, class.field)
			}
			if class.resets && email != "" && !allow(l.Reset, email) {
				return
			}
			if email == "" || class.resets {
				maps.Copy(w.Header(), tightest)
				next.ServeHTTP(w, r)
				return
			}

			// A login: its failures count, per client and, from a client the
			// account does not know, against its ceiling.
			device := l.knownDevice(r, email)
			key := email + " " + networkOf(ip)
			if device != "" {
				key = email + " device " + device
			}
			var refunds []func()
			reserve := func(limiter *ratelimit.Limiter, key string) bool {
				ok, h, refund := limiter.Reserve(r, key)
				if !ok {
					for _, f := range refunds {
						f() // not tried: not a failure
					}
					refuse(limiter, h)
					return false
				}
				note(h)
				refunds = append(refunds, refund)
				return true
			}
			if !reserve(l.Account, key) || (device == "" && !reserve(l.AccountCeiling, email)) {
				return
			}
			maps.Copy(w.Header(), tightest)
			lw := &loginWriter{ResponseWriter: w, l: l, email: email, known: device != ""}
			next.ServeHTTP(lw, r)
			if lw.status >= 200 && lw.status < 300 {
				for _, f := range refunds {
					f()
				}
			}
		})
	}
}

// networkOf is the network of a client, as one subscriber holds it: the
// /24 of an IPv4 address; key, addressKey's, is already the /64 of an
// IPv6 one.
func networkOf(key string) string {
	addr, err := netip.ParseAddr(key)
	if err != nil || !addr.Is4() {
		return key
	}
	return netip.PrefixFrom(addr, 24).Masked().String()
}

// loginWriter notes a login's status and, on a sign-in from a device the
// account does not know yet, gives the device its cookie.
type loginWriter struct {
	http.ResponseWriter
	l      *Limits
	email  string
	known  bool
	status int
}

func (w *loginWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
		if c := w.l.deviceCookie(w.email); c != nil && status >= 200 && status < 300 && !w.known {
			http.SetCookie(w.ResponseWriter, c)
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *loginWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// accountOf reads the account a login or reset request names from its
// JSON or form body, and leaves the body for the handler to read again.
func accountOf(r *http.Request, field string) string {
	body, err := io.ReadAll(io.LimitReader(r.Body, SmallBodyBytes+1))
	rest := io.MultiReader(bytes.NewReader(body), r.Body)
	if err != nil {
		// The handler meets the same error (a broken connection, say).
		rest = io.MultiReader(bytes.NewReader(body), errorReader{err})
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{rest, r.Body}
	if err != nil || len(body) > SmallBodyBytes {
		return "" // the handler refuses a body this big
	}
	var value string
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
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
		hop, err := parseHop(strings.TrimSpace(hops[i]))
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

// parseHop reads one X-Forwarded-For address, which some proxies write
// with its port ("203.0.113.7:51234", "[2001:db8::1]:443").
func parseHop(hop string) (netip.Addr, error) {
	if ip, err := netip.ParseAddr(hop); err == nil {
		return ip, nil
	}
	ap, err := netip.ParseAddrPort(hop)
	return ap.Addr(), err
}

// addressKey is what an address's limits are counted by: the address, or
// for IPv6 its /64, the block one subscriber holds, so that a client
// cannot take a fresh budget from each of its many addresses.
func addressKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil || !addr.Is6() {
		return ip
	}
	return netip.PrefixFrom(addr, 64).Masked().String()
}
