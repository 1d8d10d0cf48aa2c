package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yogaflow/yogaflow/internal/account"
	"github.com/yogaflow/yogaflow/internal/flags"
	"github.com/yogaflow/yogaflow/internal/library"
	"github.com/yogaflow/yogaflow/internal/platform/outage"
	"github.com/yogaflow/yogaflow/internal/platform/validation"
	"github.com/yogaflow/yogaflow/internal/practice"
)

// ProblemContentType is the media type of every error response (RFC 9457).
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem document with YogaFlow's stable `code`.
type Problem struct {
	Type   string       `json:"type" example:"about:blank" doc:"A URI reference naming the problem type; about:blank, so code and status say it all."`
	Title  string       `json:"title" example:"Unprocessable Entity" doc:"The status text of the HTTP status."`
	Status int          `json:"status" example:"422" doc:"The HTTP status code."`
	Detail string       `json:"detail,omitempty" example:"The request body did not validate." doc:"What went wrong this time, for people."`
	Code   string       `json:"code" example:"validation_failed" doc:"A stable, machine-readable error code."`
	Errors []FieldError `json:"errors,omitempty" doc:"The fields at fault, for validation errors."`
	// ActiveSessionID comes with session_conflict.
	ActiveSessionID string `json:"active_session_id,omitempty" example:"01942f7c-5a2e-7c1a-9b1e-2f7d0c3e4a70" doc:"With session_conflict: the session in progress or paused."`
}

// FieldError names one field at fault. Body fields are named by their JSON
// path (display_name, steps[2].pose_id); other inputs by where they came
// from (query.limit, path.id, header.Idempotency-Key).
type FieldError struct {
	Field   string `json:"field" example:"email" doc:"The field at fault."`
	Message string `json:"message" example:"expected string to be at least 3 characters long" doc:"What is wrong with it."`
}

func (p *Problem) Error() string  { return p.Detail }
func (p *Problem) GetStatus() int { return p.Status }

// ContentType makes huma send problems as application/problem+json.
func (p *Problem) ContentType(string) string { return ProblemContentType }

// Error codes of API.md, by meaning.
const (
	CodeValidationFailed     = "validation_failed"
	CodeMalformedRequest     = "malformed_request"
	CodeUnauthorized         = "unauthorized"
	CodeForbidden            = "forbidden"
	CodeNotFound             = "not_found"
	CodeMethodNotAllowed     = "method_not_allowed"
	CodeNotAcceptable        = "not_acceptable"
	CodeConflict             = "conflict"
	CodePayloadTooLarge      = "payload_too_large"
	CodeUnsupportedMediaType = "unsupported_media_type"
	CodeRateLimited          = "rate_limited"
	CodeUnavailable          = "unavailable"
	CodeInternal             = "internal"
)

// statusCodes gives the code of a problem that has no more specific one.
var statusCodes = map[int]string{
	http.StatusBadRequest:            CodeMalformedRequest,
	http.StatusUnauthorized:          CodeUnauthorized,
	http.StatusForbidden:             CodeForbidden,
	http.StatusNotFound:              CodeNotFound,
	http.StatusMethodNotAllowed:      CodeMethodNotAllowed,
	http.StatusNotAcceptable:         CodeNotAcceptable,
	http.StatusConflict:              CodeConflict,
	http.StatusRequestEntityTooLarge: CodePayloadTooLarge,
	http.StatusUnsupportedMediaType:  CodeUnsupportedMediaType,
	http.StatusUnprocessableEntity:   CodeValidationFailed,
	http.StatusTooManyRequests:       CodeRateLimited,
	http.StatusServiceUnavailable:    CodeUnavailable,
	http.StatusInternalServerError:   CodeInternal,
}

// Codes of API.md that name a domain error.
const (
	CodeEmailTaken         = "email_taken"
	CodeInvalidCredentials = "invalid_credentials" // #nosec G101 -- an error code of API.md, not a credential
	CodeTokenInvalid       = "token_invalid"
	CodeTokenExpired       = "token_expired"
	CodeSessionConflict    = "session_conflict"
	CodeInvalidTransition  = "invalid_transition"
)

// domainErrors is the one table from domain errors to HTTP. Anything not
// listed is a 500.
var domainErrors = []struct {
	err    error
	status int
	code   string
}{
	{account.ErrNotFound, http.StatusNotFound, CodeNotFound},
	{account.ErrEmailTaken, http.StatusConflict, CodeEmailTaken},
	{account.ErrInvalidCredentials, http.StatusUnauthorized, CodeInvalidCredentials},
	{account.ErrWrongPassword, http.StatusUnauthorized, CodeInvalidCredentials},
	{account.ErrTokenInvalid, http.StatusUnauthorized, CodeTokenInvalid},
	{account.ErrTokenExpired, http.StatusUnauthorized, CodeTokenExpired},
	{account.ErrSessionRevoked, http.StatusUnauthorized, CodeUnauthorized},
	{account.ErrBusy, http.StatusServiceUnavailable, CodeUnavailable},
	{outage.ErrUnavailable, http.StatusServiceUnavailable, CodeUnavailable},
	{library.ErrNotFound, http.StatusNotFound, CodeNotFound},
	{library.ErrSlugTaken, http.StatusConflict, CodeConflict},
	{library.ErrPoseInUse, http.StatusConflict, CodeConflict},
	{library.ErrSignInRequired, http.StatusUnauthorized, CodeUnauthorized},
	{practice.ErrNotFound, http.StatusNotFound, CodeNotFound},
	{practice.ErrInvalidTransition, http.StatusConflict, CodeInvalidTransition},
	{flags.ErrNotFound, http.StatusNotFound, CodeNotFound},
	{flags.ErrKeyTaken, http.StatusConflict, CodeConflict},
}

