-- The transparency log (存证): leaf data in RFC 8785 canonical JSON (hashes and references only,
-- never personal data) and the stored hashes of the Merkle tree in the tlog layout. Rows are
-- only ever inserted, in the same transaction as the change they record.
CREATE TABLE tlog_entries (
    entry_index BIGINT PRIMARY KEY NOT NULL,
    data BYTEA NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE tlog_hashes (
    hash_index BIGINT PRIMARY KEY NOT NULL,
    hash BYTEA NOT NULL
);
