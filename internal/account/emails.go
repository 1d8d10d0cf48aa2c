package account

import (
	htmltemplate "html/template"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/yogaflow/yogaflow/internal/platform/mail"
)

// VerificationEmail builds the email that confirms a new account's address.
// link is the full URL with the token (built by the caller from
// YOGAFLOW_PUBLIC_URL); validFor is how long the token lasts.
func VerificationEmail(to, displayName, link string, validFor time.Duration) mail.Message {
	return renderEmail(to, emailContent{
		Subject:  "Please confirm your email for YogaFlow",
		Greeting: greeting(displayName),
		Intro:    "Welcome to YogaFlow, we're glad you're here. Please confirm your email address so we can keep your account safe:",
		Action:   "Confirm my email",
		Link:     link,
		Validity: "This link is valid for " + humanDuration(validFor) + ".",
		Ignore:   "If you didn't sign up for YogaFlow, you can ignore this email.",
	})
}

// ResetEmail builds the email that lets someone choose a new password.
// link and validFor are as for VerificationEmail.
func ResetEmail(to, displayName, link string, validFor time.Duration) mail.Message {
	return renderEmail(to, emailContent{
		Subject:  "Reset your YogaFlow password",
		Greeting: greeting(displayName),
		Intro:    "We received a request to reset the password for your YogaFlow account. You can choose a new one here:",
		Action:   "Choose a new password",
		Link:     link,
		Validity: "This link is valid for " + humanDuration(validFor) + ".",
		Ignore:   "If you didn't ask to reset your password, you can ignore this email and your password will stay the same.",
	})
}

type emailContent struct {
	Subject, Greeting, Intro, Action, Link, Validity, Ignore string
}

var emailText = texttemplate.Must(texttemplate.New("text").Parse(`{{.Greeting}}

{{.Intro}}

{{.Link}}

{{.Validity}} {{.Ignore}}

Breathe easy,
The YogaFlow team
`))

// emailHTML uses inline styles only, because many mail clients drop <style>
// blocks, and loads nothing from outside, so it renders the same offline
// and tells no tracker it was opened. html/template escapes the display
// name and refuses a link that is not http(s).
var emailHTML = htmltemplate.Must(htmltemplate.New("html").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Subject}}</title>
</head>
<body style="margin:0;padding:24px 12px;background-color:#f6f4ef;color:#1f2a2e;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;">
<div role="article" aria-label="{{.Subject}}" style="max-width:560px;margin:0 auto;padding:32px 24px;background-color:#ffffff;border-radius:8px;">
<p style="margin:0 0 16px;">{{.Greeting}}</p>
<p style="margin:0 0 24px;">{{.Intro}}</p>
<p style="margin:0 0 24px;"><a href="{{.Link}}" style="display:inline-block;padding:12px 24px;background-color:#2f6b5a;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:bold;">{{.Action}}</a></p>
<p style="margin:0 0 24px;font-size:14px;color:#4a5a5e;">If the button doesn't work, copy this link into your browser:<br><a href="{{.Link}}" style="color:#2f6b5a;word-break:break-all;">{{.Link}}</a></p>
<p style="margin:0 0 24px;">{{.Validity}} {{.Ignore}}</p>
<p style="margin:0;">Breathe easy,<br>The YogaFlow team</p>
</div>
</body>
</html>
`))

func renderEmail(to string, c emailContent) mail.Message {
	var text, html strings.Builder
	// The templates are fixed and the data is only strings written to
	// memory, so an error here is a bug in this file.
	if err := emailText.Execute(&text, c); err != nil {
		panic(err)
	}
	if err := emailHTML.Execute(&html, c); err != nil {
		panic(err)
	}
	return mail.Message{To: to, Subject: c.Subject, Text: text.String(), HTML: html.String()}
}

// greeting folds runs of whitespace, newlines included, so a display name
// cannot add lines of its own to the email.
func greeting(displayName string) string {
	name := strings.Join(strings.Fields(displayName), " ")
	if name == "" {
		return "Hi there,"
	}
	return "Hi " + name + ","
}

// humanDuration says a token lifetime the way people do: "24 hours",
// "1 hour", "30 minutes". It rounds down to whole minutes, so it does not
// promise more time than the token has.
func humanDuration(d time.Duration) string {
	if d >= time.Hour && d%time.Hour == 0 {
		return plural(int(d/time.Hour), "hour")
	}
	return plural(max(1, int(d/time.Minute)), "minute")
}

func plural(n int, unit string) string {
	s := strconv.Itoa(n) + " " + unit
	if n != 1 {
		s += "s"
	}
	return s
}
