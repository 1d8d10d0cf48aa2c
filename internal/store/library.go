package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/yogaflow/yogaflow/internal/library"
)

// Library is the library.Store on this database.
type Library struct{ db *DB }

var _ library.Store = (*Library)(nil)

// Library returns the library store.
func (db *DB) Library() *Library { return &Library{db: db} }

const poseColumns = `p.id, p.slug, p.english_name, p.sanskrit_name, p.category, p.difficulty, p.description,
p.instructions, p.benefits, p.two_sided, p.default_hold_seconds, p.image_url, p.seed_hash, p.created_at, p.updated_at`

func scanPose(r rowScanner) (library.Pose, error) {
	var p library.Pose
	var instructions, benefits string
	var image sql.NullString
	err := r.Scan(&p.ID, &p.Slug, &p.EnglishName, &p.SanskritName, &p.Category, &p.Difficulty, &p.Description,
		&instructions, &benefits, &p.TwoSided, &p.DefaultHoldSeconds, &image, &p.SeedHash, &p.CreatedAt, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return library.Pose{}, library.ErrNotFound
	}
	if err != nil {
		return library.Pose{}, err
	}
	if err := json.Unmarshal([]byte(instructions), &p.Instructions); err != nil {
		return library.Pose{}, err
	}
	if err := json.Unmarshal([]byte(benefits), &p.Benefits); err != nil {
		return library.Pose{}, err
	}
	if image.Valid {
		p.ImageURL = &image.String
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, nil
}

func (s *Library) ListPoses(ctx context.Context, pf library.PoseFilter) (library.Page[library.Pose], error) {
	query, args, err := poseListQuery(pf)
	if err != nil {
		return library.Page[library.Pose]{}, err
	}
	poses, err := queryAll(ctx, s.db.read, scanPose, query, args...)
	if err != nil {
		return library.Page[library.Pose]{}, err
	}
	var page library.Page[library.Pose]
	if q := library.FoldQuery(pf.Query); q != "" {
		if page, err = rankPage(q, poses, pf.Limit, pf.Cursor); err != nil {
			return page, err
		}
	} else {
		page = namePage(poses, pf.Limit, func(p library.Pose) string { return encodeNameCursor(p.EnglishName, p.ID) })
	}
	return page, s.poseTags(ctx, page.Items)
}

// poseListQuery is the query of ListPoses and its arguments (explain_test.go
// checks its plans). A search reads every candidate it finds: rankPage
// orders and pages them.
func poseListQuery(pf library.PoseFilter) (string, []any, error) {
	var f filter
	if pf.Category != "" {
		f.where("p.category = " + f.arg(pf.Category))
	}
	if pf.Difficulty != "" {
		f.where("p.difficulty = " + f.arg(pf.Difficulty))
	}
	if len(pf.Avoid) > 0 {
		f.where("NOT EXISTS (SELECT 1 FROM pose_contraindications pc WHERE pc.pose_id = p.id AND pc.tag IN " + f.in(pf.Avoid) + ")")
	}
	if q := library.FoldQuery(pf.Query); q != "" {
		searchWhere(&f, q)
		return "SELECT " + poseColumns + " FROM poses p" + f.clause(), f.args, nil
	}
	if err := f.afterName(pf.Cursor, "p.english_name"); err != nil {
		return "", nil, badCursor()
	}
	query := "SELECT " + poseColumns + " FROM poses p" + f.clause() + " ORDER BY p.english_name, p.id LIMIT " + f.arg(pf.Limit+1)
	return query, f.args, nil
}

// queryAll runs a query and scans every row.
func queryAll[T any](ctx context.Context, db *pool, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scan)
}

