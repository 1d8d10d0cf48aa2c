// Package outage names a failure that passes: a dependency the service
// cannot answer without is gone for a moment (the database restarting,
// its pool exhausted, SQLite locked past its timeout). The same request
// may succeed when tried again, so clients hear 503 with Retry-After, not
// 500. The package that talks to the dependency classifies its errors;
// the HTTP layer maps ErrUnavailable.
package outage

import "errors"

// ErrUnavailable is matched with errors.Is; its text is for people.
var ErrUnavailable = errors.New("the service is briefly unavailable; try again in a moment")

// Wrap returns cause as an ErrUnavailable that still unwraps to cause, for
// the log.
func Wrap(cause error) error {
	if cause == nil || errors.Is(cause, ErrUnavailable) {
		return cause
	}
	return &unavailable{cause: cause}
}

type unavailable struct{ cause error }

func (e *unavailable) Error() string   { return "unavailable: " + e.cause.Error() }
func (e *unavailable) Unwrap() []error { return []error{ErrUnavailable, e.cause} }
