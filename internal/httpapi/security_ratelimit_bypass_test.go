package httpapi_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/apptest"
	"github.com/yogaflow/yogaflow/internal/platform/testdb"
)

// Threat: getting around the request limits, to guess passwords or flood
// the service: by changing the email's case, by spreading guesses over
// many addresses, by claiming another address in X-Forwarded-For, or by
// spreading requests over several instances.

func loginBody(email string) map[string]any {
	return map[string]any{"email": email, "password": "not-the-password-1"}
}

// checkLimited asserts a 429 rate_limited with the headers API.md names.
func checkLimited(t *testing.T, res *apptest.Response, limit int) {
	t.Helper()
	res.Check(t, apptest.Scenario{Status: http.StatusTooManyRequests, ContentType: "application/problem+json",
		JSON:   map[string]any{"code": "rate_limited", "status": 429},
		Header: map[string]string{"RateLimit-Limit": strconv.Itoa(limit), "RateLimit-Remaining": "0"}})
	if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || s < 1 {
		t.Errorf("Retry-After = %q", res.Header.Get("Retry-After"))
	}
	reset, err := strconv.Atoi(res.Header.Get("RateLimit-Reset"))
	if err != nil || reset < 0 || reset > 3600 {
		t.Errorf("RateLimit-Reset = %q, want seconds to the window's end", res.Header.Get("RateLimit-Reset"))
	}
	if res.Header.Get("Retry-After") != strconv.Itoa(max(1, reset)) {
		t.Errorf("Retry-After %s and RateLimit-Reset %d disagree", res.Header.Get("Retry-After"), reset)
	}
}

func TestAuthEndpointsAreLimitedPerClientIP(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		const attacker = "198.51.100.7:5000"
		for i := range 3 {
			res := a.DoFrom(t, attacker, "POST", "/api/v1/auth/login", loginBody(fmt.Sprintf("guess%d@example.com", i)))
			res.Check(t, apptest.Scenario{Status: 401, Header: map[string]string{"RateLimit-Limit": "3",
				"RateLimit-Remaining": strconv.Itoa(2 - i)}})
		}
		// Another account, another endpoint, a forged X-Forwarded-For: the
		// same address all the same.
		checkLimited(t, a.DoFrom(t, attacker, "POST", "/api/v1/auth/login", loginBody("other@example.com"),
			"X-Forwarded-For", "203.0.113.99"), 3)
		checkLimited(t, a.DoFrom(t, attacker, "POST", "/api/v1/auth/register",
			map[string]any{"email": "new@example.com", "password": goodPassword}), 3)
		checkLimited(t, a.DoFrom(t, attacker, "POST", "/api/v1/auth/token", "grant_type=password&username=x@example.com&password=y",
			"Content-Type", "application/x-www-form-urlencoded"), 3)
		// Someone else is not held back, nor are the rest of the API and
		// the operations pages for the attacker.
		a.DoFrom(t, "198.51.100.8:5000", "POST", "/api/v1/auth/login", loginBody("guess0@example.com")).Check(t, apptest.Scenario{Status: 401})
		a.DoFrom(t, attacker, "GET", "/api/v1/poses", nil).Check(t, apptest.Scenario{Status: 200})
		a.DoFrom(t, attacker, "GET", "/health", nil).Check(t, apptest.Scenario{Status: 200})

		checkMetrics(t, a, `yogaflow_ratelimit_rejections_total{policy="auth"} 3`)
	}, "YOGAFLOW_RATE_LIMIT_AUTH=3/1m")
}

