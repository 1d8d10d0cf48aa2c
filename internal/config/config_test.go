package config

import (
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestLoadDefaults(t *testing.T) {
	cfg, err := Load(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":8080" || cfg.DatabaseURL != "sqlite:yogaflow.db" || cfg.Env != EnvDevelopment ||
		cfg.PublicURL != "http://localhost:8080" || cfg.BcryptCost != 12 || cfg.LogFormat != "json" ||
		cfg.LogLevel != "info" || len(cfg.CORSOrigins) != 0 || cfg.RedisURL != "" || cfg.SMTPURL != "" ||
		cfg.OTLPEndpoint != "" || cfg.SentryDSN != "" || cfg.SentryTracesSampleRate != 0.1 {
		t.Fatalf("defaults differ from API.md: %+v", cfg)
	}
}

// TestHashSlots: by default one fewer than the cores the process may use,
// never none; a configured count is kept as it is.
func TestHashSlots(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(procs)
	for _, tc := range []struct {
		procs int
		env   string
		want  int
	}{{1, "", 1}, {2, "", 1}, {8, "", 7}, {2, "3", 3}} {
		runtime.GOMAXPROCS(tc.procs)
		cfg, err := Load(map[string]string{"YOGAFLOW_HASH_SLOTS": tc.env})
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.HashSlotsValue(); got != tc.want {
			t.Errorf("%d cores, HASH_SLOTS=%q: %d slots, want %d", tc.procs, tc.env, got, tc.want)
		}
	}
	if _, err := Load(map[string]string{"YOGAFLOW_HASH_SLOTS": "-1"}); err == nil || !strings.Contains(err.Error(), "YOGAFLOW_HASH_SLOTS") {
		t.Errorf("HASH_SLOTS=-1: %v, want an error naming it", err)
	}
}

func TestLoadReportsEveryBadValue(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr []string // each must appear; nil means valid
	}{
		{name: "all good", env: map[string]string{
			"YOGAFLOW_DATABASE_URL":              "postgres://u:p@db:5432/yoga?sslmode=disable",
			"YOGAFLOW_REDIS_URL":                 "redis://cache:6379/0",
			"YOGAFLOW_SMTP_URL":                  "smtp://user:pass@mail:587",
			"YOGAFLOW_CORS_ORIGINS":              "https://a.example, https://b.example",
			"YOGAFLOW_TRUSTED_PROXIES":           "10.0.0.0/8,192.168.1.1",
			"YOGAFLOW_LOG_LEVEL":                 "debug",
			"OTEL_EXPORTER_OTLP_ENDPOINT":        "http://collector:4318",
			"YOGAFLOW_SENTRY_DSN":                "https://public@o1.ingest.sentry.io/2",
			"YOGAFLOW_SENTRY_TRACES_SAMPLE_RATE": "1",
		}},
		{name: "production without secret", env: map[string]string{"YOGAFLOW_ENV": "production"},
			wantErr: []string{"YOGAFLOW_JWT_SECRET: is required in production"}},
		{name: "production short secret", env: map[string]string{"YOGAFLOW_ENV": "production", "YOGAFLOW_JWT_SECRET": "short"},
			wantErr: []string{"YOGAFLOW_JWT_SECRET: must be at least 32 bytes"}},
		{name: "production wildcard CORS", env: map[string]string{
			"YOGAFLOW_ENV": "production", "YOGAFLOW_JWT_SECRET": strings.Repeat("s", 32), "YOGAFLOW_CORS_ORIGINS": "*"},
			wantErr: []string{"YOGAFLOW_CORS_ORIGINS: a wildcard origin is refused in production"}},
		{name: "many bad values at once", env: map[string]string{
			"YOGAFLOW_ENV":                       "staging",
			"YOGAFLOW_ADDR":                      "8080",
			"YOGAFLOW_DATABASE_URL":              "mysql://x",
			"YOGAFLOW_REDIS_URL":                 "http://cache",
			"YOGAFLOW_PUBLIC_URL":                "localhost",
			"YOGAFLOW_SMTP_URL":                  "mail.example",
			"YOGAFLOW_CORS_ORIGINS":              "app.example",
			"YOGAFLOW_TRUSTED_PROXIES":           "10.0.0.0/33",
			"YOGAFLOW_BCRYPT_COST":               "40",
			"YOGAFLOW_LOG_FORMAT":                "xml",
			"YOGAFLOW_LOG_LEVEL":                 "loud",
			"OTEL_EXPORTER_OTLP_ENDPOINT":        "collector:4318",
			"YOGAFLOW_SENTRY_DSN":                "https://o1.ingest.sentry.io/2",
			"YOGAFLOW_SENTRY_TRACES_SAMPLE_RATE": "1.5",
		}, wantErr: []string{
			"OTEL_EXPORTER_OTLP_ENDPOINT:", "YOGAFLOW_SENTRY_DSN:", "YOGAFLOW_SENTRY_TRACES_SAMPLE_RATE:",
			"YOGAFLOW_ENV:", "YOGAFLOW_ADDR:", "YOGAFLOW_DATABASE_URL:", "YOGAFLOW_REDIS_URL:", "YOGAFLOW_PUBLIC_URL:",
			"YOGAFLOW_SMTP_URL:", "YOGAFLOW_CORS_ORIGINS:", "YOGAFLOW_TRUSTED_PROXIES:", "YOGAFLOW_BCRYPT_COST:",
			"YOGAFLOW_LOG_FORMAT:", "YOGAFLOW_LOG_LEVEL:",
		}},
		{name: "not a number", env: map[string]string{"YOGAFLOW_BCRYPT_COST": "twelve"},
			wantErr: []string{"BCRYPT_COST"}},
		{name: "rate limits", env: map[string]string{"YOGAFLOW_RATE_LIMIT_AUTH": "fast", "YOGAFLOW_RATE_LIMIT_USER": "10/1ms",
			"YOGAFLOW_RATE_LIMIT_PUBLIC": "0/1m"},
			wantErr: []string{`YOGAFLOW_RATE_LIMIT_AUTH: "fast" is not a rate like 5/1m`, "YOGAFLOW_RATE_LIMIT_USER: \"10/1ms\" is not a rate like 5/1m: the window must be",
				"YOGAFLOW_RATE_LIMIT_PUBLIC"}},
		{name: "negative slow query", env: map[string]string{"YOGAFLOW_SLOW_QUERY": "-1s"},
			wantErr: []string{"YOGAFLOW_SLOW_QUERY: must be a positive duration"}},
		{name: "empty sqlite path", env: map[string]string{"YOGAFLOW_DATABASE_URL": "sqlite:"},
			wantErr: []string{"YOGAFLOW_DATABASE_URL: sqlite: needs a file path"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.env)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("want an error")
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%v", want, err)
				}
			}
		})
	}
}

