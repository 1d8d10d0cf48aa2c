package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/pressly/goose/v3"

	"github.com/yogaflow/yogaflow/internal/library"
)

// A search of the library (PoseFilter.Query) finds its candidates through
// pose_search_terms, an index of the words of every pose's names, and
// ranks them with library.Match: the index narrows, the rule decides.

// execer is a transaction of the store's or of a migration's.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// searchTermsPerInsert keeps an insert of terms within SQLite's cheap
// number of parameters.
const searchTermsPerInsert = 60

// writeSearchTerms replaces the search terms of pose id.
func writeSearchTerms(ctx context.Context, ex execer, id, english, sanskrit string) error {
	if _, err := ex.ExecContext(ctx, `DELETE FROM pose_search_terms WHERE pose_id = $1`, id); err != nil {
		return err
	}
	t := library.IndexTerms(english, sanskrit)
	var rows [][2]string
	for _, s := range t.Suffixes {
		rows = append(rows, [2]string{"s", s})
	}
	for _, k := range t.TypoKeys {
		rows = append(rows, [2]string{"t", k})
	}
	for chunk := range slices.Chunk(rows, searchTermsPerInsert) {
		var b strings.Builder
		args := make([]any, 0, 3*len(chunk))
		b.WriteString("INSERT INTO pose_search_terms (kind, term, pose_id) VALUES ")
		for i, r := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + placeholders(len(args)+1, 3) + ")")
			args = append(args, r[0], r[1], id)
		}
		if _, err := ex.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// indexPoseSearch (migration 12) indexes the poses stored before the
// search terms were, and drops the column of folded names that LIKE read
// before; going down, it restores the column.
var indexPoseSearch = goose.NewGoMigration(12,
	&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		poses, err := poseNames(ctx, tx)
		if err != nil {
			return err
		}
		for _, p := range poses {
			if err := writeSearchTerms(ctx, tx, p[0], p[1], p[2]); err != nil {
				return fmt.Errorf("indexing pose %s for search: %w", p[0], err)
			}
		}
		_, err = tx.ExecContext(ctx, `ALTER TABLE poses DROP COLUMN search_text`)
		return err
	}},
	&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `ALTER TABLE poses ADD COLUMN search_text TEXT NOT NULL DEFAULT ''`); err != nil {
			return err
		}
		poses, err := poseNames(ctx, tx)
		if err != nil {
			return err
		}
		for _, p := range poses {
			if _, err := tx.ExecContext(ctx, `UPDATE poses SET search_text = $2 WHERE id = $1`, p[0], library.SearchText(p[1], p[2])); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM pose_search_terms`)
		return err
	}})

// poseNames are the ID, English and Sanskrit names of every pose.
func poseNames(ctx context.Context, tx *sql.Tx) ([][3]string, error) {
	r, err := tx.QueryContext(ctx, `SELECT id, english_name, sanskrit_name FROM poses`)
	if err != nil {
		return nil, err
	}
	return collect(&rows{Rows: r}, func(r rowScanner) ([3]string, error) {
		var p [3]string
		return p, r.Scan(&p[0], &p[1], &p[2])
	})
}

// searchWhere adds to f, for every word of the folded query q, that the
// pose has a word holding it or, for a long word, one a typo away.
func searchWhere(f *filter, q string) {
	for _, w := range library.QueryWords(q) {
		// Every term that begins with w: w itself up to w followed by the
		// last code point, in bytewise order.
		cond := "SELECT pose_id FROM pose_search_terms WHERE kind = 's' AND term >= " + f.arg(w.Word) +
			" AND term < " + f.arg(w.Word+string(utf8.MaxRune))
		if len(w.TypoKeys) > 0 {
			cond += " UNION SELECT pose_id FROM pose_search_terms WHERE kind = 't' AND term IN " + f.in(w.TypoKeys)
		}
		f.where("p.id IN (" + cond + ")")
	}
}

// ranked is a pose that matches a search, with its rank.
type ranked struct {
	rank int
	pose library.Pose
}

// rankPage orders the candidates of a search by rank, then English name
// and ID, drops those the search does not match, and returns the page
// after cursor.
func rankPage(q string, candidates []library.Pose, limit int, cursor string) (library.Page[library.Pose], error) {
	var list []ranked
	for _, p := range candidates {
		if rank, ok := library.Match(q, p.EnglishName, p.SanskritName); ok {
			list = append(list, ranked{rank, p})
		}
	}
	order := func(a, b ranked) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.pose.EnglishName, b.pose.EnglishName), cmp.Compare(a.pose.ID, b.pose.ID))
	}
	slices.SortFunc(list, order)
	if cursor != "" {
		after, err := decodeRankCursor(cursor)
		if err != nil {
			return library.Page[library.Pose]{}, badCursor()
		}
		i, _ := slices.BinarySearchFunc(list, after, order)
		for i < len(list) && order(list[i], after) == 0 {
			i++
		}
		list = list[i:]
	}
	page := library.Page[library.Pose]{Items: make([]library.Pose, 0, min(len(list), limit))}
	for _, r := range list[:min(len(list), limit)] {
		page.Items = append(page.Items, r.pose)
	}
	if len(list) > limit {
		page.NextCursor = encodeRankCursor(list[limit-1])
	}
	return page, nil
}

// A search's cursor is the rank, English name and ID of the last pose of
// its page.
type rankCursor struct {
	Rank int    `json:"r"`
	Name string `json:"n"`
	ID   string `json:"i"`
}

func encodeRankCursor(r ranked) string {
	return encodeJSONCursor(rankCursor{r.rank, r.pose.EnglishName, r.pose.ID})
}

func decodeRankCursor(c string) (ranked, error) {
	var v rankCursor
	if decodeJSONCursor(c, &v) != nil || v.ID == "" {
		return ranked{}, errBadCursor
	}
	return ranked{v.Rank, library.Pose{EnglishName: v.Name, ID: v.ID}}, nil
}
