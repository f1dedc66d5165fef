-- Open data, first step (C12): a dataset is a document with a table described by a
-- Frictionless Table Schema. The table is attached to the draft version it was uploaded to
-- (it goes through the confidentiality review of Art. 17 with it) and stays with the later
-- versions until another upload replaces it. The CSV is stored as checked, in a canonical form
-- (UTF-8, RFC 4180, CRLF); `csv_sha256` is the digest of exactly the bytes offered for download.
CREATE TABLE document_datasets (
    document_id BLOB NOT NULL REFERENCES documents(id),
    version BIGINT NOT NULL,
    schema_json TEXT NOT NULL,
    csv_text TEXT NOT NULL,
    csv_sha256 TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    uploaded_by BLOB REFERENCES accounts(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (document_id, version)
);
