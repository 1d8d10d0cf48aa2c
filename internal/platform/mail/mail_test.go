package mail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/yogaflow/yogaflow/internal/platform/mailtest"
)

const from = "YogaFlow <no-reply@yogaflow.test>"

func TestNewSMTP(t *testing.T) {
	tests := []struct {
		url      string
		wantPort int
		wantSSL  bool
		wantTLS  gomail.TLSPolicy
		wantAuth gomail.SMTPAuthType
		wantUser string
		wantPass string
	}{
		{"smtp://u:p%40ss@mail.example.com:2525", 2525, false, gomail.TLSMandatory, gomail.SMTPAuthAutoDiscover, "u", "p@ss"},
		{"smtp://mail.example.com", 587, false, gomail.TLSMandatory, gomail.SMTPAuthNoAuth, "", ""},
		{"smtps://u:p@mail.example.com", 465, true, gomail.TLSMandatory, gomail.SMTPAuthAutoDiscover, "u", "p"},
		{"smtp://u:p@localhost:1025", 1025, false, gomail.TLSOpportunistic, gomail.SMTPAuthPlain, "u", "p"},
		{"smtp://u:p@127.0.0.1:1025", 1025, false, gomail.TLSOpportunistic, gomail.SMTPAuthPlain, "u", "p"},
		{"smtps://u:p@127.0.0.1:1465", 1465, true, gomail.TLSOpportunistic, gomail.SMTPAuthAutoDiscover, "u", "p"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			s, err := NewSMTP(tt.url, from)
			if err != nil {
				t.Fatal(err)
			}
			if s.port != tt.wantPort || s.ssl != tt.wantSSL || s.tls != tt.wantTLS || s.auth != tt.wantAuth ||
				s.user != tt.wantUser || s.pass != tt.wantPass {
				t.Errorf("got port %d ssl %t tls %s auth %s user %q pass %q; want %d %t %s %s %q %q",
					s.port, s.ssl, s.tls, s.auth, s.user, s.pass,
					tt.wantPort, tt.wantSSL, tt.wantTLS, tt.wantAuth, tt.wantUser, tt.wantPass)
			}
		})
	}
}

