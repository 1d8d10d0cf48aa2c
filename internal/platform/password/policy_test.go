package password_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/yogaflow/yogaflow/internal/platform/password"
)

func TestCheck(t *testing.T) {
	sarah := []string{"sarah.connor@example.com", "Sarah Connor"}
	service := []string{"YogaFlow", "yogaflow.app"}
	tests := []struct {
		name     string
		pw       string
		inputs   []string
		service  []string
		wantRule string // "" when the password is accepted
		wantMsg  string // a part of the message
	}{
		{name: "good", pw: "Tadasana-Sunrise-42"},
		{name: "good with the user's details given", pw: "Tadasana-Sunrise-42", inputs: sarah},
		{name: "good, non-ASCII letters", pw: "Śavāsana-Čaj-42"},
		{name: "good, 8 bytes", pw: "Xk9#qW2m"},
		{name: "good, 72 bytes", pw: strings.Repeat("Tadasana-Sunrise-42-", 4)[:72]},
		{name: "good, 72 bytes of which most are 2-byte letters", pw: "Tadasana-Sunrise-42-" + strings.Repeat("é", 26)},
		{name: "7 bytes", pw: "Xk9#qW2", wantRule: password.RuleLength, wantMsg: "at least 8 bytes"},
		{name: "empty", pw: "", wantRule: password.RuleLength, wantMsg: "at least 8 bytes"},
		{name: "7 bytes in 4 characters", pw: "Éé1ä", wantRule: password.RuleLength, wantMsg: "at least 8 bytes"},
		{name: "73 bytes", pw: strings.Repeat("Tadasana-Sunrise-42-", 4)[:73], wantRule: password.RuleLength, wantMsg: "at most 72 bytes"},
		{name: "73 bytes in 47 characters", pw: "Tadasana-Sunrise-42-" + strings.Repeat("é", 26) + "x", wantRule: password.RuleLength, wantMsg: "at most 72 bytes"},
		{name: "invalid UTF-8", pw: "Tadasana-\xff-42", wantRule: password.RuleEncoding},
		{name: "no upper-case letter", pw: "tadasana-sunrise-42", wantRule: password.RuleUpper, wantMsg: "upper-case letter"},
		{name: "no lower-case letter", pw: "TADASANA-SUNRISE-42", wantRule: password.RuleLower, wantMsg: "lower-case letter"},
		{name: "no digit", pw: "Tadasana-Sunrise-Forty", wantRule: password.RuleDigit, wantMsg: "digit"},
		{name: "common password", pw: "Password1", wantRule: password.RuleGuessable, wantMsg: "it is a common password"},
		{name: "common password, keyboard row", pw: "Qwerty123", wantRule: password.RuleGuessable, wantMsg: "it is a common password"},
		{name: "common password and a year", pw: "Summer2019", wantRule: password.RuleGuessable, wantMsg: "built from a common password"},
		{name: "common name", pw: "1Michael", wantRule: password.RuleGuessable, wantMsg: "built from common names"},
		{name: "repeats", pw: "Aa1Aa1Aa1Aa1", wantRule: password.RuleGuessable, wantMsg: "repeats"},
		// Without the user's details this one scores 2 and passes (below).
		{name: "built from the email address", pw: "SarahConnor1", inputs: sarah, wantRule: password.RuleGuessable, wantMsg: "built from your email address"},
		{name: "built from the email address, local part also given", pw: "SarahConnor1", inputs: []string{"Sarah Connor", "sarah.connor", "sarah.connor@example.com"}, wantRule: password.RuleGuessable, wantMsg: "built from your email address"},
		{name: "built from the display name", pw: "SarahConnor1", inputs: []string{"Sarah Connor"}, wantRule: password.RuleGuessable, wantMsg: "built from your name"},
		{name: "same password, no details given", pw: "SarahConnor1"},
		{name: "name and year with the user's details", pw: "Sarah1984", inputs: sarah, wantRule: password.RuleGuessable, wantMsg: "built from your email address"},
		// Without the service's words these score 2 and pass (below).
		{name: "built from the service's name", pw: "Yogaflow1", service: service, wantRule: password.RuleGuessable, wantMsg: "built from the name of this service"},
		{name: "built from the service's name, upper case", pw: "YOGAFLOWa1", service: service, wantRule: password.RuleGuessable, wantMsg: "built from the name of this service"},
		{name: "built from the service's domain", pw: "Yogaflow.app1", service: service, wantRule: password.RuleGuessable, wantMsg: "built from the name of this service"},
		{name: "service's name, no service words given", pw: "Yogaflow1"},
		{name: "good with the service's words given", pw: "Tadasana-Sunrise-42", inputs: sarah, service: service},
		{name: "a word of the domain alone is not the service's", pw: "Happy-Apple-Tree-42", service: service},
		// Its first 32 bytes rate 3: the whole password must be rated.
		{name: "long repeat of a common password", pw: strings.Repeat("Password1", 4), wantRule: password.RuleGuessable, wantMsg: "repeats"},
		{name: "long repeat of a common password, strong tail", pw: strings.Repeat("Password1", 4) + "-Xq7#vR2mK9!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := password.Check(tt.pw, password.Inputs{User: tt.inputs, Service: tt.service})
			if tt.wantRule == "" {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want nil", tt.pw, err)
				}
				return
			}
			var re *password.RuleError
			if !errors.As(err, &re) {
				t.Fatalf("Check(%q) = %v, want a *RuleError", tt.pw, err)
			}
			if re.Rule != tt.wantRule || !strings.Contains(re.Message, tt.wantMsg) {
				t.Errorf("Check(%q) = {%q, %q}, want rule %q and a message containing %q", tt.pw, re.Rule, re.Message, tt.wantRule, tt.wantMsg)
			}
			if tt.pw != "" && strings.Contains(re.Message, tt.pw) {
				t.Errorf("message %q repeats the password", re.Message)
			}
		})
	}
}

func TestRuleErrorMessages(t *testing.T) {
	// The messages go to API clients as they are: they must not give away
	// any part of the password or of the user's details.
	secrets := []string{"sarah", "connor", "michael", "qwerty", "1984", "aa1"}
	for _, pw := range []string{"SarahConnor1", "Sarah1984", "1Michael", "Qwerty123", "Aa1Aa1Aa1Aa1", "Password1"} {
		var re *password.RuleError
		if !errors.As(password.Check(pw, password.Inputs{User: []string{"sarah.connor@example.com"}}), &re) {
			t.Fatalf("Check(%q) accepted a weak password", pw)
		}
		for _, s := range secrets {
			if strings.Contains(strings.ToLower(re.Message), s) {
				t.Errorf("Check(%q): message %q contains %q", pw, re.Message, s)
			}
		}
	}
	err := password.Check("tadasana-sunrise-42", password.Inputs{})
	if got, want := err.Error(), "password must contain an upper-case letter"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// BenchmarkCheck measures Check, zxcvbn included, on typical and on long
// input.
func BenchmarkCheck(b *testing.B) {
	inputs := []string{"sarah.connor@example.com", "Sarah Connor"}
	for _, c := range []struct{ name, pw string }{
		{"typical-19B", "Tadasana-Sunrise-42"},
		{"passphrase-72B", strings.Repeat("Tadasana-Sunrise-42-", 4)[:72]},
		// Every l33t character: zxcvbn runs its dictionaries once per
		// substitution table.
		{"crafted-72B", strings.Repeat("4@8({[<3|!1|7$5+%2aA", 4)[:72]},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if err := password.Check(c.pw, password.Inputs{User: inputs}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
