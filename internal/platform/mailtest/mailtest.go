// Package mailtest runs a real SMTP server on 127.0.0.1 for tests, so mail
// goes through the same client code, AUTH and MIME encoding as in
// production.
package mailtest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mail is one message the server accepted. From and To are the envelope
// (MAIL FROM, RCPT TO); Subject is decoded; Text and HTML are the first
// text/plain and text/html parts with their transfer encoding undone and
// CRLF line ends turned into "\n", as tests write them; Raw is the message
// as received, for checking headers.
type Mail struct {
	From    string
	To      []string
	Subject string
	Text    string
	HTML    string
	Raw     []byte
}

// Server is an SMTP server that accepts mail only after AUTH PLAIN with
// the credentials in URL and keeps every message in memory.
type Server struct {
	srv  *smtp.Server
	addr string
	user string
	pass string

	mu       sync.Mutex
	messages []Mail
	taken    []bool        // messages already returned by WaitFor
	arrived  chan struct{} // closed and replaced on every new message
	failNext int
}

// Start listens on 127.0.0.1 on a free port and stops on tb.Cleanup.
func Start(tb testing.TB) *Server {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("mailtest: listen: %v", err)
	}
	s := &Server{
		addr:    l.Addr().String(),
		user:    "mailtest",
		pass:    rand.Text(), // random, so a test can look for it in errors
		arrived: make(chan struct{}),
	}
	logger := &tbLogger{tb: tb}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{server: s}, nil
	}))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true // plain text on loopback only
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	s.srv.MaxMessageBytes = 10 << 20
	s.srv.ErrorLog = logger

	served := make(chan struct{})
	go func() {
		defer close(served)
		if err := s.srv.Serve(l); err != nil {
			logger.Printf("serve: %v", err)
		}
	}()
	tb.Cleanup(func() {
		_ = s.srv.Close()
		<-served
		logger.stop()
	})
	return s
}

// URL is smtp://user:pass@127.0.0.1:PORT for this server.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", User: url.UserPassword(s.user, s.pass), Host: s.addr}
	return u.String()
}

// FailNext makes the next n deliveries fail with a temporary 451 reply,
// so callers can test that they retry.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = n
}

// Messages returns every message accepted so far, oldest first.
func (s *Server) Messages() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.messages...)
}

// WaitFor blocks until a message to the address to arrives and returns it,
// failing tb after timeout. Each call returns the oldest such message not
// returned by an earlier WaitFor, so a test can wait for a second email to
// the same address.
func (s *Server) WaitFor(tb testing.TB, to string, timeout time.Duration) Mail {
	tb.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		for i, m := range s.messages {
			if !s.taken[i] && hasRecipient(m, to) {
				s.taken[i] = true
				s.mu.Unlock()
				return m
			}
		}
		arrived := s.arrived
		s.mu.Unlock()

		select {
		case <-arrived:
		case <-deadline.C:
			tb.Fatalf("mailtest: no new message to %s within %s (%d received in all)", to, timeout, len(s.Messages()))
			return Mail{}
		}
	}
}

func hasRecipient(m Mail, to string) bool {
	for _, rcpt := range m.To {
		if strings.EqualFold(rcpt, to) {
			return true
		}
	}
	return false
}

// deliver stores a parsed message, or reports the failure FailNext asked for.
func (s *Server) deliver(m Mail) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failNext > 0 {
		s.failNext--
		return &smtp.SMTPError{
			Code:         451,
			EnhancedCode: smtp.EnhancedCode{4, 3, 0},
			Message:      "mailtest: temporary failure, try again later",
		}
	}
	s.messages = append(s.messages, m)
	s.taken = append(s.taken, false)
	close(s.arrived)
	s.arrived = make(chan struct{})
	return nil
}

// session is one SMTP connection's state.
type session struct {
	server *Server
	authed bool
	from   string
	to     []string
}

var _ smtp.AuthSession = (*session)(nil)

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.server.user || pass != s.server.pass {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parse(raw)
	if err != nil {
		// A 554 reply makes the sender's test fail with the reason.
		return fmt.Errorf("mailtest: cannot parse message: %w", err)
	}
	m.From, m.To = s.from, s.to
	return s.server.deliver(m)
}

func (s *session) Reset() {
	s.from, s.to = "", nil
}

func (s *session) Logout() error { return nil }

// parse decodes the subject and finds the text and HTML parts, however
// deeply they are nested in multipart bodies.
func parse(raw []byte) (Mail, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Mail{}, err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return Mail{}, fmt.Errorf("subject: %w", err)
	}
	m := Mail{Subject: subject, Raw: raw}
	err = walk(&m, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	return m, err
}

func walk(m *Mail, contentType, encoding string, body io.Reader) error {
	if contentType == "" {
		contentType = "text/plain"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		// NextRawPart, because NextPart would undo quoted-printable itself
		// but not base64; decode() handles both alike.
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walk(m, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	var dst *string
	switch {
	case mediaType == "text/plain" && m.Text == "":
		dst = &m.Text
	case mediaType == "text/html" && m.HTML == "":
		dst = &m.HTML
	default:
		return nil // attachments and second copies are not needed
	}
	b, err := io.ReadAll(decode(encoding, body))
	if err != nil {
		return fmt.Errorf("%s part: %w", mediaType, err)
	}
	*dst = strings.ReplaceAll(string(b), "\r\n", "\n")
	return nil
}

func decode(encoding string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "base64":
		// Encoded lines end in CRLF, which the base64 decoder skips.
		return base64.NewDecoder(base64.StdEncoding, r)
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	default: // 7bit, 8bit, binary
		return r
	}
}

// tbLogger sends go-smtp's internal errors to the test log, and drops
// them once the test is over, when tb.Log would panic.
type tbLogger struct {
	mu      sync.Mutex
	tb      testing.TB
	stopped bool
}

func (l *tbLogger) Printf(format string, v ...any) { l.log(fmt.Sprintf(format, v...)) }
func (l *tbLogger) Println(v ...any)               { l.log(fmt.Sprintln(v...)) }

func (l *tbLogger) log(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.stopped {
		l.tb.Log("mailtest: " + strings.TrimSuffix(s, "\n"))
	}
}

func (l *tbLogger) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopped = true
}
