-- Foundation: settings, agencies and departments, accounts, roles, sessions, login throttling,
-- the security audit log and API tokens. Every table that belongs to an agency names it, so the
-- installation is multi-agency from the first migration.

CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE agencies (
    id UUID PRIMARY KEY NOT NULL,
    parent_id UUID REFERENCES agencies(id),
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
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX agencies_parent ON agencies(parent_id);

CREATE TABLE departments (
    id UUID PRIMARY KEY NOT NULL,
    agency_id UUID NOT NULL REFERENCES agencies(id),
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    duties TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (agency_id, name_zh)
);

CREATE TABLE accounts (
    id UUID PRIMARY KEY NOT NULL,
    email TEXT UNIQUE,
    mobile TEXT UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_staff BOOLEAN NOT NULL,
    is_active BOOLEAN NOT NULL,
    failed_login_count BIGINT NOT NULL,
    locked_until TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    password_changed_at TIMESTAMPTZ NOT NULL,
    CHECK (email IS NOT NULL OR mobile IS NOT NULL)
);

CREATE TABLE role_assignments (
    id UUID PRIMARY KEY NOT NULL,
    account_id UUID NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    agency_id UUID REFERENCES agencies(id),
    department_id UUID REFERENCES departments(id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX role_assignments_account ON role_assignments(account_id);
CREATE UNIQUE INDEX role_assignments_unique ON role_assignments(account_id, role, coalesce(agency_id, '00000000-0000-0000-0000-000000000000'::uuid), coalesce(department_id, '00000000-0000-0000-0000-000000000000'::uuid));

CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY NOT NULL,
    account_id UUID NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    user_agent TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE login_attempts (
    id UUID PRIMARY KEY NOT NULL,
    address TEXT NOT NULL,
    identifier TEXT NOT NULL,
    succeeded BOOLEAN NOT NULL,
    attempted_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_attempts_address ON login_attempts(address, attempted_at);

CREATE TABLE security_events (
    id UUID PRIMARY KEY NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    kind TEXT NOT NULL,
    account_id UUID,
    actor_id UUID,
    address TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX security_events_time ON security_events(occurred_at);

CREATE TABLE api_tokens (
    id UUID PRIMARY KEY NOT NULL,
    account_id UUID NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    token_sha256 TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
