-- Reminders of late publication duties (Art. 26) mailed to the owning department: one row per
-- agency, duty and day, written in the same transaction as the outbox messages it announces.
-- The primary key is what keeps it to one reminder per item per day, even when several
-- processes run the housekeeping at once.
CREATE TABLE publication_reminders (
    agency_id BLOB NOT NULL REFERENCES agencies(id),
    kind TEXT NOT NULL,
    reference TEXT NOT NULL,
    reminded_on TEXT NOT NULL,
    recipients BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (agency_id, kind, reference, reminded_on)
);

-- What an agency decided about each revision of a higher agency's catalog template that it
-- adopted (上下一致): `accepted` (its item took the template's content, as a new revision of
-- its own) or `kept` (it keeps its deviation). A template revision without a decision is
-- shown to the agency's OGI office with the differences.
CREATE TABLE catalog_template_decisions (
    agency_id BLOB NOT NULL REFERENCES agencies(id),
    code TEXT NOT NULL,
    template_revision BIGINT NOT NULL,
    decision TEXT NOT NULL,
    decided_by BLOB,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (agency_id, code, template_revision)
);
