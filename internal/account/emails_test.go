package account

import (
	"strings"
	"testing"
	"time"

	"github.com/yogaflow/yogaflow/internal/platform/mail"
)

const testLink = "https://yogaflow.test/verify-email?token=k3Jd-9_xQ"

var emailBuilders = []struct {
	name       string
	build      func(to, displayName, link string, validFor time.Duration) mail.Message
	validFor   time.Duration
	wantPhrase []string // in both parts
}{
	{"verification", VerificationEmail, 24 * time.Hour, []string{"valid for 24 hours", "confirm your email"}},
	{"reset", ResetEmail, time.Hour, []string{"valid for 1 hour", "If you didn't ask to reset your password, you can ignore this email"}},
}

func TestEmailContent(t *testing.T) {
	for _, b := range emailBuilders {
		t.Run(b.name, func(t *testing.T) {
			m := b.build("asha@example.com", "Asha", testLink, b.validFor)
			if m.To != "asha@example.com" || m.Subject == "" {
				t.Errorf("To %q, Subject %q", m.To, m.Subject)
			}
			for part, body := range map[string]string{"text": m.Text, "HTML": htmlText(m.HTML)} {
				for _, want := range append([]string{"Hi Asha,", testLink}, b.wantPhrase...) {
					if !strings.Contains(body, want) {
						t.Errorf("%s part lacks %q:\n%s", part, want, body)
					}
				}
			}
			if !strings.Contains(m.HTML, `href="`+testLink+`"`) {
				t.Errorf("HTML has no link to %s:\n%s", testLink, m.HTML)
			}
			if strings.Contains(m.Text, "<") {
				t.Errorf("text part has markup:\n%s", m.Text)
			}
			// Nothing but the link itself may point outside the email.
			rest := strings.ReplaceAll(m.HTML, testLink, "")
			for _, bad := range []string{"://", "<img", "<script", "<link", "<style", "src="} {
				if strings.Contains(rest, bad) {
					t.Errorf("HTML contains %q:\n%s", bad, m.HTML)
				}
			}
		})
	}
}

func TestEmailDisplayName(t *testing.T) {
	tests := []struct {
		name, displayName string
		wantText          string
		wantHTML          string
	}{
		{"empty", "", "Hi there,", "Hi there,"},
		{"blank", " \t ", "Hi there,", "Hi there,"},
		{"newlines folded", " Asha\n\nRao ", "Hi Asha Rao,", "Hi Asha Rao,"},
		{"markup escaped", "<script>alert(1)</script>", "Hi <script>alert(1)</script>,", "Hi &lt;script&gt;alert(1)&lt;/script&gt;,"},
		{"ampersand", "Ana & Bo", "Hi Ana & Bo,", "Hi Ana &amp; Bo,"},
	}
	for _, b := range emailBuilders {
		for _, tt := range tests {
			t.Run(b.name+"/"+tt.name, func(t *testing.T) {
				m := b.build("asha@example.com", tt.displayName, testLink, b.validFor)
				if !strings.Contains(m.Text, tt.wantText+"\n") {
					t.Errorf("text part lacks %q:\n%s", tt.wantText, m.Text)
				}
				if !strings.Contains(m.HTML, ">"+tt.wantHTML+"<") {
					t.Errorf("HTML part lacks %q:\n%s", tt.wantHTML, m.HTML)
				}
				if strings.Contains(m.HTML, "<script") {
					t.Errorf("HTML part lets markup through:\n%s", m.HTML)
				}
			})
		}
	}
}

func TestEmailValidity(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{24 * time.Hour, "24 hours"},
		{time.Hour, "1 hour"},
		{2 * time.Hour, "2 hours"},
		{30 * time.Minute, "30 minutes"},
		{90 * time.Minute, "90 minutes"},
		{time.Minute, "1 minute"},
		{90 * time.Second, "1 minute"},
	}
	for _, tt := range tests {
		if got := humanDuration(tt.d); got != tt.want {
			t.Errorf("humanDuration(%s) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// htmlText is the HTML with tags dropped, whitespace folded and the few
// entities html/template writes undone, so phrases can be looked for
// across the markup.
func htmlText(h string) string {
	var b strings.Builder
	inTag := false
	for _, r := range h {
		switch {
		case r == '<':
			inTag = true
			b.WriteRune(' ')
		case r == '>':
			inTag = false
		case !inTag:
			b.WriteRune(r)
		}
	}
	text := strings.Join(strings.Fields(b.String()), " ")
	return strings.NewReplacer("&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`).Replace(text)
}
