-- Files attached to a published document (PDF, DOCX, XLSX), stored once per SHA-256 in
-- blobs. An attachment belongs to the version it was added to, which must be a draft: it goes
-- through the confidentiality review (Art. 17) with that version and stays with the later
-- versions. The extracted text feeds search; text_status says why it may be missing.
CREATE TABLE document_attachments (
    id BLOB PRIMARY KEY NOT NULL,
    document_id BLOB NOT NULL REFERENCES documents(id),
    version BIGINT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    text_status TEXT NOT NULL,
    extracted_text TEXT NOT NULL,
    uploaded_by BLOB REFERENCES accounts(id),
    created_at TEXT NOT NULL
);
CREATE INDEX document_attachments_document ON document_attachments(document_id, version);