// problemFor is the problem of a domain error, nil if it has none. Its
// detail is the sentinel's own text, which domains write for people
// ("an account with this email already exists"); wrapping is not shown.
func problemFor(err error) *Problem {
	for _, d := range domainErrors {
		if errors.Is(err, d.err) {
			return newProblem(d.status, d.code, sentence(d.err.Error()))
		}
	}
	return nil
}

const internalDetail = "Something went wrong on our side. The request ID in X-Request-ID helps us find out what."

// newProblem builds a problem for status, with detail for people and the
// field errors huma collected. The detail of a 5xx never carries an error's
// text: that goes to the log only.
func newProblem(status int, code, detail string, errs ...error) *Problem {
	if code == "" {
		code = statusCodes[status]
		if code == "" {
			code = CodeInternal
			if status < 500 {
				code = CodeMalformedRequest
			}
		}
	}
	p := &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Code: code, Detail: detail}
	if status >= 500 {
		return p
	}
	for _, err := range errs {
		var d *huma.ErrorDetail
		if errors.As(err, &d) {
			p.Errors = append(p.Errors, FieldError{Field: fieldName(d.Location, d.Message), Message: d.Message})
		} else if err != nil {
			p.Errors = append(p.Errors, FieldError{Message: err.Error()})
		}
	}
	if status == http.StatusUnprocessableEntity && len(p.Errors) > 0 {
		p.Detail = fmt.Sprintf("The request did not validate: %d problem(s), listed in errors.", len(p.Errors))
	}
	return p
}

// fieldName turns huma's "body.steps[2].pose_id" into "steps[2].pose_id";
// other locations keep their prefix so query.limit is not mistaken for a
// body field. A missing property is named, though huma locates it at the
// object that lacks it.
func fieldName(location, message string) string {
	var field string
	if location != "body" {
		field = strings.TrimPrefix(location, "body.")
	}
	name, ok := strings.CutPrefix(message, "expected required property ")
	if name, found := strings.CutSuffix(name, " to be present"); ok && found {
		if field == "" {
			return name
		}
		return field + "." + name
	}
	return field
}

// humaError replaces huma.NewErrorWithContext: every error huma or a
// handler produces becomes a Problem, domain sentinels are mapped through
// domainErrors, and an unexpected error is recorded for the request's log
// line while the client learns nothing internal.
func humaError(ctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
	if status >= 500 {
		for _, err := range errs {
			var ve *validation.Error
			if errors.As(err, &ve) {
				return &Problem{Type: "about:blank", Title: http.StatusText(http.StatusUnprocessableEntity),
					Status: http.StatusUnprocessableEntity, Code: CodeValidationFailed,
					Detail: strings.TrimSuffix(ve.Field+" "+ve.Message, ".") + ".", Errors: []FieldError{{Field: ve.Field, Message: ve.Message}}}
			}
			var conflict *practice.ConflictError
			if errors.As(err, &conflict) {
				p := newProblem(http.StatusConflict, CodeSessionConflict, sentence(conflict.Error()))
				p.ActiveSessionID = conflict.ActiveID
				return p
			}
			if p := problemFor(err); p != nil {
				return p
			}
		}
		if ctx != nil {
			noteError(ctx.Context(), errors.Join(errs...))
		}
		if status == http.StatusInternalServerError {
			msg = internalDetail
		}
		return newProblem(status, "", msg)
	}
	switch {
	case status == http.StatusBadRequest && len(errs) > 0:
		msg = "The request body could not be read as JSON; errors says why."
	case status == http.StatusUnsupportedMediaType && len(errs) > 0:
		// huma's own, of a Content-Type it has no format for.
		msg = "The body must be sent as application/json."
	}
	return newProblem(status, "", sentence(msg), errs...)
}

func sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// writeFailure answers, outside huma, an error a middleware's lookup met
// (a session, an idempotency record): 503 when it is an outage, else 500;
// the cause goes to the request's log line only.
func writeFailure(w http.ResponseWriter, r *http.Request, err error) {
	noteError(r.Context(), err)
	if errors.Is(err, outage.ErrUnavailable) {
		writeProblem(w, newProblem(http.StatusServiceUnavailable, CodeUnavailable, sentence(outage.ErrUnavailable.Error())))
		return
	}
	writeProblem(w, newProblem(http.StatusInternalServerError, "", internalDetail))
}

// writeProblem writes p outside huma (router fallbacks, middleware).
func writeProblem(w http.ResponseWriter, p *Problem) {
	body, _ := json.Marshal(p)
	w.Header().Set("Content-Type", ProblemContentType)
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	w.WriteHeader(p.Status)
	_, _ = w.Write(body)
}
