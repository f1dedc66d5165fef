-- Proactive disclosure (主动公开): each agency's catalog with every revision kept, documents
-- with immutable versions, and the change records that every process's search index follows.

CREATE TABLE catalog_items (
    id UUID PRIMARY KEY NOT NULL,
    agency_id UUID NOT NULL REFERENCES agencies(id),
    code TEXT NOT NULL,
    -- The template this item was adopted from (a standard code or a higher agency's item),
    -- so that deviations from it can be shown.
    template_agency_id UUID REFERENCES agencies(id),
    template_code TEXT,
    data TEXT NOT NULL,
    sort_order BIGINT NOT NULL,
    active BOOLEAN NOT NULL,
    revision BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (agency_id, code)
);

CREATE TABLE catalog_revisions (
    id UUID PRIMARY KEY NOT NULL,
    agency_id UUID NOT NULL REFERENCES agencies(id),
    code TEXT NOT NULL,
    revision BIGINT NOT NULL,
    data TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    changed_by UUID,
    change_note TEXT NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL,
    UNIQUE (agency_id, code, revision)
);

CREATE TABLE document_settings (
    agency_id UUID PRIMARY KEY NOT NULL REFERENCES agencies(id),
    index_number_template TEXT NOT NULL
);

CREATE TABLE index_number_counters (
    agency_id UUID NOT NULL REFERENCES agencies(id),
    year BIGINT NOT NULL,
    last_value BIGINT NOT NULL,
    PRIMARY KEY (agency_id, year)
);

CREATE TABLE documents (
    id UUID PRIMARY KEY NOT NULL,
    agency_id UUID NOT NULL REFERENCES agencies(id),
    external_id TEXT NOT NULL UNIQUE,
    index_number TEXT NOT NULL UNIQUE,
    catalog_code TEXT,
    -- draft | published | withdrawn: whether the public sees a current version.
    status TEXT NOT NULL,
    current_version BIGINT NOT NULL,
    title TEXT NOT NULL,
    issuer TEXT NOT NULL,
    level TEXT NOT NULL,
    topic TEXT NOT NULL,
    validity TEXT NOT NULL,
    published_date DATE,
    published_year BIGINT,
    formed_on DATE,
    withdrawn_reason TEXT,
    withdrawn_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX documents_public_list ON documents(status, published_date DESC, external_id);
CREATE INDEX documents_agency ON documents(agency_id, status);

CREATE TABLE document_versions (
    document_id UUID NOT NULL REFERENCES documents(id),
    version BIGINT NOT NULL,
    -- draft | in_review | published | rejected | superseded
    state TEXT NOT NULL,
    metadata TEXT NOT NULL,
    header TEXT NOT NULL,
    body TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    change_note TEXT NOT NULL,
    review_note TEXT NOT NULL,
    created_by UUID,
    reviewed_by UUID,
    created_at TIMESTAMPTZ NOT NULL,
    published_at TIMESTAMPTZ,
    PRIMARY KEY (document_id, version)
);
CREATE INDEX document_versions_sha ON document_versions(content_sha256);
CREATE INDEX document_versions_review ON document_versions(state);

CREATE TABLE document_links (
    document_id UUID NOT NULL REFERENCES documents(id),
    interpretation_id UUID NOT NULL REFERENCES documents(id),
    PRIMARY KEY (document_id, interpretation_id)
);
CREATE INDEX document_links_reverse ON document_links(interpretation_id);

CREATE TABLE document_changes (
    seq BIGSERIAL PRIMARY KEY,
    document_id UUID NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL
);