// TestFailedLoginsAreLimitedPerAccountAndNetwork: failed logins count per
// account, whatever the case or spacing of its email, from one network
// (a /24), on both sign-in endpoints; a login that succeeds does not
// count; a password reset has a counter of its own; another network and
// another account are untouched.
func TestFailedLoginsAreLimitedPerAccountAndNetwork(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		email, _ := newUser(t, a) // one login, which succeeded
		for range 4 {
			signIn(t, a, email, goodPassword)
		}
		for i, variant := range []string{strings.ToUpper(email), "  " + email + " ", email} {
			a.DoFrom(t, fmt.Sprintf("198.51.100.%d:5000", i+1), "POST", "/api/v1/auth/login", loginBody(variant)).
				Check(t, apptest.Scenario{Status: 401})
		}
		checkLimited(t, a.DoFrom(t, "198.51.100.9:5000", "POST", "/api/v1/auth/login",
			map[string]any{"email": email, "password": goodPassword}), 3)
		checkLimited(t, a.DoFrom(t, "198.51.100.10:5000", "POST", "/api/v1/auth/token",
			"grant_type=password&username="+strings.ToUpper(email)+"&password="+goodPassword,
			"Content-Type", "application/x-www-form-urlencoded"), 3)
		// However the form's media type is spelt.
		checkLimited(t, a.DoFrom(t, "198.51.100.12:5000", "POST", "/api/v1/auth/token",
			"grant_type=password&username="+email+"&password="+goodPassword,
			"Content-Type", "Application/X-WWW-Form-Urlencoded; charset=UTF-8"), 3)
		// The owner can still ask for a reset, and sign in from elsewhere.
		a.DoFrom(t, "198.51.100.11:5000", "POST", "/api/v1/auth/password-reset/request",
			map[string]any{"email": email}).Check(t, apptest.Scenario{Status: 202})
		a.DoFrom(t, "192.0.2.80:5000", "POST", "/api/v1/auth/login",
			map[string]any{"email": email, "password": goodPassword}).Check(t, apptest.Scenario{Status: 200})
		// Another account is untouched.
		other, _ := newUser(t, a)
		signIn(t, a, other, goodPassword)
	}, "YOGAFLOW_RATE_LIMIT_ACCOUNT=3/1m")
}

// TestPasswordResetsHaveTheirOwnLimit: reset requests are limited per
// account, apart from logins.
func TestPasswordResetsHaveTheirOwnLimit(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		email, _ := newUser(t, a)
		for i := range 2 {
			a.DoFrom(t, fmt.Sprintf("198.51.100.%d:5000", 20+i), "POST", "/api/v1/auth/password-reset/request",
				map[string]any{"email": strings.ToUpper(email)}).Check(t, apptest.Scenario{Status: 202})
		}
		checkLimited(t, a.DoFrom(t, "192.0.2.30:5000", "POST", "/api/v1/auth/password-reset/request",
			map[string]any{"email": email}), 2)
		signIn(t, a, email, goodPassword)
	}, "YOGAFLOW_RATE_LIMIT_RESET=2/1m")
}

