// Package errtrack builds the Sentry client that receives the service's
// errors, with what must never leave the service scrubbed from every event
// it sends.
package errtrack

import (
	"fmt"
	"net/http"
	"reflect"
	"regexp"

	"github.com/getsentry/sentry-go"
)

// Config is what New needs.
type Config struct {
	DSN string
	// TracesSampleRate is the share of requests sent as transactions.
	TracesSampleRate float64
	Environment      string
	Release          string
	// Transport replaces sending over HTTP (tests capture events with it).
	Transport sentry.Transport
}

// New returns a Sentry client whose every event, error or transaction,
// goes through scrub before it is sent.
func New(c Config) (*sentry.Client, error) {
	client, err := sentry.NewClient(sentry.ClientOptions{
		Dsn:                   c.DSN,
		Environment:           c.Environment,
		Release:               c.Release,
		EnableTracing:         true,
		TracesSampleRate:      c.TracesSampleRate,
		SendDefaultPII:        false,
		BeforeSend:            scrub,
		BeforeSendTransaction: scrub,
		Transport:             c.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("sentry: %w", err)
	}
	return client, nil
}

// secretHeaders carry credentials or session state; Sentry's own list
// misses X-API-Key, and SendDefaultPII is one switch away from sending all.
var secretHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-API-Key", "X-Forwarded-For", "X-Real-Ip"}

// emailPattern finds email addresses in free text: error messages, panic
// values and URLs can carry them.
var emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)

// scrub removes what an event must not carry: credential headers, cookies,
// the query string and body (which can hold tokens and passwords), what
// identifies a user beyond their ID, and every email address, wherever in
// the event it is.
func scrub(e *sentry.Event, _ *sentry.EventHint) *sentry.Event {
	if r := e.Request; r != nil {
		for name := range r.Headers {
			for _, secret := range secretHeaders {
				if http.CanonicalHeaderKey(name) == http.CanonicalHeaderKey(secret) {
					delete(r.Headers, name)
				}
			}
		}
		r.Cookies, r.QueryString, r.Data, r.Env = "", "", "", nil
	}
	e.User = sentry.User{ID: e.User.ID}
	maskEmails(reflect.ValueOf(e), 0)
	return e
}

// maxDepth bounds the walk: an event is a shallow tree, and a value that
// points back into itself must not loop.
const maxDepth = 16

// maskEmails replaces the email addresses in every string v reaches
// through exported fields, slices, maps and interfaces.
func maskEmails(v reflect.Value, depth int) {
	if depth > maxDepth {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			maskEmails(v.Elem(), depth+1)
		}
	case reflect.Interface:
		if !v.IsNil() && v.CanSet() {
			v.Set(masked(v.Elem(), depth))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				maskEmails(v.Field(i), depth+1)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			maskEmails(v.Index(i), depth+1)
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			v.SetMapIndex(iter.Key(), masked(iter.Value(), depth))
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(emailPattern.ReplaceAllString(v.String(), "[email]"))
		}
	}
}

// masked is a settable copy of v (a map value or an interface's content,
// which cannot be changed in place) with its email addresses masked.
func masked(v reflect.Value, depth int) reflect.Value {
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	maskEmails(c, depth+1)
	return c
}
