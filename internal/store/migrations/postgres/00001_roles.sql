-- +goose Up
-- Roles and permissions live in tables (never in code or email domains), so
-- an operator can see and audit who may do what.
CREATE TABLE permissions (
    name        TEXT PRIMARY KEY,
    description TEXT NOT NULL
);

CREATE TABLE roles (
    name        TEXT PRIMARY KEY,
    description TEXT NOT NULL
);

CREATE TABLE role_permissions (
    role       TEXT NOT NULL REFERENCES roles (name) ON DELETE CASCADE,
    permission TEXT NOT NULL REFERENCES permissions (name) ON DELETE CASCADE,
    PRIMARY KEY (role, permission)
);

INSERT INTO permissions (name, description) VALUES
    ('content:write', 'Create, change and delete poses and preset sequences'),
    ('users:manage', 'Manage people, their roles and API keys; read the audit log'),
    ('flags:manage', 'Manage feature flags and read experiment results');

INSERT INTO roles (name, description) VALUES
    ('user', 'A person who practises'),
    ('editor', 'Curates the pose library and preset sequences'),
    ('admin', 'Everything');

INSERT INTO role_permissions (role, permission) VALUES
    ('editor', 'content:write'),
    ('admin', 'content:write'),
    ('admin', 'users:manage'),
    ('admin', 'flags:manage');

-- +goose Down
DROP TABLE role_permissions;
DROP TABLE roles;
DROP TABLE permissions;