// collect scans every row.
func collect[T any](rows *rows, scan func(rowScanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// namePage is pageOf for the library's name-sorted lists.
func namePage[T any](items []T, limit int, cursor func(T) string) library.Page[T] {
	p := pageOf(items, limit, cursor)
	return library.Page[T]{Items: p.Items, NextCursor: p.NextCursor}
}

// poseTags fills in the contraindications of poses with one query.
func (s *Library) poseTags(ctx context.Context, poses []library.Pose) error {
	if len(poses) == 0 {
		return nil
	}
	byID := make(map[string]*library.Pose, len(poses))
	var f filter
	ids := make([]string, len(poses))
	for i := range poses {
		poses[i].Contraindications = []string{}
		byID[poses[i].ID] = &poses[i]
		ids[i] = poses[i].ID
	}
	query := "SELECT pose_id, tag FROM pose_contraindications WHERE pose_id IN " + f.in(ids) + " ORDER BY tag"
	return s.db.attach(ctx, query, f.args, func(id string) *[]string { return &byID[id].Contraindications })
}

func (s *Library) Pose(ctx context.Context, ref string) (library.Pose, error) {
	p, err := scanPose(s.db.read.QueryRowContext(ctx, "SELECT "+poseColumns+" FROM poses p WHERE p.id = $1 OR p.slug = $1", ref))
	if err != nil {
		return library.Pose{}, err
	}
	poses := []library.Pose{p}
	err = s.poseTags(ctx, poses)
	return poses[0], err
}

func (s *Library) PoseIDs(ctx context.Context, refs []string) (map[string]string, error) {
	out := make(map[string]string, len(refs))
	if len(refs) == 0 {
		return out, nil
	}
	var f filter
	set := f.in(slices.Compact(slices.Sorted(slices.Values(refs))))
	rows, err := s.db.read.QueryContext(ctx, "SELECT id, slug FROM poses WHERE id IN "+set+" OR slug IN "+set, f.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, slug string
		if err := rows.Scan(&id, &slug); err != nil {
			return nil, err
		}
		out[id], out[slug] = id, id
	}
	return out, rows.Err()
}

func (s *Library) CreatePose(ctx context.Context, p library.Pose, audit *library.Audit) error {
	return s.writePose(ctx, p, audit, `INSERT INTO poses (id, slug, english_name, sanskrit_name, category, difficulty,
description, instructions, benefits, two_sided, default_hold_seconds, image_url, seed_hash, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`)
}

func (s *Library) UpdatePose(ctx context.Context, p library.Pose, audit *library.Audit) error {
	return s.writePose(ctx, p, audit, `UPDATE poses SET slug = $2, english_name = $3, sanskrit_name = $4,
category = $5, difficulty = $6, description = $7, instructions = $8, benefits = $9, two_sided = $10,
default_hold_seconds = $11, image_url = $12, seed_hash = $13, created_at = $14, updated_at = $15 WHERE id = $1`)
}

// writePose runs query (an insert or an update with the same arguments),
// replaces the pose's tags and records audit, in one transaction.
func (s *Library) writePose(ctx context.Context, p library.Pose, audit *library.Audit, query string) error {
	instructions, err := json.Marshal(p.Instructions)
	if err != nil {
		return err
	}
	benefits, err := json.Marshal(p.Benefits)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, query, p.ID, p.Slug, p.EnglishName, p.SanskritName, p.Category, p.Difficulty, p.Description, string(instructions), string(benefits), p.TwoSided, p.DefaultHoldSeconds,
			p.ImageURL, p.SeedHash, p.CreatedAt, p.UpdatedAt)
		if isUniqueViolation(err) {
			return library.ErrSlugTaken
		}
		if err := affectedOne(res, err, library.ErrNotFound); err != nil {
			return err
		}
		if err := writeSearchTerms(ctx, tx, p.ID, p.EnglishName, p.SanskritName); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM pose_contraindications WHERE pose_id = $1`, p.ID); err != nil {
			return err
		}
		for _, tag := range p.Contraindications {
			if _, err := tx.ExecContext(ctx, `INSERT INTO pose_contraindications (pose_id, tag) VALUES ($1, $2)`, p.ID, tag); err != nil {
				return err
			}
		}
		// two_sided may have changed: the totals of sequences using the pose follow.
		if _, err := tx.ExecContext(ctx, deriveTotals+`id IN (SELECT sequence_id FROM sequence_steps WHERE pose_id = $1)`, p.ID); err != nil {
			return err
		}
		return addAuditIf(ctx, tx, audit)
	})
}

func addAuditIf(ctx context.Context, tx *txn, audit *library.Audit) error {
	if audit == nil {
		return nil
	}
	return addAudit(ctx, tx, *audit)
}

func (s *Library) DeletePose(ctx context.Context, id string, audit *library.Audit) error {
	return s.db.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM poses WHERE id = $1`, id)
		if isForeignKeyViolation(err) {
			return library.ErrPoseInUse
		}
		if err := affectedOne(res, err, library.ErrNotFound); err != nil {
			return err
		}
		return addAuditIf(ctx, tx, audit)
	})
}

// deriveTotals recomputes total_duration_seconds of the sequences chosen by
// the condition appended to it (the library's rule: a "both" step of a
// two-sided pose counts twice).
const deriveTotals = `UPDATE sequences SET total_duration_seconds = COALESCE((
SELECT SUM(CASE WHEN st.side = 'both' AND p.two_sided THEN 2 * st.duration_seconds ELSE st.duration_seconds END)
FROM sequence_steps st JOIN poses p ON p.id = st.pose_id WHERE st.sequence_id = sequences.id), 0) WHERE `