func TestNewSMTPRejects(t *testing.T) {
	const secret = "s3cret-pw"
	tests := []struct{ name, url, from string }{
		{"scheme", "http://u:" + secret + "@mail.example.com", from},
		{"unparsable", "smtp://u:" + secret + "@mail example.com", from},
		{"no host", "smtp://u:" + secret + "@:25", from},
		{"port", "smtp://u:" + secret + "@mail.example.com:99999", from},
		{"ipv6", "smtp://u:" + secret + "@[::1]:25", from},
		{"from", "smtp://u:" + secret + "@mail.example.com", "not an address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewSMTP(tt.url, tt.from)
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

func newSMTP(t *testing.T, rawURL string) *SMTP {
	t.Helper()
	s, err := NewSMTP(rawURL, from)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSendDelivers(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSMTP(t, srv.URL())
	// Long lines, "=" and non-ASCII force quoted-printable soft breaks and
	// escapes, so the test proves decoding, not just pass-through.
	want := Message{
		To:      "asha@example.com",
		Subject: "Namasté — your link",
		Text:    "Hi Asha,\n\n" + strings.Repeat("Breathe in, breathe out. ", 8) + "\nhttps://yogaflow.test/verify-email?token=a=b\n",
		HTML:    `<p style="color:#333">Hi Asha, <a href="https://yogaflow.test/verify-email?token=a=b">confirm</a> – ünïcode</p>`,
	}
	if err := s.Send(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, want.To, 5*time.Second)

	if got.Subject != want.Subject {
		t.Errorf("subject %q, want %q", got.Subject, want.Subject)
	}
	if got.Text != want.Text {
		t.Errorf("text %q, want %q", got.Text, want.Text)
	}
	if got.HTML != want.HTML {
		t.Errorf("HTML %q, want %q", got.HTML, want.HTML)
	}
	if got.From != "no-reply@yogaflow.test" || len(got.To) != 1 || got.To[0] != want.To {
		t.Errorf("envelope from %q to %q", got.From, got.To)
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(got.Raw))
	if err != nil {
		t.Fatal(err)
	}
	if f, err := msg.Header.AddressList("From"); err != nil || len(f) != 1 || f[0].Name != "YogaFlow" || f[0].Address != "no-reply@yogaflow.test" {
		t.Errorf("From header %q (%v)", msg.Header.Get("From"), err)
	}
	if to, err := msg.Header.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != want.To {
		t.Errorf("To header %q (%v)", msg.Header.Get("To"), err)
	}
	if ct := msg.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative;") {
		t.Errorf("Content-Type %q, want multipart/alternative", ct)
	}
}

func TestSendConcurrently(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSMTP(t, srv.URL())
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			m := Message{To: fmt.Sprintf("p%d@example.com", i), Subject: "hi", Text: "hello"}
			if err := s.Send(t.Context(), m); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := len(srv.Messages()); n != 8 {
		t.Errorf("%d messages arrived, want 8", n)
	}
}

func TestSendTemporaryFailure(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSMTP(t, srv.URL())
	m := Message{To: "asha@example.com", Subject: "hi", Text: "hello"}

	srv.FailNext(1)
	err := s.Send(t.Context(), m)
	if err == nil {
		t.Fatal("Send succeeded; want the 451 from FailNext")
	}
	if msg := err.Error(); !strings.Contains(msg, "(temporary)") || !strings.Contains(msg, "451") {
		t.Errorf("error %q should say temporary and carry the server's reply", msg)
	}
	var se *gomail.SendError
	if !errors.As(err, &se) || !se.IsTemp() {
		t.Errorf("error %v does not unwrap to a temporary go-mail SendError", err)
	}
	assertMasked(t, err, m.To)

	if err := s.Send(t.Context(), m); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	srv.WaitFor(t, m.To, 5*time.Second)
}

func TestAuthFailures(t *testing.T) {
	srv := mailtest.Start(t)
	const wrong = "not-the-password-9f2c"
	tests := []struct {
		name     string
		user     *url.Userinfo
		pingFail bool // NOOP needs no AUTH, so only bad credentials fail Ping
	}{
		{"wrong password", url.UserPassword("mailtest", wrong), true},
		{"no credentials", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(srv.URL())
			if err != nil {
				t.Fatal(err)
			}
			u.User = tt.user
			s := newSMTP(t, u.String())
			m := Message{To: "asha@example.com", Subject: "hi", Text: "hello"}

			err = s.Send(t.Context(), m)
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if msg := err.Error(); strings.Contains(msg, wrong) || !strings.Contains(msg, "(permanent)") {
				t.Errorf("error %q should say permanent and not show the password", msg)
			}
			assertMasked(t, err, m.To)

			err = s.Ping(t.Context())
			if tt.pingFail && (err == nil || strings.Contains(err.Error(), wrong)) {
				t.Errorf("Ping: %v; want an error without the password", err)
			}
			if !tt.pingFail && err != nil {
				t.Errorf("Ping: %v", err)
			}
		})
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages accepted without AUTH", n)
	}
}

// TestSendError covers replies mailtest cannot produce, such as a
// rejected recipient that the server names in its reply.
func TestSendError(t *testing.T) {
	const to = "asha@example.com"
	tests := []struct {
		name     string
		err      error
		wantKind string
	}{
		{"4xx reply", &textproto.Error{Code: 451, Msg: "try later"}, "(temporary)"},
		{"5xx reply naming the recipient", fmt.Errorf("rcpt: %w", &textproto.Error{Code: 550, Msg: "<" + to + ">: no such user"}), "(permanent)"},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, "(temporary)"},
		{"deadline", context.DeadlineExceeded, "(temporary)"},
		{"other", errors.New("STARTTLS required for " + to), "(permanent)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := newSendError(to, tt.err)
			if !strings.Contains(err.Error(), tt.wantKind) {
				t.Errorf("%q does not say %s", err, tt.wantKind)
			}
			assertMasked(t, err, to)
			if !errors.Is(err, tt.err) {
				t.Errorf("%v does not unwrap to %v", err, tt.err)
			}
		})
	}
}

func assertMasked(t *testing.T, err error, addr string) {
	t.Helper()
	if msg := err.Error(); strings.Contains(msg, addr) || !strings.Contains(msg, maskAddress(addr)) {
		t.Errorf("error %q should name %s only masked", msg, addr)
	}
}

