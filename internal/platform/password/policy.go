// Package password holds the password rules and a bcrypt hasher whose
// concurrency is bounded.
package password

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"github.com/trustelem/zxcvbn/match"
)

// Length limits, in bytes. bcrypt reads only the first 72 bytes, so a longer
// password is refused rather than silently cut.
const (
	MinLength = 8
	MaxLength = 72
)

// Values of RuleError.Rule.
const (
	RuleLength    = "length"
	RuleEncoding  = "encoding"
	RuleUpper     = "upper"
	RuleLower     = "lower"
	RuleDigit     = "digit"
	RuleGuessable = "guessable"
)

// minScore is the lowest zxcvbn score accepted: 2 means about 10^6 guesses
// or more, out of reach of online guessing behind rate limits.
const minScore = 2

// minInputWord keeps one- and two-letter pieces of names and addresses (an
// initial, "jo") out of the user-input dictionary, where they would only add
// noise to the feedback.
const minInputWord = 3

// RuleError says which rule a password broke. Message completes a sentence
// whose subject is the password ("must contain a digit") and never repeats
// any part of the password.
type RuleError struct {
	Rule    string
	Message string
}

func (e *RuleError) Error() string { return "password " + e.Message }

// Inputs are the words, besides zxcvbn's own lists, that a password must not
// be built from: what an attacker who knows whose account it is, and where,
// tries first.
type Inputs struct {
	// User are the user's own details (email address, display name). For
	// an email address Check also uses its local part and the words in
	// it; the feedback calls inputs with an "@" the user's email address
	// and any other the user's name.
	User []string
	// Service are the service's own name and domain ("Yogaflow1" is
	// among the first guesses at any account of it).
	Service []string
}

// Check applies the password rules and returns a *RuleError for the first one
// broken: MinLength to MaxLength bytes of valid UTF-8 (never truncated), at
// least one upper-case letter, one lower-case letter and one digit, and a
// zxcvbn score of at least 2 with the words of in counted as known: a
// password built from them counts as weak.
//
// zxcvbn rates the whole password, and its cost grows faster than the square
// of the length, times the number of l33t substitution tables the password's
// characters call for: under 1 ms for a typical password, about
// 20 ms for a 72-byte passphrase, but about 0.6 s and 60 MB of garbage for a
// crafted 72-byte mix of letters and l33t characters, twice a cost-12 bcrypt
// compare and outside the Hasher's bound. Rating only a prefix would not fix
// that (32 crafted bytes still take about 80 ms) and opens a real gap: the
// first 32 bytes of "Password1" repeated four times rate 3, the whole rates
// 1. So the endpoints that call Check need their rate limits.
func Check(pw string, in Inputs) error {
	switch {
	case len(pw) < MinLength:
		return &RuleError{Rule: RuleLength, Message: fmt.Sprintf("must be at least %d bytes long", MinLength)}
	case len(pw) > MaxLength:
		return &RuleError{Rule: RuleLength, Message: fmt.Sprintf("must be at most %d bytes long (characters outside ASCII take 2 to 4 bytes)", MaxLength)}
	case !utf8.ValidString(pw):
		// JSON decoding never yields this, but a direct caller could, and
		// zxcvbn would rate it 0 with no reason to give.
		return &RuleError{Rule: RuleEncoding, Message: "must be valid UTF-8 text"}
	case !strings.ContainsFunc(pw, unicode.IsUpper):
		return &RuleError{Rule: RuleUpper, Message: "must contain an upper-case letter"}
	case !strings.ContainsFunc(pw, unicode.IsLower):
		return &RuleError{Rule: RuleLower, Message: "must contain a lower-case letter"}
	case !strings.ContainsFunc(pw, unicode.IsDigit):
		return &RuleError{Rule: RuleDigit, Message: "must contain a digit"}
	}
	words := newInputs(in)
	r := zxcvbn.PasswordStrength(pw, words.words)
	if r.Score >= minScore {
		return nil
	}
	return &RuleError{Rule: RuleGuessable, Message: "is too easy to guess: " + words.reason(r.Sequence)}
}

// inputs is the user-input dictionary given to zxcvbn, with where each word
// came from so the feedback can name it.
type inputs struct {
	words  []string
	origin map[string]string // lower-cased word → whose it is, for the feedback
}

// Origins of input words, as the feedback names them.
const (
	fromEmail   = "your email address"
	fromName    = "your name"
	fromService = "the name of this service"
)

func newInputs(given Inputs) inputs {
	in := inputs{origin: make(map[string]string)}
	// Email addresses first, so a word found in both the address and the
	// name (the local part is often passed on its own too) is reported as
	// coming from the address, the one the user is more likely to miss.
	for _, s := range given.User {
		if local, _, ok := strings.Cut(s, "@"); ok {
			in.add(s, fromEmail)
			in.addWords(local, fromEmail)
		}
	}
	for _, s := range given.User {
		if !strings.Contains(s, "@") {
			in.addWords(s, fromName)
		}
	}
	// Whole, not split into words: "yogaflow.app" must not make every
	// "app" in a password a known word.
	for _, s := range given.Service {
		in.add(s, fromService)
	}
	return in
}

// addWords adds s, each word in it and the words run together, so
// "Sarah Connor" and "sarah.connor" both catch "SarahConnor1".
func (in *inputs) addWords(s, origin string) {
	in.add(s, origin)
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, w := range words {
		in.add(w, origin)
	}
	in.add(strings.Join(words, ""), origin)
}

func (in *inputs) add(s, origin string) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) < minInputWord {
		return
	}
	if _, seen := in.origin[s]; seen {
		return
	}
	in.origin[s] = origin
	in.words = append(in.words, s)
}

// reason explains a low score by the longest pattern zxcvbn found, as its
// upstream feedback does, in words fit for an API error message.
func (in inputs) reason(seq []*match.Match) string {
	var longest *match.Match
	for _, m := range seq {
		if m.Pattern != "bruteforce" && (longest == nil || len(m.Token) > len(longest.Token)) {
			longest = m
		}
	}
	if longest == nil {
		return "make it longer or less predictable"
	}
	switch longest.Pattern {
	case "dictionary":
		// Checked before the dictionary name: a name in the user's details
		// may tie with the same name in zxcvbn's own lists.
		if origin, ok := in.origin[longest.MatchedWord]; ok {
			return "it is built from " + origin
		}
		switch longest.DictionaryName {
		case "passwords":
			if len(seq) == 1 {
				return "it is a common password"
			}
			return "it is built from a common password"
		case "female_names", "male_names", "surnames":
			return "it is built from common names"
		default:
			return "it is built from common words"
		}
	case "spatial":
		return "it contains a keyboard pattern"
	case "repeat":
		return "it repeats the same characters or words"
	case "sequence":
		return "it contains a sequence like abc or 123"
	case "regex", "date":
		return "it contains a date or a recent year"
	default:
		return "make it longer or less predictable"
	}
}
