-- +goose Up
-- What a search of the library looks up (library.IndexTerms): kind 's' is a
-- suffix of a word of a pose's names, 't' a typo key of one. Bytewise
-- order, so that the terms a prefix begins are one range of the index.
-- The store fills it whenever it writes a pose; migration 12 (Go, in
-- search.go) fills it for the poses already here and drops the column it
-- replaces, poses.search_text.
CREATE TABLE pose_search_terms (
    kind    TEXT NOT NULL,
    term    TEXT COLLATE "C" NOT NULL,
    pose_id TEXT NOT NULL REFERENCES poses (id) ON DELETE CASCADE,
    PRIMARY KEY (kind, term, pose_id)
);
CREATE INDEX pose_search_terms_pose ON pose_search_terms (pose_id);

-- +goose Down
DROP TABLE pose_search_terms;