func TestPing(t *testing.T) {
	srv := mailtest.Start(t)
	if err := newSMTP(t, srv.URL()).Ping(t.Context()); err != nil {
		t.Errorf("Ping against a live server: %v", err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	if err := newSMTP(t, "smtp://u:p@"+closed).Ping(t.Context()); err == nil {
		t.Error("Ping against a closed port succeeded")
	}
}

// TestUnresponsiveServer uses a server that accepts the connection but
// never greets, the case a dial timeout alone would not catch.
func TestUnresponsiveServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	s := newSMTP(t, "smtp://u:p@"+l.Addr().String())

	const limit = 300 * time.Millisecond
	tests := map[string]func(context.Context) error{
		"Send": func(ctx context.Context) error {
			return s.Send(ctx, Message{To: "asha@example.com", Subject: "hi", Text: "hello"})
		},
		"Ping": s.Ping,
	}
	for name, call := range tests {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), limit)
			defer cancel()
			start := time.Now()
			err := call(ctx)
			if err == nil {
				t.Fatal("no error from a server that never answers")
			}
			if took := time.Since(start); took > limit+time.Second {
				t.Errorf("took %s with a %s deadline", took, limit)
			}
			if name == "Send" && !strings.Contains(err.Error(), "(temporary)") {
				t.Errorf("error %q should say temporary", err)
			}
		})
	}
}

func TestLog(t *testing.T) {
	m := Message{
		To:      "asha@example.com",
		Subject: "Confirm your email",
		Text:    "Open https://yogaflow.test/verify-email?token=abc",
		HTML:    "<p>html</p>",
	}
	for _, includeBody := range []bool{false, true} {
		t.Run(fmt.Sprint("includeBody=", includeBody), func(t *testing.T) {
			var buf bytes.Buffer
			l := NewLog(slog.New(slog.NewJSONHandler(&buf, nil)), includeBody)
			if err := l.Send(t.Context(), m); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(buf.String(), m.To) {
				t.Errorf("log holds the full address: %s", buf.String())
			}
			var rec map[string]any
			if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
				t.Fatalf("%v in %s", err, buf.String())
			}
			if rec["to"] != "a***@example.com" || rec["subject"] != m.Subject {
				t.Errorf("to %v, subject %v", rec["to"], rec["subject"])
			}
			text, ok := rec["text"]
			if includeBody && text != m.Text {
				t.Errorf("text %v, want %q", text, m.Text)
			}
			if !includeBody && ok {
				t.Errorf("text logged without includeBody: %v", text)
			}
		})
	}
}

func TestMaskAddress(t *testing.T) {
	tests := map[string]string{
		"asha@example.com": "a***@example.com",
		"élise@example.fr": "é***@example.fr",
		"no-at-sign":       "***",
		"@example.com":     "***",
		"":                 "***",
	}
	for in, want := range tests {
		if got := maskAddress(in); got != want {
			t.Errorf("maskAddress(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMailtestDecodes feeds mailtest what go-mail never sends (base64,
// nested multipart, folded encoded subject) through the standard library's
// client, so the helper's decoding is proven on its own.
func TestMailtestDecodes(t *testing.T) {
	srv := mailtest.Start(t)
	u, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	pass, _ := u.User.Password()
	raw := strings.ReplaceAll(`From: a@example.com
To: b@example.com
Subject: =?UTF-8?B?TmFtYXN0w6k=?=
 =?UTF-8?Q?_=E2=80=94_hi?=
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=outer

--outer
Content-Type: multipart/alternative; boundary=inner

--inner
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: base64

SGnDqSwKbGluZSB0d28=
--inner
Content-Type: text/html; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

<p>a=3Db =
c</p>
--inner--
--outer
Content-Type: application/pdf
Content-Transfer-Encoding: base64

JVBERi0=
--outer--
`, "\n", "\r\n")
	auth := smtp.PlainAuth("", u.User.Username(), pass, u.Hostname())
	if err := smtp.SendMail(u.Host, auth, "a@example.com", []string{"b@example.com"}, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, "B@example.com", 5*time.Second)
	want := mailtest.Mail{
		From: "a@example.com", To: []string{"b@example.com"},
		Subject: "Namasté — hi", Text: "Hié,\nline two", HTML: "<p>a=b c</p>",
	}
	if got.From != want.From || !slices.Equal(got.To, want.To) || got.Subject != want.Subject ||
		got.Text != want.Text || got.HTML != want.HTML {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if string(got.Raw) != raw {
		t.Errorf("Raw differs from what was sent:\n%q", got.Raw)
	}
}
