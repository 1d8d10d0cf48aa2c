// Package mail sends the service's emails over SMTP, or writes them to the
// log when no SMTP server is configured.
package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	gomail "github.com/wneessen/go-mail"
)

// Message is one email with a plain-text part and, optionally, an HTML
// alternative.
type Message struct {
	To, Subject, Text, HTML string
}

// Sender delivers a Message. An error means it was not delivered and the
// caller may try again later.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

var (
	_ Sender = (*SMTP)(nil)
	_ Sender = (*Log)(nil)
)

// timeout bounds the dial and each SMTP command, so a stuck server cannot
// hold a job worker for long; a sooner context deadline wins.
const timeout = 10 * time.Second

// SMTP sends messages through one SMTP server, one connection per message.
type SMTP struct {
	from string
	host string
	port int
	user string
	pass string
	ssl  bool // implicit TLS (smtps); otherwise STARTTLS per policy
	tls  gomail.TLSPolicy
	auth gomail.SMTPAuthType
}

// NewSMTP sends through the server in rawURL: smtp://user:pass@host:port
// (STARTTLS required, except on localhost/127.0.0.1 where plain text is
// allowed for test servers) or smtps://user:pass@host:port (implicit TLS).
// The port defaults to 587 for smtp and 465 for smtps. from is the From
// address, optionally with a display name.
func NewSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error repeats the whole URL, password included.
		return nil, errors.New("mail: SMTP URL is not a valid URL")
	}
	if _, err := mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("mail: from address %q: %w", from, err)
	}
	s := &SMTP{from: from, host: u.Hostname(), auth: gomail.SMTPAuthNoAuth}
	switch u.Scheme {
	case "smtp":
		s.port = 587
	case "smtps":
		s.port, s.ssl = 465, true
	default:
		return nil, fmt.Errorf("mail: SMTP URL scheme %q: want smtp or smtps", u.Scheme)
	}
	if s.host == "" {
		return nil, errors.New("mail: SMTP URL has no host")
	}
	if strings.Contains(s.host, ":") {
		// go-mail joins host and port with a bare colon, so an IPv6
		// literal can never be dialled.
		return nil, errors.New("mail: SMTP URL: use a host name, not an IPv6 address")
	}
	if p := u.Port(); p != "" {
		if s.port, err = strconv.Atoi(p); err != nil || s.port < 1 || s.port > 65535 {
			return nil, fmt.Errorf("mail: SMTP URL port %q is not valid", p)
		}
	}
	// go-mail's PLAIN auth sends credentials over plain text only to
	// these two names, so this is also where STARTTLS may be skipped.
	local := s.host == "localhost" || s.host == "127.0.0.1"
	s.tls = gomail.TLSMandatory
	if local {
		s.tls = gomail.TLSOpportunistic
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
		// Auto-discovery picks the strongest mechanism the server offers
		// but skips PLAIN and LOGIN without TLS, and a plain-text local
		// test server offers little else.
		s.auth = gomail.SMTPAuthAutoDiscover
		if local && !s.ssl {
			s.auth = gomail.SMTPAuthPlain
		}
	}
	return s, nil
}

// client is built per call so that the context's deadline can shorten the
// timeout: go-mail applies the context to the dial only.
func (s *SMTP) client(ctx context.Context) (*gomail.Client, error) {
	t := timeout
	if d, ok := ctx.Deadline(); ok {
		t = min(t, time.Until(d))
	}
	if t <= 0 {
		return nil, context.DeadlineExceeded
	}
	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(t),
		gomail.WithTLSPolicy(s.tls),
		gomail.WithSMTPAuth(s.auth),
		gomail.WithUsername(s.user),
		gomail.WithPassword(s.pass),
	}
	if s.ssl {
		opts = append(opts, gomail.WithSSL())
	}
	return gomail.NewClient(s.host, opts...)
}

// Send delivers m as a multipart/alternative message. The error names the
// recipient only masked and says whether trying again later may help.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if err := s.send(ctx, m); err != nil {
		return newSendError(m.To, err)
	}
	return nil
}

func (s *SMTP) send(ctx context.Context, m Message) error {
	// No User-Agent: it would advertise the library and its version.
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(s.from); err != nil {
		return err
	}
	if err := msg.To(m.To); err != nil {
		return err
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	c, err := s.client(ctx)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

// Ping connects, authenticates and says NOOP and QUIT, for readiness checks.
func (s *SMTP) Ping(ctx context.Context) error {
	c, err := s.client(ctx)
	if err != nil {
		return fmt.Errorf("mail: ping: %w", err)
	}
	conn, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("mail: ping: %w", err)
	}
	if err := conn.Noop(); err != nil {
		_ = conn.Close()
		return fmt.Errorf("mail: ping: %w", err)
	}
	if err := c.CloseWithSMTPClient(conn); err != nil {
		return fmt.Errorf("mail: ping: %w", err)
	}
	return nil
}

// sendError hides the recipient's address, which go-mail and server
// replies repeat, because these errors end up in logs and the job table.
// Unwrap still gives callers the original.
type sendError struct {
	msg string
	err error
}

func (e *sendError) Error() string { return e.msg }
func (e *sendError) Unwrap() error { return e.err }

func newSendError(to string, err error) error {
	text := err.Error()
	if to != "" {
		text = strings.ReplaceAll(text, to, maskAddress(to))
	}
	kind := "permanent"
	if temporary(err) {
		kind = "temporary"
	}
	return &sendError{
		msg: fmt.Sprintf("mail: send to %s failed (%s): %s", maskAddress(to), kind, text),
		err: err,
	}
}

// temporary reports whether a later attempt may succeed: a 4xx reply, or
// the server being unreachable or slow.
func temporary(err error) bool {
	var se *gomail.SendError
	if errors.As(err, &se) {
		return se.IsTemp()
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code >= 400 && te.Code < 500
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// Log writes messages to a logger instead of sending them, for when no SMTP
// server is configured.
type Log struct {
	logger      *slog.Logger
	includeBody bool
}

// NewLog logs each message's masked recipient and subject and, only when
// includeBody is true (development), its text part, so a developer can
// follow the link. Never the full address.
func NewLog(logger *slog.Logger, includeBody bool) *Log {
	return &Log{logger: logger, includeBody: includeBody}
}

// Send logs m and always succeeds.
func (l *Log) Send(ctx context.Context, m Message) error {
	attrs := []slog.Attr{
		slog.String("to", maskAddress(m.To)),
		slog.String("subject", m.Subject),
	}
	if l.includeBody {
		attrs = append(attrs, slog.String("text", m.Text))
	}
	l.logger.LogAttrs(ctx, slog.LevelInfo, "mail not sent: no SMTP server configured", attrs...)
	return nil
}

// maskAddress keeps enough of an address to tell messages apart:
// "a***@example.com". platform packages may not import each other, hence
// this twin of logging.MaskEmail (which cuts the first byte, not rune).
func maskAddress(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" {
		return "***"
	}
	r, _ := utf8.DecodeRuneInString(local)
	return string(r) + "***@" + domain
}
