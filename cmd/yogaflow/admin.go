package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/yogaflow/yogaflow/internal/app"
	"github.com/yogaflow/yogaflow/internal/config"
	"github.com/yogaflow/yogaflow/internal/store"
)

// multiFlag collects a flag given several times (--role a --role b).
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// subcommand parses "NOUN create --flags" and opens the service.
func subcommand(ctx context.Context, cfg config.Config, logger *slog.Logger, args []string, fs *flag.FlagSet) (*app.App, error) {
	if len(args) == 0 || args[0] != "create" {
		return nil, errUsage
	}
	return openWithFlags(ctx, cfg, logger, args[1:], fs)
}

// openWithFlags parses the flags and opens the service.
func openWithFlags(ctx context.Context, cfg config.Config, logger *slog.Logger, args []string, fs *flag.FlagSet) (*app.App, error) {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return nil, errUsage
	}
	if err := cfg.EnsureDevSecret(); err != nil {
		return nil, err
	}
	return app.New(ctx, cfg, logger, time.Now)
}

func createUser(ctx context.Context, cfg config.Config, logger *slog.Logger, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	email := fs.String("email", "", "the account's email")
	passwordStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	var roles multiFlag
	fs.Var(&roles, "role", "a role: user, editor or admin (repeatable)")
	a, err := subcommand(ctx, cfg, logger, args, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	if *email == "" || !*passwordStdin {
		return errors.New("user create needs --email and --password-stdin (the password is never a flag: it would stay in the shell history)")
	}
	pw, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("reading the password: %w", err)
	}
	if len(roles) == 0 {
		roles = multiFlag{"user"}
	}
	u, err := a.Accounts.CreateUser(ctx, *email, strings.TrimRight(pw, "\r\n"), roles)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created user %s (%s) with roles %s\n", u.ID, u.Email, strings.Join(u.Roles, ", "))
	return nil
}

func createAPIKey(ctx context.Context, cfg config.Config, logger *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("apikey create", flag.ContinueOnError)
	name := fs.String("name", "", "what the key is for")
	expires := fs.String("expires", "", "expiry, RFC 3339 (optional)")
	var scopes multiFlag
	fs.Var(&scopes, "scope", "a permission: content:write, users:manage or flags:manage (repeatable)")
	a, err := subcommand(ctx, cfg, logger, args, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	var expiresAt *time.Time
	if *expires != "" {
		t, err := time.Parse(time.RFC3339, *expires)
		if err != nil {
			return fmt.Errorf("--expires must be RFC 3339, like 2027-01-31T00:00:00Z")
		}
		expiresAt = &t
	}
	k, secret, err := a.Accounts.CreateAPIKey(ctx, nil, *name, scopes, expiresAt, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created API key %s (%s) with scopes %s\n%s\n", k.ID, k.Name, strings.Join(k.Scopes, ", "), secret)
	fmt.Fprintln(stdout, "This is the only time the key is shown: store it now.")
	return nil
}

func seed(ctx context.Context, cfg config.Config, logger *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	force := fs.Bool("force", false, "also overwrite what editors changed")
	a, err := openWithFlags(ctx, cfg, logger, args, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	poses, sequences, err := a.Library.Seed(ctx, *force)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "poses: %s\nsequences: %s\n", poses, sequences)
	return nil
}

// generate fills the database with synthetic users and their practice
// history, for capacity tests.
func generate(ctx context.Context, cfg config.Config, logger *slog.Logger, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	users := fs.Int("users", 100, "how many users")
	sessions := fs.Int("sessions", 10000, "how many practice sessions, shared evenly among the users")
	prefix := fs.String("email-prefix", "load", "users are PREFIX-000001@example.test onwards")
	passwordStdin := fs.Bool("password-stdin", false, "read the users' password from standard input (without it nobody can sign in as them)")
	seedValue := fs.Uint64("seed", 1, "the random seed: the same seed makes the same history")
	sequencesEach := fs.Int("sequences", 0, "how many sequences of their own each user composes")
	a, err := openWithFlags(ctx, cfg, logger, args, fs)
	if err != nil {
		return err
	}
	defer a.Close()
	if *users < 1 || *sessions < 0 || *sequencesEach < 0 {
		return errors.New("generate needs --users of 1 or more, and --sessions and --sequences of 0 or more")
	}
	pw := []byte(rand.Text()) // nobody knows it
	if *passwordStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("reading the password: %w", err)
		}
		pw = []byte(strings.TrimRight(line, "\r\n"))
	}
	hash, err := bcrypt.GenerateFromPassword(pw, cfg.BcryptCost)
	if err != nil {
		return fmt.Errorf("hashing the password: %w", err)
	}
	// Sessions name preset sequences when there are some.
	if _, err := a.Library.SeedIfEmpty(ctx); err != nil {
		return err
	}
	start := time.Now()
	w := store.Workload{Users: *users, Sessions: *sessions, EmailPrefix: *prefix, PasswordHash: string(hash),
		Now: time.Now(), Seed: *seedValue, SequencesEach: *sequencesEach}
	got, err := a.DB.Generate(ctx, w, func(g store.Generated) {
		fmt.Fprintf(stdout, "%d users, %d sessions (%v)\n", g.Users, g.Sessions, time.Since(start).Round(time.Millisecond))
	})
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	fmt.Fprintf(stdout, "generated %d users, %d sessions and %d sequences in %v (%.0f sessions/s); users sign in as %s-000001@example.test onwards\n",
		got.Users, got.Sessions, got.Sequences, elapsed.Round(time.Millisecond), float64(got.Sessions)/elapsed.Seconds(), *prefix)
	return nil
}
