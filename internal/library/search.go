package library

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// How well a search matches a pose, best first: a whole name, the start
// of a name, the start of a word in a name, anywhere in a name, and every
// word of the search within one typo of a word of the names.
const (
	MatchName = iota
	MatchNamePrefix
	MatchWordPrefix
	MatchSubstring
	MatchTypo
)

// minTypoWord is the shortest word a typo is forgiven in: shorter, one
// letter off matches too much ("crow" would find "cow").
const minTypoWord = 5

// Match says how well q, folded by FoldQuery, matches a pose's names, and
// whether it matches at all.
func Match(q, english, sanskrit string) (rank int, ok bool) {
	words := searchWords(q)
	if len(words) == 0 {
		return 0, false
	}
	best := -1
	for _, name := range []string{fold(english), fold(sanskrit)} {
		r := -1
		switch i := strings.Index(name, q); {
		case name == q:
			r = MatchName
		case i == 0:
			r = MatchNamePrefix
		case i > 0 && wordStartAt(name, q, i):
			r = MatchWordPrefix
		case i > 0:
			r = MatchSubstring
		}
		if r >= 0 && (best < 0 || r < best) {
			best = r
		}
	}
	if best >= 0 {
		return best, true
	}
	names := searchWords(fold(english + " " + sanskrit))
	for _, w := range words {
		if !anyWord(names, func(n string) bool { return strings.Contains(n, w) || typo(w, n) }) {
			return 0, false
		}
	}
	return MatchTypo, true
}

// wordStartAt says whether q occurs in name at a word's start, looking
// from its first occurrence at i.
func wordStartAt(name, q string, i int) bool {
	for ; i >= 0; i = nextIndex(name, q, i) {
		if r, _ := utf8.DecodeLastRuneInString(name[:i]); i == 0 || !isWordRune(r) {
			return true
		}
	}
	return false
}

func nextIndex(s, sub string, after int) int {
	j := strings.Index(s[after+1:], sub)
	if j < 0 {
		return -1
	}
	return after + 1 + j
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// searchWords splits folded text into its words.
func searchWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !isWordRune(r) })
}

func anyWord(words []string, match func(string) bool) bool {
	for _, w := range words {
		if match(w) {
			return true
		}
	}
	return false
}

// typo says whether w and n, words of minTypoWord letters or more, are one
// edit apart: a letter added, left out, changed, or two letters swapped.
func typo(w, n string) bool {
	a, b := []rune(w), []rune(n)
	if len(a) < minTypoWord || len(b) < minTypoWord || abs(len(a)-len(b)) > 1 {
		return false
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if i == len(a) {
		return true // equal, or one letter added at the end
	}
	if len(a) < len(b) {
		return string(a[i:]) == string(b[i+1:])
	}
	if string(a[i+1:]) == string(b[i+1:]) {
		return true
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && string(a[i+2:]) == string(b[i+2:])
}

// Search terms index a pose's names so that a store finds the poses a
// search may match without reading them all: each word of the names
// gives its suffixes (a search word is a prefix of one of them when it
// occurs in the word) and, from minTypoWord letters, typo keys: the word
// and the word with each letter left out. Two words one edit apart share
// a typo key.
type SearchTerms struct {
	Suffixes []string
	TypoKeys []string
}

// IndexTerms are the search terms of a pose's names.
func IndexTerms(english, sanskrit string) SearchTerms {
	var t SearchTerms
	seen := map[string]bool{}
	add := func(list *[]string, kind, term string) {
		if !seen[kind+term] {
			seen[kind+term] = true
			*list = append(*list, term)
		}
	}
	for _, w := range searchWords(SearchText(english, sanskrit)) {
		r := []rune(w)
		for i := range r {
			add(&t.Suffixes, "s", string(r[i:]))
		}
		for _, k := range typoKeys(w) {
			add(&t.TypoKeys, "t", k)
		}
	}
	return t
}

// QueryWords are the words of a folded search, each with the typo keys
// that find its typos (none for a short word).
func QueryWords(q string) []QueryWord {
	var out []QueryWord
	for _, w := range searchWords(q) {
		out = append(out, QueryWord{Word: w, TypoKeys: typoKeys(w)})
	}
	return out
}

// QueryWord is one word of a search.
type QueryWord struct {
	Word     string
	TypoKeys []string
}

func typoKeys(w string) []string {
	r := []rune(w)
	if len(r) < minTypoWord {
		return nil
	}
	keys := []string{w}
	for i := range r {
		k := string(r[:i]) + string(r[i+1:])
		if k != keys[len(keys)-1] {
			keys = append(keys, k)
		}
	}
	return sortedUnique(keys)
}
