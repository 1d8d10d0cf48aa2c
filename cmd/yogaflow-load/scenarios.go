package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync/atomic"
)

const api = "/api/v1"

// The routes the storm scenario compares its phases by.
const (
	poseListRoute = "GET " + api + "/poses"
	loginRoute    = "POST " + api + "/auth/login"
)

// call is one request of a scenario, and what to make of its answer.
type call struct {
	method string
	// route is the endpoint's pattern, which the report counts by; path
	// is what is sent, with IDs and query.
	route, path string
	body        []byte
	token       string
	// expect lists the statuses that are not errors; nil means any 2xx.
	expect []int
	// done, when set, is told the answer (status 0 when none came) before
	// the next request of the same virtual user is made.
	done func(status int, body []byte)
}

func (c *call) ok(status int) bool {
	if c.expect == nil {
		return status >= 200 && status < 300
	}
	return slices.Contains(c.expect, status)
}

func get(route, path, token string) *call {
	return &call{method: http.MethodGet, route: route, path: path, token: token}
}

func post(route, path, token string, body any) *call {
	c := &call{method: http.MethodPost, route: route, path: path, token: token}
	if body != nil {
		c.body, _ = json.Marshal(body) // maps and strings only
	}
	return c
}

// scenario makes the calls of one kind of traffic.
type scenario struct {
	// signsIn: the scenario needs the generated accounts' password.
	signsIn bool
	// perUser: every call belongs to a virtual user, who has one in flight
	// at a time, so -users bounds the concurrency.
	perUser bool
	// storm: the calls are sent alone for half the duration, then beside
	// -logins workers signing in for the other half.
	storm bool
	next  func(e *env) *call
}

var scenarios = map[string]scenario{
	"browse":   {next: (*env).browse},
	"practice": {signsIn: true, perUser: true, next: (*env).practise},
	"signin":   {signsIn: true, next: (*env).signIn},
	"mixed":    {signsIn: true, next: (*env).mixed},
	"storm":    {signsIn: true, storm: true, next: (*env).poseList},
}

// env is what the scenarios share: the library they browse and the
// accounts they sign in as. Its methods are called concurrently.
type env struct {
	poses     []string // slugs
	sequences []preset
	accounts  int
	prefix    string
	password  string
	// idle holds the virtual practitioners not waiting for an answer.
	idle                   chan *practitioner
	browseN, signInN, mixN atomic.Uint64
}

type preset struct{ id, slug string }

var (
	poseFilters = []string{"", "?category=standing", "?difficulty=beginner&limit=50", "?avoid=knee_injury,pregnancy",
		"?q=warrior", "?category=seated&difficulty=intermediate", "?limit=100"}
	sequenceFilters = []string{"", "?preset=true", "?difficulty=beginner", "?style=vinyasa", "?max_duration=1800",
		"?avoid=knee_injury", "?focus_area=flexibility&limit=50"}
)

// newEnv reads the library from the service (presets only: the
// practitioners start those) and makes one practitioner per account.
func newEnv(ctx context.Context, client *http.Client, base string, opts options) (*env, error) {
	e := &env{accounts: opts.users, prefix: opts.prefix, password: opts.password}
	var poses struct {
		Items []struct{ Slug string } `json:"items"`
	}
	if err := getJSON(ctx, client, base+api+"/poses?limit=100", &poses); err != nil {
		return nil, err
	}
	var seqs struct {
		Items []struct{ ID, Slug string } `json:"items"`
	}
	if err := getJSON(ctx, client, base+api+"/sequences?preset=true&limit=100", &seqs); err != nil {
		return nil, err
	}
	for _, p := range poses.Items {
		e.poses = append(e.poses, p.Slug)
	}
	for _, s := range seqs.Items {
		e.sequences = append(e.sequences, preset{s.ID, s.Slug})
	}
	if len(e.poses) == 0 || len(e.sequences) == 0 {
		return nil, fmt.Errorf("%s holds %d poses and %d preset sequences: seed its library first (yogaflow seed)",
			base, len(e.poses), len(e.sequences))
	}
	e.idle = make(chan *practitioner, opts.users)
	for i := range opts.users {
		e.idle <- &practitioner{email: e.email(i + 1)}
	}
	return e, nil
}

func (e *env) email(i int) string { return fmt.Sprintf("%s-%06d@example.test", e.prefix, i) }

// browse is an anonymous visitor of the library: the poses list with
// filters, a pose, the sequences list, a sequence, in turn.
func (e *env) browse() *call {
	switch e.browseN.Add(1) % 4 {
	case 0:
		return poses(pick(poseFilters))
	case 1:
		return get("GET "+api+"/poses/{pose}", api+"/poses/"+pick(e.poses), "")
	case 2:
		return get("GET "+api+"/sequences", api+"/sequences"+pick(sequenceFilters), "")
	default:
		return get("GET "+api+"/sequences/{sequence}", api+"/sequences/"+pick(e.sequences).slug, "")
	}
}

