-- Disclosure applications (依申请公开). The events are the record; the columns of
-- `applications` beside the form are a cache of the state rebuilt from them, kept for queues
-- and always rewritten in the same transaction as the events.

CREATE TABLE applications (
    id UUID PRIMARY KEY NOT NULL,
    agency_id UUID NOT NULL REFERENCES agencies(id),
    receipt_number TEXT NOT NULL UNIQUE,
    applicant_account_id UUID REFERENCES accounts(id),
    idempotency_key TEXT UNIQUE,
    channel TEXT NOT NULL,
    applicant_kind TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    identity_kind TEXT NOT NULL,
    identity_number TEXT NOT NULL,
    organisation_code TEXT NOT NULL,
    legal_representative TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    postal_address TEXT NOT NULL,
    information_description TEXT NOT NULL,
    document_number TEXT NOT NULL,
    purpose TEXT NOT NULL,
    form_preference TEXT NOT NULL,
    delivery_preference TEXT NOT NULL,
    stage TEXT NOT NULL,
    receipt_date DATE,
    reply_due_date DATE,
    reply_due_provisional BOOLEAN NOT NULL,
    lead_department_id TEXT,
    reply_kind TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX applications_queue ON applications(agency_id, stage, reply_due_date);
CREATE INDEX applications_applicant ON applications(applicant_account_id, created_at);

CREATE TABLE application_events (
    id UUID PRIMARY KEY NOT NULL,
    application_id UUID NOT NULL REFERENCES applications(id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    actor_id UUID,
    occurred_at TIMESTAMPTZ NOT NULL,
    UNIQUE (application_id, seq)
);

CREATE TABLE receipt_counters (
    agency_id UUID NOT NULL REFERENCES agencies(id),
    year BIGINT NOT NULL,
    last_value BIGINT NOT NULL,
    PRIMARY KEY (agency_id, year)
);

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY NOT NULL,
    content BYTEA NOT NULL,
    size_bytes BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE application_attachments (
    id UUID PRIMARY KEY NOT NULL,
    application_id UUID NOT NULL REFERENCES applications(id),
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    purpose TEXT NOT NULL,
    uploaded_by UUID,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX application_attachments_application ON application_attachments(application_id);

CREATE TABLE outbox (
    id UUID PRIMARY KEY NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    kind TEXT NOT NULL,
    account_id UUID,
    recipient_email TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    application_id UUID,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    sent_at TIMESTAMPTZ,
    last_error TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_account ON outbox(account_id, created_at);
