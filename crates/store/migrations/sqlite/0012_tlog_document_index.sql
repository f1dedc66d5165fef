-- A document's history read from the transparency log (issue 6): each entry about a document
-- version (published, corrected, withdrawn) names the document's external id, so that the
-- document page finds its entries without reading the whole log. The column is a lookup key
-- only; the entry's data stays the record, and `gongkai audit` never reads this column.
ALTER TABLE tlog_entries ADD COLUMN document_external_id TEXT;

-- Entries written before this migration: a document leaf's subject is `<external id>@v<n>`,
-- so stripping the trailing digits and then `@v` leaves the external id.
UPDATE tlog_entries
SET document_external_id = substr(
        rtrim(json_extract(CAST(data AS TEXT), '$.subject'), '0123456789'),
        1,
        length(rtrim(json_extract(CAST(data AS TEXT), '$.subject'), '0123456789')) - 2)
WHERE json_extract(CAST(data AS TEXT), '$.kind') IN
        ('document_version_published', 'document_version_corrected', 'document_withdrawn')
  AND rtrim(json_extract(CAST(data AS TEXT), '$.subject'), '0123456789') LIKE '%@v';

CREATE INDEX tlog_entries_document_idx ON tlog_entries (document_external_id, entry_index);