// poseList is the first page of the pose library, the same request each
// time, which the service answers from its cache: the storm's reads.
func (*env) poseList() *call { return poses("") }

func poses(query string) *call { return get(poseListRoute, api+"/poses"+query, "") }

// signIn is one login of the signin scenario: one in four with a wrong
// password, which is answered 401 and counted apart.
func (e *env) signIn() *call {
	if e.signInN.Add(1)%4 != 0 {
		return e.login()
	}
	c := e.loginWith(e.password + "-wrong")
	c.route += " (wrong password)"
	c.expect = []int{http.StatusUnauthorized}
	return c
}

// login is a sign-in as any of the accounts, with the right password: the
// storm's, every one of which spends a hash and succeeds unless shed.
func (e *env) login() *call { return e.loginWith(e.password) }

func (e *env) loginWith(password string) *call {
	body := map[string]string{"email": e.email(rand.IntN(e.accounts) + 1), "password": password} // #nosec G404 -- picks a test account, not a secret
	return post(loginRoute, api+"/auth/login", "", body)
}

// practise is the next step of the first idle practitioner. It waits for
// one when all are busy, which the attack's bound on its workers (at most
// one per practitioner) rules out.
func (e *env) practise() *call {
	return (<-e.idle).next(e)
}

// mixed is a day's traffic: 39 in 50 browse, 10 practise, 1 signs in; a
// practice step when every practitioner is busy browses instead.
func (e *env) mixed() *call {
	switch n := e.mixN.Add(1) % 50; {
	case n < 39:
		return e.browse()
	case n < 49:
		select {
		case p := <-e.idle:
			return p.next(e)
		default:
			return e.browse()
		}
	default:
		return e.signIn()
	}
}

func pick[T any](s []T) T { return s[rand.IntN(len(s))] } // #nosec G404 -- varies test traffic, not a secret

// practitioner is a virtual user practising over and over: sign in, pick
// up or start a session, record progress, pause, resume, complete, then
// look at history and stats.
type practitioner struct {
	email, token, session string
	step                  step
}

type step int

const (
	stepLogin step = iota
	stepCurrent
	stepStart
	stepProgress
	stepPause
	stepResume
	stepComplete
	stepHistory
	stepStats
)

// next is the practitioner's next call, which hands them back to the idle
// ones once answered.
func (p *practitioner) next(e *env) *call {
	var c *call
	sess := api + "/sessions/" + p.session
	switch p.step {
	case stepLogin:
		c = post(loginRoute, api+"/auth/login", "", map[string]string{"email": p.email, "password": e.password})
	case stepCurrent:
		// 404 is the usual answer; a session left over from an interrupted
		// run is completed rather than met with a 409 on the next start.
		c = get("GET "+api+"/sessions/current", api+"/sessions/current", p.token)
		c.expect = []int{http.StatusOK, http.StatusNotFound}
	case stepStart:
		c = post("POST "+api+"/sessions", api+"/sessions", p.token, map[string]string{"sequence_id": pick(e.sequences).id})
	case stepProgress:
		c = post("POST "+api+"/sessions/{id}/progress", sess+"/progress", p.token, map[string]int{"step_position": 2})
	case stepPause:
		c = post("POST "+api+"/sessions/{id}/pause", sess+"/pause", p.token, nil)
	case stepResume:
		c = post("POST "+api+"/sessions/{id}/resume", sess+"/resume", p.token, nil)
	case stepComplete:
		c = post("POST "+api+"/sessions/{id}/complete", sess+"/complete", p.token, map[string]int{"rating": 5})
	case stepHistory:
		c = get("GET "+api+"/history", api+"/history?limit=20", p.token)
	default:
		c = get("GET "+api+"/history/stats", api+"/history/stats", p.token)
	}
	c.done = func(status int, body []byte) {
		p.observe(c, status, body)
		e.idle <- p
	}
	return c
}

// observe moves the practitioner on after an answer. A 401 signs them in
// again; any other failure goes back to asking for the current session,
// which recovers whatever state the session was left in.
func (p *practitioner) observe(c *call, status int, body []byte) {
	var doc struct {
		AccessToken string `json:"access_token"`
		ID          string `json:"id"`
	}
	_ = json.Unmarshal(body, &doc) // a failed answer may not be JSON; its status decides
	switch {
	case status == http.StatusUnauthorized || (p.step == stepLogin && (!c.ok(status) || doc.AccessToken == "")):
		p.token, p.step = "", stepLogin
	case !c.ok(status):
		p.step = stepCurrent
	case p.step == stepLogin:
		p.token, p.step = doc.AccessToken, stepCurrent
	case p.step == stepCurrent && status == http.StatusOK:
		p.session, p.step = doc.ID, stepComplete
	case p.step == stepCurrent:
		p.step = stepStart
	case p.step == stepStart:
		p.session, p.step = doc.ID, stepProgress
	case p.step == stepStats:
		p.step = stepStart
	default:
		p.step++
	}
}

func getJSON(ctx context.Context, client *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return nil
}