const sequenceColumns = `s.id, s.slug, s.name, s.description, s.difficulty, s.style, s.focus_area, s.owner_id,
s.total_duration_seconds, s.seed_hash, s.created_at, s.updated_at`

func scanSequence(r rowScanner) (library.Sequence, error) {
	var q library.Sequence
	var owner sql.NullString
	err := r.Scan(&q.ID, &q.Slug, &q.Name, &q.Description, &q.Difficulty, &q.Style, &q.FocusArea, &owner,
		&q.TotalDurationSeconds, &q.SeedHash, &q.CreatedAt, &q.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return library.Sequence{}, library.ErrNotFound
	}
	if owner.Valid {
		q.OwnerID = &owner.String
	}
	q.CreatedAt, q.UpdatedAt = q.CreatedAt.UTC(), q.UpdatedAt.UTC()
	return q, err
}

func (s *Library) Sequence(ctx context.Context, ref string) (library.Sequence, error) {
	q, err := scanSequence(s.db.read.QueryRowContext(ctx, "SELECT "+sequenceColumns+" FROM sequences s WHERE s.id = $1 OR s.slug = $1", ref))
	if err != nil {
		return library.Sequence{}, err
	}
	seqs := []library.Sequence{q}
	err = s.sequenceDetails(ctx, seqs)
	return seqs[0], err
}

// ListSequences reads presets and the viewer's own as two ranges of the
// (owner_id, name, id) index, merged: what other users have costs nothing.
func (s *Library) ListSequences(ctx context.Context, sf library.SequenceFilter) (library.Page[library.Sequence], error) {
	query, args, err := sequenceListQuery(sf)
	if err != nil {
		return library.Page[library.Sequence]{}, err
	}
	if query == "" {
		return library.Page[library.Sequence]{Items: []library.Sequence{}}, nil
	}
	seqs, err := queryAll(ctx, s.db.read, scanSequence, query, args...)
	if err != nil {
		return library.Page[library.Sequence]{}, err
	}
	page := namePage(seqs, sf.Limit, func(q library.Sequence) string { return encodeNameCursor(q.Name, q.ID) })
	return page, s.sequenceDetails(ctx, page.Items)
}

// sequenceListQuery is the query of ListSequences and its arguments, or ""
// when the filter selects nothing (explain_test.go checks its plans).
func sequenceListQuery(sf library.SequenceFilter) (string, []any, error) {
	var f filter
	if sf.Difficulty != "" {
		f.where("s.difficulty = " + f.arg(sf.Difficulty))
	}
	if sf.Style != "" {
		f.where("s.style = " + f.arg(sf.Style))
	}
	if sf.FocusArea != "" {
		f.where("s.focus_area = " + f.arg(sf.FocusArea))
	}
	if sf.MaxDuration > 0 {
		f.where("s.total_duration_seconds <= " + f.arg(sf.MaxDuration))
	}
	if len(sf.Avoid) > 0 {
		f.where(`NOT EXISTS (SELECT 1 FROM sequence_steps st JOIN pose_contraindications pc ON pc.pose_id = st.pose_id
WHERE st.sequence_id = s.id AND pc.tag IN ` + f.in(sf.Avoid) + ")")
	}
	if err := f.afterName(sf.Cursor, "s.name"); err != nil {
		return "", nil, badCursor()
	}
	limit := f.arg(sf.Limit + 1)
	conds := strings.Join(append([]string{"TRUE"}, f.conds...), " AND ")
	branch := func(owner string) string {
		return "SELECT * FROM (SELECT " + sequenceColumns + " FROM sequences s WHERE " + owner + " AND " + conds +
			" ORDER BY s.name, s.id LIMIT " + limit + ")"
	}
	var branches []string
	presets := sf.Preset == nil || *sf.Preset
	own := sf.Viewer != "" && (sf.Mine || sf.Preset == nil || !*sf.Preset)
	if presets && !sf.Mine {
		branches = append(branches, branch("s.owner_id IS NULL")+" AS presets")
	}
	if own {
		branches = append(branches, branch("s.owner_id = "+f.arg(sf.Viewer))+" AS own")
	}
	if len(branches) == 0 {
		return "", nil, nil
	}
	return strings.Join(branches, " UNION ALL ") + " ORDER BY name, id LIMIT " + limit, f.args, nil
}