// TestLockoutIsNotAWeapon: an attacker guessing from 20 networks gets no
// more guesses than the account's ceiling, and the owner's device, known
// by the cookie its last sign-in set, signs in all the while; a new device
// waits out the ceiling like the attacker.
func TestLockoutIsNotAWeapon(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		email := newEmail()
		signUp(t, a, email)
		res := a.DoFrom(t, "192.0.2.10:1000", "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": goodPassword})
		res.Check(t, apptest.Scenario{Status: 200})
		cookie := res.Header.Get("Set-Cookie")
		for _, want := range []string{"yogaflow_device=", "HttpOnly", "Secure", "SameSite=Strict", "Path=/api/v1/auth"} {
			if !strings.Contains(cookie, want) {
				t.Fatalf("the sign-in's Set-Cookie %q lacks %s", cookie, want)
			}
		}
		device := strings.Split(cookie, ";")[0]

		var wg sync.WaitGroup
		var mu sync.Mutex
		statuses := map[int]int{}
		for n := range 20 {
			wg.Go(func() {
				for range 10 {
					res := a.DoFrom(t, fmt.Sprintf("203.0.%d.7:9000", n), "POST", "/api/v1/auth/login", loginBody(email))
					mu.Lock()
					statuses[res.Status]++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		// One more guess may pass if a minute turns mid-test: the sliding
		// window weighs the last minute's count a little less.
		if w := statuses[http.StatusUnauthorized]; w < 30 || w > 31 || w+statuses[http.StatusTooManyRequests] != 200 {
			t.Errorf("200 guesses from 20 networks: %v, want 30 (the ceiling) wrong and the rest refused", statuses)
		}
		// The owner's device, from its own address or a new one.
		for _, from := range []string{"192.0.2.10:1000", "198.51.100.99:1000"} {
			a.DoFrom(t, from, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": goodPassword},
				"Cookie", device).Check(t, apptest.Scenario{Status: 200})
		}
		// A forged or another account's cookie is no device.
		for _, c := range []string{"yogaflow_device=abc.def", strings.Replace(device, "=", "=x", 1)} {
			checkLimited(t, a.DoFrom(t, "192.0.2.10:1000", "POST", "/api/v1/auth/login",
				map[string]any{"email": email, "password": goodPassword}, "Cookie", c), 30)
		}
		// The device's own failures are limited too: five, or fewer where
		// Redis missed the owner's refunds (it stopped answering within its
		// timeout on a loaded machine and the limits counted in the process
		// for a while), which only makes the limit stricter.
		wrong := 0
		for ; wrong < 5; wrong++ {
			res := a.DoFrom(t, "192.0.2.10:1000", "POST", "/api/v1/auth/login", loginBody(email), "Cookie", device)
			if res.Status == http.StatusTooManyRequests {
				break
			}
			res.Check(t, apptest.Scenario{Status: 401})
		}
		if wrong < 5 {
			if !strings.Contains(a.Logs.String(), "Redis is unreachable") {
				t.Fatalf("the device was refused after %d wrong passwords, want 5", wrong)
			}
			t.Logf("Redis went away for a while: the device was refused after %d wrong passwords", wrong)
		}
		checkLimited(t, a.DoFrom(t, "192.0.2.10:1000", "POST", "/api/v1/auth/login", loginBody(email), "Cookie", device), 5)
	}, "YOGAFLOW_RATE_LIMIT_ACCOUNT=5/1m", "YOGAFLOW_RATE_LIMIT_ACCOUNT_CEILING=30/1m")
}

func TestForwardedForIsBelievedOnlyFromTrustedProxies(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		const proxy = "10.1.2.3:443"
		// Behind the proxy, each client has its own count...
		for i := range 2 {
			a.DoFrom(t, proxy, "GET", "/api/v1/poses", nil, "X-Forwarded-For", "203.0.113.1").Check(t, apptest.Scenario{Status: 200})
			a.DoFrom(t, proxy, "GET", "/api/v1/poses", nil, "X-Forwarded-For", fmt.Sprintf("203.0.113.%d, 10.9.9.9", 50+i)).
				Check(t, apptest.Scenario{Status: 200})
		}
		checkLimited(t, a.DoFrom(t, proxy, "GET", "/api/v1/poses", nil, "X-Forwarded-For", "203.0.113.1"), 2)
		// ...and a client cannot pose as another by writing the header
		// itself: the proxy appends the address it saw, which is counted.
		checkLimited(t, a.DoFrom(t, proxy, "GET", "/api/v1/poses", nil, "X-Forwarded-For", "203.0.113.77, 203.0.113.1"), 2)

		// A proxy that writes the port too is understood.
		a.DoFrom(t, proxy, "GET", "/api/v1/poses", nil, "X-Forwarded-For", "203.0.113.60:51234").Check(t, apptest.Scenario{Status: 200})
		a.DoFrom(t, proxy, "GET", "/api/v1/poses", nil, "X-Forwarded-For", "203.0.113.60:51235").Check(t, apptest.Scenario{Status: 200})
		checkLimited(t, a.DoFrom(t, proxy, "GET", "/api/v1/poses", nil, "X-Forwarded-For", "203.0.113.60"), 2)

		// Anyone else's X-Forwarded-For is ignored.
		const direct = "198.51.100.20:6000"
		for i := range 2 {
			a.DoFrom(t, direct, "GET", "/api/v1/poses", nil, "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", 100+i)).
				Check(t, apptest.Scenario{Status: 200})
		}
		checkLimited(t, a.DoFrom(t, direct, "GET", "/api/v1/poses", nil, "X-Forwarded-For", "203.0.113.200"), 2)
	}, "YOGAFLOW_RATE_LIMIT_PUBLIC=2/1m", "YOGAFLOW_TRUSTED_PROXIES=10.0.0.0/8")
}

func TestSignedInRequestsAreLimitedPerUser(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		_, user := newUser(t, a)
		for i := range 3 {
			a.DoFrom(t, fmt.Sprintf("198.51.100.%d:7000", 30+i), "GET", "/api/v1/users/me", nil, bearer(user.access)...).
				Check(t, apptest.Scenario{Status: 200})
		}
		checkLimited(t, a.DoFrom(t, "198.51.100.99:7000", "GET", "/api/v1/history", nil, bearer(user.access)...), 3)
		_, other := newUser(t, a)
		a.Do(t, "GET", "/api/v1/users/me", nil, bearer(other.access)...).Check(t, apptest.Scenario{Status: 200})
	}, "YOGAFLOW_RATE_LIMIT_USER=3/1h")
}