func TestDevSecretIsKeptBesideTheDatabase(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "data", "yoga.db")
	load := func() Config {
		cfg, err := Load(map[string]string{"YOGAFLOW_DATABASE_URL": "sqlite:" + dbPath})
		if err != nil {
			t.Fatal(err)
		}
		if err := cfg.EnsureDevSecret(); err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	first := load()
	if len(first.JWTSecret) < MinJWTSecretBytes || !first.JWTSecretGenerated {
		t.Fatalf("generated secret %d bytes", len(first.JWTSecret))
	}
	info, err := os.Stat(dbPath + ".jwt-secret")
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode %v, want 0600", info.Mode().Perm())
	}
	if second := load(); second.JWTSecret != first.JWTSecret {
		t.Error("a restart made a new secret: tokens would not survive it")
	}
}

func TestConfiguredSecretIsNotReplaced(t *testing.T) {
	cfg := Config{JWTSecret: strings.Repeat("k", 40), DatabaseURL: "sqlite:" + filepath.Join(t.TempDir(), "y.db")}
	if err := cfg.EnsureDevSecret(); err != nil {
		t.Fatal(err)
	}
	if cfg.JWTSecret != strings.Repeat("k", 40) || cfg.JWTSecretGenerated {
		t.Fatal("a configured secret was replaced")
	}
}

func TestLogValueMasksSecrets(t *testing.T) {
	cfg, err := Load(map[string]string{
		"YOGAFLOW_JWT_SECRET":   "super-secret-jwt-key-that-is-long-enough",
		"YOGAFLOW_DATABASE_URL": "postgres://yoga:dbpass@db:5432/yoga?password=qpass",
		"YOGAFLOW_REDIS_URL":    "redis://:redispass@cache:6379/0",
		"YOGAFLOW_SMTP_URL":     "smtp://mailer:smtppass@mail:587",
		"YOGAFLOW_SENTRY_DSN":   "https://sentrykey@o1.ingest.sentry.io/2",
	})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	slog.New(slog.NewJSONHandler(&b, nil)).Info("config", slog.Any("config", cfg))
	for _, secret := range []string{"super-secret", "dbpass", "qpass", "redispass", "smtppass", "sentrykey"} {
		if strings.Contains(b.String(), secret) {
			t.Errorf("logged configuration holds %q: %s", secret, b.String())
		}
	}
	if !strings.Contains(b.String(), "db:5432") {
		t.Errorf("logged configuration lost the database host: %s", b.String())
	}
}
