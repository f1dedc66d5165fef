-- The last step of the interpretation click-through (C17: document → interpretation → related
-- application): a visitor who follows a document page's "apply for related information" link
-- adds one to `onward_to_application` of that document for the day. Like the other counters,
-- no visitor, address or session is recorded.
ALTER TABLE document_usage ADD COLUMN onward_to_application BIGINT NOT NULL DEFAULT 0;