// TestMadeUpCredentialsAreLimited: a request with a credential that is
// not one is refused with 401, and counted against its address like any
// anonymous request, so guessing API keys or flooding their lookups is
// limited too.
func TestMadeUpCredentialsAreLimited(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		const guesser = "198.51.100.80:1000"
		for i := range 2 {
			a.DoFrom(t, guesser, "GET", "/api/v1/poses", nil, "X-API-Key", fmt.Sprintf("yf_bogus%d", i)).
				Check(t, apptest.Scenario{Status: 401})
		}
		checkLimited(t, a.DoFrom(t, guesser, "GET", "/api/v1/poses", nil, "Authorization", "Bearer not.a.token"), 2)
	}, "YOGAFLOW_RATE_LIMIT_PUBLIC=2/1m")
}

// TestIPv6ClientsAreCountedByTheirBlock: one subscriber holds a /64 and
// can pick any address in it; each would otherwise bring a fresh budget.
func TestIPv6ClientsAreCountedByTheirBlock(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		a.DoFrom(t, "[2001:db8:1:2::1]:1000", "GET", "/api/v1/poses", nil).Check(t, apptest.Scenario{Status: 200})
		a.DoFrom(t, "[2001:db8:1:2::abcd]:1000", "GET", "/api/v1/poses", nil).Check(t, apptest.Scenario{Status: 200})
		checkLimited(t, a.DoFrom(t, "[2001:db8:1:2:ffff::9]:1000", "GET", "/api/v1/poses", nil), 2)
		// The next block is someone else.
		a.DoFrom(t, "[2001:db8:1:3::1]:1000", "GET", "/api/v1/poses", nil).Check(t, apptest.Scenario{Status: 200})
	}, "YOGAFLOW_RATE_LIMIT_PUBLIC=2/1m")
}

