-- Foundation: settings, agencies and departments, accounts, roles, sessions, login throttling,
-- the security audit log and API tokens. Every table that belongs to an agency names it, so the
-- installation is multi-agency from the first migration.

CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE agencies (
    id BLOB PRIMARY KEY NOT NULL,
    parent_id BLOB REFERENCES agencies(id),
    level TEXT NOT NULL CHECK (level IN ('province', 'city', 'county', 'township')),
    slug TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    org_code TEXT NOT NULL UNIQUE,
    ogi_office_name TEXT NOT NULL,
    ogi_office_phone TEXT NOT NULL,
    ogi_office_email TEXT NOT NULL,
    ogi_office_address TEXT NOT NULL,
    ogi_office_hours TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX agencies_parent ON agencies(parent_id);

CREATE TABLE departments (
    id BLOB PRIMARY KEY NOT NULL,
    agency_id BLOB NOT NULL REFERENCES agencies(id),
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    duties TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (agency_id, name_zh)
);

CREATE TABLE accounts (
    id BLOB PRIMARY KEY NOT NULL,
    email TEXT UNIQUE,
    mobile TEXT UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_staff BOOLEAN NOT NULL,
    is_active BOOLEAN NOT NULL,
    failed_login_count BIGINT NOT NULL,
    locked_until TEXT,
    created_at TEXT NOT NULL,
    password_changed_at TEXT NOT NULL,
    CHECK (email IS NOT NULL OR mobile IS NOT NULL)
);

CREATE TABLE role_assignments (
    id BLOB PRIMARY KEY NOT NULL,
    account_id BLOB NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    agency_id BLOB REFERENCES agencies(id),
    department_id BLOB REFERENCES departments(id),
    created_at TEXT NOT NULL
);
CREATE INDEX role_assignments_account ON role_assignments(account_id);
CREATE UNIQUE INDEX role_assignments_unique ON role_assignments(account_id, role, coalesce(agency_id, x''), coalesce(department_id, x''));

CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY NOT NULL,
    account_id BLOB NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    user_agent TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE login_attempts (
    id BLOB PRIMARY KEY NOT NULL,
    address TEXT NOT NULL,
    identifier TEXT NOT NULL,
    succeeded BOOLEAN NOT NULL,
    attempted_at TEXT NOT NULL
);
CREATE INDEX login_attempts_address ON login_attempts(address, attempted_at);

CREATE TABLE security_events (
    id BLOB PRIMARY KEY NOT NULL,
    occurred_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    account_id BLOB,
    actor_id BLOB,
    address TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX security_events_time ON security_events(occurred_at);

CREATE TABLE api_tokens (
    id BLOB PRIMARY KEY NOT NULL,
    account_id BLOB NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    token_sha256 TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
