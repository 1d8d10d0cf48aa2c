// Package config loads and validates YogaFlow's settings from the environment.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/yogaflow/yogaflow/internal/platform/ratelimit"
)

// Environments YogaFlow knows.
const (
	EnvDevelopment = "development"
	EnvProduction  = "production"
)

// MinJWTSecretBytes is the shortest HS256 secret production accepts.
const MinJWTSecretBytes = 32

// Config is every setting of the service. It is built once by Load and passed
// down explicitly; nothing reads the environment after start.
type Config struct {
	Addr           string        `env:"ADDR" envDefault:":8080"`
	DatabaseURL    string        `env:"DATABASE_URL" envDefault:"sqlite:yogaflow.db"`
	RedisURL       string        `env:"REDIS_URL"`
	RedisPrefix    string        `env:"REDIS_PREFIX" envDefault:"yogaflow:"`
	JWTSecret      string        `env:"JWT_SECRET"`
	Env            string        `env:"ENV" envDefault:"development"`
	PublicURL      string        `env:"PUBLIC_URL" envDefault:"http://localhost:8080"`
	SMTPURL        string        `env:"SMTP_URL"`
	CORSOrigins    []string      `env:"CORS_ORIGINS" envSeparator:","`
	TrustedProxies []string      `env:"TRUSTED_PROXIES" envSeparator:","`
	BcryptCost     int           `env:"BCRYPT_COST" envDefault:"12"`
	HashWait       time.Duration `env:"HASH_WAIT" envDefault:"2s"`
	// HashSlots is how many passwords are hashed at once; 0 is one fewer
	// than the cores the process may use (at least one), which leaves a
	// core to every other request during a storm of sign-ins.
	HashSlots       int           `env:"HASH_SLOTS" envDefault:"0"`
	AccessTokenTTL  time.Duration `env:"ACCESS_TOKEN_TTL" envDefault:"15m"`
	RefreshTokenTTL time.Duration `env:"REFRESH_TOKEN_TTL" envDefault:"720h"`
	// RefreshReuseGrace is how long after a rotation the rotated refresh
	// token still answers, with the same new one: two page loads at once
	// spend one token. 0 turns it off.
	RefreshReuseGrace time.Duration `env:"REFRESH_REUSE_GRACE" envDefault:"10s"`
	VerifyTokenTTL    time.Duration `env:"VERIFY_TOKEN_TTL" envDefault:"24h"`
	ResetTokenTTL     time.Duration `env:"RESET_TOKEN_TTL" envDefault:"1h"`
	LogFormat         string        `env:"LOG_FORMAT" envDefault:"json"`
	LogLevel          string        `env:"LOG_LEVEL" envDefault:"info"`
	ShutdownTimeout   time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"15s"`
	// ReadHeaderTimeout is how long a client may take to send its request's
	// headers before the connection is closed (slow loris).
	ReadHeaderTimeout time.Duration `env:"READ_HEADER_TIMEOUT" envDefault:"5s"`
	// SlowQuery is the duration past which a statement is logged.
	SlowQuery time.Duration `env:"SLOW_QUERY" envDefault:"100ms"`

	// OTLPEndpoint is where spans go over OTLP/HTTP; tracing is off while
	// it is unset. Read from OpenTelemetry's own variable, unprefixed, so
	// the usual collector setups work unchanged.
	OTLPEndpoint string `env:"-"`
	// SentryDSN turns error tracking on; SentryTracesSampleRate is the
	// share of requests Sentry also receives as transactions.
	SentryDSN              string  `env:"SENTRY_DSN"`
	SentryTracesSampleRate float64 `env:"SENTRY_TRACES_SAMPLE_RATE" envDefault:"0.1"`

	// Request limits, as requests/window (API.md's defaults).
	RateLimitAuth    ratelimit.Rate `env:"RATE_LIMIT_AUTH" envDefault:"5/1m"`    // per client IP, sign-in and email endpoints
	RateLimitAccount ratelimit.Rate `env:"RATE_LIMIT_ACCOUNT" envDefault:"5/1m"` // failed logins per account from one client (its /24 or /64, or a known device)
	// RateLimitAccountCeiling is the failed logins per account from every
	// client it does not know, together: a known device is not held back
	// by it, so guesses from many addresses cannot lock the owner out.
	RateLimitAccountCeiling ratelimit.Rate `env:"RATE_LIMIT_ACCOUNT_CEILING" envDefault:"50/1m"`
	RateLimitReset          ratelimit.Rate `env:"RATE_LIMIT_RESET" envDefault:"5/1m"`    // password reset requests per account
	RateLimitPublic         ratelimit.Rate `env:"RATE_LIMIT_PUBLIC" envDefault:"100/1m"` // per client IP, anonymous API requests
	RateLimitUser           ratelimit.Rate `env:"RATE_LIMIT_USER" envDefault:"1000/1h"`  // per user or API key, signed-in requests

	// JWTSecretGenerated is set when the secret was made (or read back) by
	// EnsureDevSecret rather than configured.
	JWTSecretGenerated bool `env:"-"`
}

// Load reads the configuration from environ (os.Environ() in production,
// a map in tests) and validates it.
func Load(environ map[string]string) (Config, error) {
	var cfg Config
	if err := env.ParseWithOptions(&cfg, env.Options{Environment: environ, Prefix: envPrefix}); err != nil {
		return Config{}, parseErrors(err)
	}
	cfg.OTLPEndpoint = strings.TrimSpace(environ[OTLPEndpointEnv])
	cfg.CORSOrigins = trimAll(cfg.CORSOrigins)
	cfg.TrustedProxies = trimAll(cfg.TrustedProxies)
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

const envPrefix = "YOGAFLOW_"

// OTLPEndpointEnv is OpenTelemetry's standard variable for the collector's
// base URL.
const OTLPEndpointEnv = "OTEL_EXPORTER_OTLP_ENDPOINT"

// parseErrors names the variable behind each value env could not parse.
func parseErrors(err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return err
	}
	out := make([]error, 0, len(agg.Errors))
	for _, e := range agg.Errors {
		var pe env.ParseError
		if !errors.As(e, &pe) {
			out = append(out, e)
			continue
		}
		name := pe.Name
		if f, ok := reflect.TypeFor[Config]().FieldByName(pe.Name); ok {
			name = envPrefix + f.Tag.Get("env")
		}
		if pe.Type.PkgPath() != "" {
			// A type of its own (a rate, a duration) says what it wants.
			out = append(out, fmt.Errorf("%s: %v", name, pe.Err))
			continue
		}
		out = append(out, fmt.Errorf("%s: not a valid %s", name, pe.Type))
	}
	return errors.Join(out...)
}

// Environ returns the process environment as a map, for Load.
func Environ() map[string]string {
	m := make(map[string]string)
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

func trimAll(in []string) []string {
	out := in[:0]
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Validate reports every bad value at once, one line per variable, so an
// operator fixes them in one pass.
func (c Config) Validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf(envPrefix+"%s: "+format, append([]any{name}, args...)...))
	}

	if c.Env != EnvDevelopment && c.Env != EnvProduction {
		bad("ENV", "must be %q or %q, got %q", EnvDevelopment, EnvProduction, c.Env)
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		bad("ADDR", "must be host:port (for example :8080), got %q", c.Addr)
	}
	if _, err := ParseDatabaseURL(c.DatabaseURL); err != nil {
		bad("DATABASE_URL", "%v", err)
	}
	if c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
			bad("REDIS_URL", "must be redis://host:port/db or rediss://...")
		}
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("PUBLIC_URL", "must be an absolute http(s) URL, got %q", c.PublicURL)
	}
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			bad("SMTP_URL", "must be smtp://user:pass@host:port or smtps://...")
		}
	}
	for _, o := range c.CORSOrigins {
		if o == "*" {
			if c.Env == EnvProduction {
				bad("CORS_ORIGINS", "a wildcard origin is refused in production")
			}
			continue
		}
		if u, err := url.Parse(o); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			bad("CORS_ORIGINS", "%q is not an origin like https://app.example.com", o)
		}
	}
	if _, err := ParsePrefixes(c.TrustedProxies); err != nil {
		bad("TRUSTED_PROXIES", "%v", err)
	}
	if c.OTLPEndpoint != "" {
		if u, err := url.Parse(c.OTLPEndpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s: must be the collector's http(s) base URL, like http://localhost:4318", OTLPEndpointEnv))
		}
	}
	if c.SentryDSN != "" {
		if u, err := url.Parse(c.SentryDSN); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User.Username() == "" || u.Host == "" {
			bad("SENTRY_DSN", "must be a DSN like https://KEY@o0.ingest.sentry.io/PROJECT")
		}
	}
	if c.SentryTracesSampleRate < 0 || c.SentryTracesSampleRate > 1 {
		bad("SENTRY_TRACES_SAMPLE_RATE", "must be between 0 and 1, got %g", c.SentryTracesSampleRate)
	}
	if c.RefreshReuseGrace < 0 || c.RefreshReuseGrace > time.Minute {
		bad("REFRESH_REUSE_GRACE", "must be between 0 (off) and 1m, like 10s")
	}
	if c.BcryptCost < 4 || c.BcryptCost > 31 {
		bad("BCRYPT_COST", "must be between 4 and 31, got %d", c.BcryptCost)
	}
	if c.HashSlots < 0 {
		bad("HASH_SLOTS", "must be 0 (one fewer than the cores) or more, got %d", c.HashSlots)
	}
	for name, d := range map[string]time.Duration{
		"HASH_WAIT": c.HashWait, "ACCESS_TOKEN_TTL": c.AccessTokenTTL, "REFRESH_TOKEN_TTL": c.RefreshTokenTTL,
		"VERIFY_TOKEN_TTL": c.VerifyTokenTTL, "RESET_TOKEN_TTL": c.ResetTokenTTL, "SLOW_QUERY": c.SlowQuery,
		"READ_HEADER_TIMEOUT": c.ReadHeaderTimeout,
	} {
		if d <= 0 {
			bad(name, "must be a positive duration, like 15m or 24h")
		}
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		bad("LOG_FORMAT", "must be json or text, got %q", c.LogFormat)
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		bad("LOG_LEVEL", "must be debug, info, warn or error, got %q", c.LogLevel)
	}
	if c.ShutdownTimeout <= 0 {
		bad("SHUTDOWN_TIMEOUT", "must be a positive duration")
	}
	if c.Env == EnvProduction {
		switch {
		case c.JWTSecret == "":
			bad("JWT_SECRET", "is required in production (at least %d bytes)", MinJWTSecretBytes)
		case len(c.JWTSecret) < MinJWTSecretBytes:
			bad("JWT_SECRET", "must be at least %d bytes in production, got %d", MinJWTSecretBytes, len(c.JWTSecret))
		}
	}
	return errors.Join(errs...)
}

// HashSlotsValue is HashSlots with 0 worked out: GOMAXPROCS, not NumCPU,
// so a container's CPU quota counts.
func (c Config) HashSlotsValue() int {
	if c.HashSlots > 0 {
		return c.HashSlots
	}
	return max(1, runtime.GOMAXPROCS(0)-1)
}

// LogLevelValue is the parsed LogLevel; Validate has already checked it.
func (c Config) LogLevelValue() slog.Level {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.LogLevel))
	return lvl
}

// DatabaseURL is a parsed YOGAFLOW_DATABASE_URL.
type DatabaseURL struct {
	Engine string // "sqlite" or "postgres"
	Path   string // SQLite file path
	DSN    string // PostgreSQL connection string
}

// ParseDatabaseURL accepts sqlite:PATH, sqlite://PATH and postgres(ql)://...
func ParseDatabaseURL(raw string) (DatabaseURL, error) {
	switch {
	case strings.HasPrefix(raw, "sqlite:"):
		p := strings.TrimPrefix(strings.TrimPrefix(raw, "sqlite:"), "//")
		if p == "" || strings.ContainsAny(p, "?#") {
			return DatabaseURL{}, fmt.Errorf("sqlite: needs a file path, as in sqlite:yogaflow.db")
		}
		return DatabaseURL{Engine: "sqlite", Path: p}, nil
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		if _, err := url.Parse(raw); err != nil {
			return DatabaseURL{}, fmt.Errorf("not a valid postgres:// URL")
		}
		return DatabaseURL{Engine: "postgres", DSN: raw}, nil
	default:
		return DatabaseURL{}, fmt.Errorf("must start with sqlite: or postgres://")
	}
}

// ParsePrefixes parses CIDRs; a bare address counts as a single host.
func ParsePrefixes(values []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(values))
	for _, v := range values {
		if p, err := netip.ParsePrefix(v); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(v)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR or an IP address", v)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// EnsureDevSecret gives a development instance a JWT secret that survives
// restarts: generated once and kept with mode 0600 beside the SQLite file
// (or in the working directory for PostgreSQL). Production never gets here
// without a configured secret: Validate refuses it.
func (c *Config) EnsureDevSecret() error {
	if c.JWTSecret != "" {
		return nil
	}
	if c.Env == EnvProduction {
		return errors.New("YOGAFLOW_JWT_SECRET is required in production")
	}
	path := ".yogaflow-jwt-secret"
	if db, err := ParseDatabaseURL(c.DatabaseURL); err == nil && db.Engine == "sqlite" {
		path = db.Path + ".jwt-secret"
	}
	secret, err := os.ReadFile(path) // #nosec G304 -- the path is derived from operator configuration
	switch {
	case err == nil:
		s := strings.TrimSpace(string(secret))
		if len(s) < MinJWTSecretBytes {
			return fmt.Errorf("%s holds a secret shorter than %d bytes: delete it to have a new one made", path, MinJWTSecretBytes)
		}
		c.JWTSecret = s
	case errors.Is(err, os.ErrNotExist):
		buf := make([]byte, 32)
		_, _ = rand.Read(buf) // crypto/rand.Read never fails on supported platforms
		s := hex.EncodeToString(buf)
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return fmt.Errorf("creating %s: %w", dir, err)
			}
		}
		if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
			return fmt.Errorf("keeping the development JWT secret: %w", err)
		}
		c.JWTSecret = s
	default:
		return fmt.Errorf("reading the development JWT secret: %w", err)
	}
	c.JWTSecretGenerated = true
	return nil
}

// LogValue masks secrets so the configuration can be logged at start.
func (c Config) LogValue() slog.Value {
	secret, sentryDSN := "unset", "unset"
	if c.SentryDSN != "" {
		sentryDSN = "set"
	}
	switch {
	case c.JWTSecretGenerated:
		secret = "generated (development)"
	case c.JWTSecret != "":
		secret = "set"
	}
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("database_url", redactURL(c.DatabaseURL)),
		slog.String("redis_url", redactURL(c.RedisURL)),
		slog.String("redis_prefix", c.RedisPrefix),
		slog.String("jwt_secret", secret),
		slog.String("env", c.Env),
		slog.String("public_url", c.PublicURL),
		slog.String("smtp_url", redactURL(c.SMTPURL)),
		slog.Any("cors_origins", c.CORSOrigins),
		slog.Any("trusted_proxies", c.TrustedProxies),
		slog.Int("bcrypt_cost", c.BcryptCost),
		slog.String("hash_wait", c.HashWait.String()),
		slog.Int("hash_slots", c.HashSlotsValue()),
		slog.String("access_token_ttl", c.AccessTokenTTL.String()),
		slog.String("refresh_token_ttl", c.RefreshTokenTTL.String()),
		slog.String("refresh_reuse_grace", c.RefreshReuseGrace.String()),
		slog.String("verify_token_ttl", c.VerifyTokenTTL.String()),
		slog.String("reset_token_ttl", c.ResetTokenTTL.String()),
		slog.String("log_format", c.LogFormat),
		slog.String("log_level", c.LogLevel),
		slog.String("shutdown_timeout", c.ShutdownTimeout.String()),
		slog.String("read_header_timeout", c.ReadHeaderTimeout.String()),
		slog.String("slow_query", c.SlowQuery.String()),
		slog.String("otlp_endpoint", redactURL(c.OTLPEndpoint)),
		slog.String("sentry_dsn", sentryDSN),
		slog.Float64("sentry_traces_sample_rate", c.SentryTracesSampleRate),
		slog.String("rate_limit_auth", c.RateLimitAuth.String()),
		slog.String("rate_limit_account", c.RateLimitAccount.String()),
		slog.String("rate_limit_account_ceiling", c.RateLimitAccountCeiling.String()),
		slog.String("rate_limit_reset", c.RateLimitReset.String()),
		slog.String("rate_limit_public", c.RateLimitPublic.String()),
		slog.String("rate_limit_user", c.RateLimitUser.String()),
	)
}

// redactURL hides the password of a URL, and the query (which may carry one,
// as in postgres://...?password=...).
func redactURL(raw string) string {
	if raw == "" || strings.HasPrefix(raw, "sqlite:") {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable)"
	}
	if u.RawQuery != "" {
		u.RawQuery = "REDACTED"
	}
	return u.Redacted()
}
