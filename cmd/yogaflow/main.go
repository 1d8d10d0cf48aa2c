// Command yogaflow is the YogaFlow service and its operator's tool.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/yogaflow/yogaflow/internal/app"
	"github.com/yogaflow/yogaflow/internal/config"
	"github.com/yogaflow/yogaflow/internal/platform/logging"
)

const usage = `yogaflow: the YogaFlow service.

Usage:
  yogaflow [serve]            migrate the database up and serve HTTP (the default)
  yogaflow migrate up         apply pending schema migrations
  yogaflow migrate down       roll back the newest schema migration
  yogaflow migrate status     list schema migrations and the job queue's schema
  yogaflow seed [--force]     (re)load the built-in pose library and preset sequences; --force
                              also overwrites what editors changed
  yogaflow user create --email E [--role R]... --password-stdin
                              make an account (the first admin, say); the password is read from standard input
  yogaflow apikey create --name N --scope S [--scope S]... [--expires 2027-01-31T00:00:00Z]
                              make an API key and print it, once
  yogaflow generate [--users N] [--sessions M] [--sequences K] [--email-prefix P] [--password-stdin] [--seed S]
                              fill the database with synthetic users and practice history, for
                              capacity tests (batched inserts: a million sessions in minutes)

Configuration comes from YOGAFLOW_* environment variables; see README.md.
`

// errUsage marks a command line that makes no sense: exit status 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], config.Environ(), os.Stdin, os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, errUsage):
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "yogaflow:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, environ map[string]string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}

	cfg, err := config.Load(environ)
	if err != nil {
		// One bad value is one line; several, one line each below.
		sep := " "
		if strings.Contains(err.Error(), "\n") {
			sep = "\n"
		}
		return fmt.Errorf("configuration:%s%w", sep, err)
	}
	logger := logging.New(stderr, cfg.LogFormat, cfg.LogLevelValue())

	switch cmd {
	case "serve":
		if len(args) > 0 {
			return errUsage
		}
		return serve(ctx, cfg, logger)
	case "migrate":
		if len(args) != 1 || !slices.Contains([]string{"up", "down", "status"}, args[0]) {
			return errUsage
		}
		return migrate(ctx, cfg, args[0], stdout)
	case "seed":
		return seed(ctx, cfg, logger, args, stdout)
	case "user":
		return createUser(ctx, cfg, logger, args, stdin, stdout)
	case "apikey":
		return createAPIKey(ctx, cfg, logger, args, stdout)
	case "generate":
		return generate(ctx, cfg, logger, args, stdin, stdout)
	}
	return errUsage
}

func serve(ctx context.Context, cfg config.Config, logger *slog.Logger) error {
	if err := cfg.EnsureDevSecret(); err != nil {
		return err
	}
	logger.Info("starting", slog.String("version", app.Version), slog.Any("config", cfg))
	a, err := app.New(ctx, cfg, logger, time.Now)
	if err != nil {
		return err
	}
	if seeded, err := a.Library.SeedIfEmpty(ctx); err != nil {
		_ = a.Close()
		return fmt.Errorf("loading the built-in library: %w", err)
	} else if seeded {
		logger.Info("loaded the built-in pose library and preset sequences into the new database")
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		_ = a.Close()
		return err
	}
	if err := a.Serve(ctx, ln); err != nil {
		return err
	}
	logger.Info("stopped")
	return nil
}

func migrate(ctx context.Context, cfg config.Config, direction string, stdout io.Writer) error {
	db, err := app.OpenDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()

	switch direction {
	case "up":
		if err := db.MigrateUp(ctx); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "migrated up")
		return nil
	case "down":
		m, err := db.MigrateDown(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "rolled back %d (%s)\n", m.Version, m.Name)
		return nil
	case "status":
		st, err := db.Migrations(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "VERSION\tNAME\tAPPLIED")
		for _, m := range st {
			applied := "pending"
			if m.Applied {
				applied = m.AppliedAt.UTC().Format("2006-01-02T15:04:05Z")
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\n", m.Version, m.Name, applied)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		applied, newest, err := db.QueueSchema(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "job queue schema: version %d of %d\n", applied, newest)
	}
	return nil
}
