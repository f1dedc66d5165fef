-- Working-day calendar corrections: a year's holiday arrangement as the State Council published
-- it, imported by an administrator. It overrides the arrangement compiled into the binary.
CREATE TABLE calendar_years (
    year BIGINT PRIMARY KEY NOT NULL,
    arrangement_json TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by BLOB
);
