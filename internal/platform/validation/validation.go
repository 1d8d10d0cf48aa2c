// Package validation holds the error every domain returns for a bad value
// in a named field, so the HTTP layer maps one type to 422.
package validation

// Error is a bad value in a named field. Message is written for people and
// reads after the field name: "must be an IANA time zone name".
type Error struct {
	Field   string
	Message string
}

func (e *Error) Error() string { return e.Field + " " + e.Message }

// New returns an *Error.
func New(field, message string) *Error { return &Error{Field: field, Message: message} }
