-- Remedies against disclosure conduct (Art. 51): complaints, administrative reconsideration and
-- litigation, each linked to the application it concerns, with dates and outcome (table 四).
CREATE TABLE remedies (
    id BLOB PRIMARY KEY NOT NULL,
    agency_id BLOB NOT NULL REFERENCES agencies(id),
    application_id BLOB NOT NULL REFERENCES applications(id),
    -- complaint | reconsideration | litigation_direct | litigation_after_reconsideration
    kind TEXT NOT NULL,
    -- The reviewing body or court, and its case number.
    body_name TEXT NOT NULL,
    case_number TEXT NOT NULL,
    -- When the person knew of the conduct (or received the reconsideration decision).
    known_on TEXT NOT NULL,
    filed_on TEXT NOT NULL,
    simplified BOOLEAN NOT NULL,
    -- upheld | corrected | other | pending
    outcome TEXT NOT NULL,
    decided_on TEXT,
    decision_note TEXT NOT NULL,
    created_by BLOB REFERENCES accounts(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX remedies_agency ON remedies(agency_id, filed_on);
CREATE INDEX remedies_application ON remedies(application_id);

-- The figures each department enters for table 二 (Art. 20 (五), (六), (八)); department_key is
-- the department's id as text, or '' for figures the OGI office enters for the whole agency.
CREATE TABLE annual_report_figures (
    agency_id BLOB NOT NULL REFERENCES agencies(id),
    year BIGINT NOT NULL,
    department_key TEXT NOT NULL,
    licensing_decisions BIGINT NOT NULL,
    penalty_decisions BIGINT NOT NULL,
    coercion_decisions BIGINT NOT NULL,
    administrative_fees_fen BIGINT NOT NULL,
    entered_by BLOB REFERENCES accounts(id),
    entered_at TEXT NOT NULL,
    PRIMARY KEY (agency_id, year, department_key)
);

-- The texts of sections 一, 五 and 六 and, once published, the report as published.
CREATE TABLE annual_reports (
    agency_id BLOB NOT NULL REFERENCES agencies(id),
    year BIGINT NOT NULL,
    overview TEXT NOT NULL,
    problems_and_improvements TEXT NOT NULL,
    other_matters TEXT NOT NULL,
    updated_by BLOB REFERENCES accounts(id),
    updated_at TEXT NOT NULL,
    -- The JSON form of the report as published (every cell keyed by its official labels) and
    -- the document it was published as; NULL while unpublished.
    published_json TEXT,
    published_document TEXT,
    published_at TEXT,
    published_by BLOB REFERENCES accounts(id),
    PRIMARY KEY (agency_id, year)
);