// TestLoginFloodAgainstOneAccount: many addresses of one network guess
// one account's password. That network's logins are refused while the
// flood lasts, the service answers everyone else meanwhile, and the owner
// signs in from their own address at once.
func TestLoginFloodAgainstOneAccount(t *testing.T) {
	apptest.Run(t, func(t *testing.T, a *apptest.App) {
		victim, _ := newUser(t, a)
		bystander, _ := newUser(t, a)
		var wg sync.WaitGroup
		var mu sync.Mutex
		statuses := map[int]int{}
		for i := range 40 {
			wg.Go(func() {
				res := a.DoFrom(t, fmt.Sprintf("203.0.113.%d:9000", i), "POST", "/api/v1/auth/login", loginBody(victim))
				mu.Lock()
				statuses[res.Status]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if statuses[http.StatusTooManyRequests] < 30 || statuses[http.StatusUnauthorized]+statuses[http.StatusTooManyRequests] != 40 {
			t.Fatalf("the flood got %v, want mostly 429 and otherwise 401", statuses)
		}
		signIn(t, a, bystander, goodPassword)
		a.Do(t, "GET", "/health", nil).Check(t, apptest.Scenario{Status: 200})
		a.Do(t, "GET", "/api/v1/poses", nil).Check(t, apptest.Scenario{Status: 200})
		a.DoFrom(t, "203.0.113.200:9000", "POST", "/api/v1/auth/login",
			map[string]any{"email": victim, "password": goodPassword}).Check(t, apptest.Scenario{Status: 429})
		a.DoFrom(t, "198.51.100.50:1000", "POST", "/api/v1/auth/login",
			map[string]any{"email": victim, "password": goodPassword}).Check(t, apptest.Scenario{Status: 200})
	}, "YOGAFLOW_RATE_LIMIT_ACCOUNT=5/1m")
}

// TestLimitsAreSharedByInstances: two instances on one Redis together let
// through about the limit, not twice it.
func TestLimitsAreSharedByInstances(t *testing.T) {
	redis := redisURL(t)
	prefix := "YOGAFLOW_REDIS_PREFIX=yogaflow-test:" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
	env := []string{"YOGAFLOW_REDIS_URL=" + redis, prefix, "YOGAFLOW_RATE_LIMIT_PUBLIC=20/1m"}
	e := postgresEngine(t)
	one, two := apptest.New(t, e, env...), apptest.New(t, e, env...)
	allowed := 0
	for i := range 60 {
		a := one
		if i%2 == 1 {
			a = two
		}
		if a.DoFrom(t, "198.51.100.60:1000", "GET", "/api/v1/poses", nil).Status == http.StatusOK {
			allowed++
		}
	}
	if allowed < 20 || allowed > 22 {
		t.Fatalf("two instances let %d of 60 requests through a limit of 20", allowed)
	}
}

// TestLimitsSurviveRedisGoingAway: while Redis is unreachable each
// instance counts on its own (the log and /health/ready say so) and the
// service keeps serving; when Redis answers again the limits are shared
// again.
func TestLimitsSurviveRedisGoingAway(t *testing.T) {
	target := strings.Split(redisURL(t), "/")[2] // redis://host:port/db
	proxy := startProxy(t, target)
	a := apptest.New(t, postgresEngine(t), "YOGAFLOW_REDIS_URL=redis://"+proxy.addr+"/0",
		"YOGAFLOW_REDIS_PREFIX=yogaflow-test:"+strconv.FormatInt(time.Now().UnixNano(), 36)+":", "YOGAFLOW_RATE_LIMIT_PUBLIC=5/1m")
	a.DoFrom(t, "198.51.100.70:1000", "GET", "/api/v1/poses", nil).Check(t, apptest.Scenario{Status: 200})
	a.Do(t, "GET", "/health/ready", nil).Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{"checks.ratelimit.status": "ok"}})

	proxy.stop()
	// Served on per-instance limits: still limited, never refused for
	// want of Redis.
	statuses := map[int]int{}
	for range 8 {
		statuses[a.DoFrom(t, "198.51.100.71:1000", "GET", "/api/v1/poses", nil).Status]++
	}
	if statuses[200] != 5 || statuses[429] != 3 {
		t.Fatalf("without Redis: %v, want 5 served and 3 limited", statuses)
	}
	// Counts go to Redis after the answer: the failure shows a moment later.
	waitForLog(t, a, "each instance counts rate limits on its own", "the log does not say the limits are per instance")
	time.Sleep(time.Second) // readiness answers are reused for a second
	// Degraded, not down: the service works without Redis, with less.
	a.Do(t, "GET", "/health/ready", nil).Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{
		"status": "degraded", "checks.ratelimit.status": "degraded", "checks.cache.status": "degraded"}})

	proxy.start()
	waitForLog(t, a, "rate limits are shared by every instance", "the limits did not go back to Redis")
	time.Sleep(time.Second)
	a.Do(t, "GET", "/health/ready", nil).Check(t, apptest.Scenario{Status: 200, JSON: map[string]any{
		"status": "ok", "checks.ratelimit.status": "ok", "checks.cache.status": "ok"}})
}

// waitForLog waits up to five seconds for the service to log text, and
// fails with complaint if it does not.
func waitForLog(t *testing.T, a *apptest.App, text, complaint string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(a.Logs.String(), text); {
		if time.Now().After(deadline) {
			t.Fatal(complaint)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func redisURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("YOGAFLOW_TEST_REDIS_URL")
	if u == "" || os.Getenv(testdb.EnvPostgresURL) == "" {
		t.Skip("shared limits need YOGAFLOW_TEST_REDIS_URL and " + testdb.EnvPostgresURL + " (CI sets both)")
	}
	return u
}

func postgresEngine(t *testing.T) testdb.Engine { return testdb.New(t, "postgres") }

// tcpProxy forwards connections to a target and can be stopped and
// started again on the same address, cutting every connection: a
// dependency that goes away and comes back.
type tcpProxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func startProxy(t *testing.T, target string) *tcpProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{t: t, addr: ln.Addr().String(), target: target}
	p.serve(ln)
	t.Cleanup(p.stop)
	return p
}

func (p *tcpProxy) start() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.serve(ln)
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				_ = c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); _ = up.Close() }()
			go func() { _, _ = io.Copy(c, up); _ = c.Close() }()
		}
	}()
}

func (p *tcpProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}