// sequenceDetails fills in the steps (with their poses) and the
// contraindications of seqs: two queries, however many sequences.
func (s *Library) sequenceDetails(ctx context.Context, seqs []library.Sequence) error {
	if len(seqs) == 0 {
		return nil
	}
	byID := make(map[string]*library.Sequence, len(seqs))
	ids := make([]string, len(seqs))
	for i := range seqs {
		seqs[i].Steps, seqs[i].Contraindications = []library.Step{}, []string{}
		byID[seqs[i].ID] = &seqs[i]
		ids[i] = seqs[i].ID
	}
	var f filter
	set := f.in(ids)
	rows, err := s.db.read.QueryContext(ctx, `SELECT st.sequence_id, st.position, st.duration_seconds, st.side, st.cue,
p.id, p.slug, p.english_name, p.sanskrit_name, p.image_url, p.two_sided
FROM sequence_steps st JOIN poses p ON p.id = st.pose_id WHERE st.sequence_id IN `+set+` ORDER BY st.sequence_id, st.position`, f.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var st library.Step
		var cue, image sql.NullString
		if err := rows.Scan(&id, &st.Position, &st.DurationSeconds, &st.Side, &cue, &st.Pose.ID, &st.Pose.Slug,
			&st.Pose.EnglishName, &st.Pose.SanskritName, &image, &st.Pose.TwoSided); err != nil {
			return err
		}
		if cue.Valid {
			st.Cue = &cue.String
		}
		if image.Valid {
			st.Pose.ImageURL = &image.String
		}
		byID[id].Steps = append(byID[id].Steps, st)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	query := `SELECT DISTINCT st.sequence_id, pc.tag FROM sequence_steps st
JOIN pose_contraindications pc ON pc.pose_id = st.pose_id WHERE st.sequence_id IN ` + set + ` ORDER BY st.sequence_id, pc.tag`
	return s.db.attach(ctx, query, f.args, func(id string) *[]string { return &byID[id].Contraindications })
}

func (s *Library) CreateSequence(ctx context.Context, q library.Sequence, steps []library.NewStep, audit *library.Audit) error {
	return s.writeSequence(ctx, q, steps, audit, `INSERT INTO sequences (id, slug, name, description, difficulty, style, focus_area,
owner_id, total_duration_seconds, seed_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`)
}

func (s *Library) UpdateSequence(ctx context.Context, q library.Sequence, steps []library.NewStep, audit *library.Audit) error {
	return s.writeSequence(ctx, q, steps, audit, `UPDATE sequences SET slug = $2, name = $3, description = $4, difficulty = $5,
style = $6, focus_area = $7, owner_id = $8, total_duration_seconds = $9, seed_hash = $10, created_at = $11, updated_at = $12 WHERE id = $1`)
}

// writeSequence runs query (an insert or an update with the same
// arguments), replaces the steps when steps is not nil, and records audit,
// in one transaction.
func (s *Library) writeSequence(ctx context.Context, q library.Sequence, steps []library.NewStep, audit *library.Audit, query string) error {
	return s.db.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, query, q.ID, q.Slug, q.Name, q.Description, q.Difficulty, q.Style, q.FocusArea,
			q.OwnerID, q.TotalDurationSeconds, q.SeedHash, q.CreatedAt, q.UpdatedAt)
		if isUniqueViolation(err) {
			return library.ErrSlugTaken
		}
		if err := affectedOne(res, err, library.ErrNotFound); err != nil {
			return err
		}
		if steps != nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sequence_steps WHERE sequence_id = $1`, q.ID); err != nil {
				return err
			}
			for i, st := range steps {
				_, err := tx.ExecContext(ctx, `INSERT INTO sequence_steps (sequence_id, position, pose_id, duration_seconds, side, cue)
VALUES ($1, $2, $3, $4, $5, $6)`, q.ID, i+1, st.PoseID, st.DurationSeconds, st.Side, st.Cue)
				if isForeignKeyViolation(err) {
					return library.ErrNotFound // the pose went away meanwhile
				}
				if err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, deriveTotals+`id = $1`, q.ID); err != nil {
				return err
			}
		}
		return addAuditIf(ctx, tx, audit)
	})
}

func (s *Library) DeleteSequence(ctx context.Context, id string, audit *library.Audit) error {
	return s.db.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sequences WHERE id = $1`, id)
		if err := affectedOne(res, err, library.ErrNotFound); err != nil {
			return err
		}
		return addAuditIf(ctx, tx, audit)
	})
}
