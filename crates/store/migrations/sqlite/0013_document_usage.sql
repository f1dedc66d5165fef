-- How often each document was viewed and downloaded, per day (C17 utilisation). These
-- counters are the raw data themselves, not a cache of anything else: a view of the public
-- document page adds one to `views`, a download of a version's canonical file adds one to
-- `downloads`. No visitor, address or session is recorded.
CREATE TABLE document_usage (
    document_id BLOB NOT NULL REFERENCES documents(id),
    day TEXT NOT NULL,
    views BIGINT NOT NULL DEFAULT 0,
    downloads BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (document_id, day)
);
