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
