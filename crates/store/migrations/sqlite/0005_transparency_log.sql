-- The transparency log (存证): leaf data in RFC 8785 canonical JSON (hashes and references only,
-- never personal data) and the stored hashes of the Merkle tree in the tlog layout. Rows are
-- only ever inserted, in the same transaction as the change they record.
CREATE TABLE tlog_entries (
    entry_index BIGINT PRIMARY KEY NOT NULL,
    data BLOB NOT NULL,
    recorded_at TEXT NOT NULL
);

CREATE TABLE tlog_hashes (
    hash_index BIGINT PRIMARY KEY NOT NULL,
    hash BLOB NOT NULL
);
