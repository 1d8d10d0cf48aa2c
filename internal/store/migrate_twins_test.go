package store

import (
	"bytes"
	"io/fs"
	"slices"
	"testing"
)

// engineSpecific are the migrations whose two engines' files differ, and
// why. Every other migration is the same file in both folders: the folders
// stay apart (DESIGN.md) so that each engine's schema reads whole, and
// this test keeps the twins from drifting when one is edited.
var engineSpecific = map[string]string{
	"00005_idempotency.sql": "a response body is BYTEA on PostgreSQL, BLOB on SQLite",
	"00011_pose_search.sql": `search terms compare bytewise: COLLATE "C" on PostgreSQL, SQLite's default`,
}

func TestMigrationTwins(t *testing.T) {
	names := func(engine Engine) []string {
		entries, err := fs.ReadDir(migrations, "migrations/"+string(engine))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	pg, lite := names(Postgres), names(SQLite)
	if !slices.Equal(pg, lite) {
		t.Fatalf("each migration must exist on both engines:\npostgres: %v\nsqlite:   %v", pg, lite)
	}
	for _, name := range pg {
		a, err := fs.ReadFile(migrations, "migrations/postgres/"+name)
		if err != nil {
			t.Fatal(err)
		}
		b, err := fs.ReadFile(migrations, "migrations/sqlite/"+name)
		if err != nil {
			t.Fatal(err)
		}
		_, specific := engineSpecific[name]
		switch same := bytes.Equal(a, b); {
		case !same && !specific:
			t.Errorf("%s differs between the engines: make the twins the same, or list it in engineSpecific with the reason", name)
		case same && specific:
			t.Errorf("%s is the same on both engines: take it out of engineSpecific", name)
		}
	}
	for name := range engineSpecific {
		if !slices.Contains(pg, name) {
			t.Errorf("engineSpecific names %s, which is no migration", name)
		}
	}
}
