// Package logging builds the service's structured logger.
package logging

import (
	"io"
	"log/slog"
	"strings"
)

// New returns a JSON (or, for people reading a terminal, text) logger.
func New(w io.Writer, format string, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// MaskEmail keeps enough of an address to tell accounts apart in a log
// without writing the address itself: "a***@example.com".
func MaskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return "***"
	}
	return local[:1] + "***@" + domain
}
