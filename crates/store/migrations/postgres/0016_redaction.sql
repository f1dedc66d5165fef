-- Redaction reviews (issue 7, Art. 15 and Art. 37 of the 《政府信息公开条例》): staff review the
-- spans of personal data or trade secrets in a text before any of it leaves the agency. A review
-- holds the original text, attached either to an application (the material of a partial
-- disclosure) or to a document draft. Every span is in Unicode scalar values (characters),
-- end-exclusive, as everywhere in `gongkai_domain::redaction`. Nothing leaves unconfirmed: the
-- redacted text is written once, at confirmation, from the accepted spans, and every output
-- (HTML, plain text, PDF) is built from it alone.
CREATE TABLE redaction_reviews (
    id UUID PRIMARY KEY NOT NULL,
    agency_id UUID NOT NULL REFERENCES agencies(id),
    application_id UUID REFERENCES applications(id),
    document_id UUID REFERENCES documents(id),
    title TEXT NOT NULL,
    original_text TEXT NOT NULL,
    -- open | confirmed
    status TEXT NOT NULL,
    -- replace | blocks | partial: how confirmed spans are masked in the redacted text.
    mask_style TEXT,
    -- Built from original_text and the accepted spans at confirmation; NULL while open.
    redacted_text TEXT,
    -- Raised by every change, so that two staff working on one review are serialised.
    version BIGINT NOT NULL,
    created_by UUID REFERENCES accounts(id),
    created_at TIMESTAMPTZ NOT NULL,
    confirmed_by UUID REFERENCES accounts(id),
    confirmed_at TIMESTAMPTZ,
    CHECK (application_id IS NOT NULL OR document_id IS NOT NULL)
);
CREATE INDEX redaction_reviews_application ON redaction_reviews(application_id);
CREATE INDEX redaction_reviews_document ON redaction_reviews(document_id);

CREATE TABLE redaction_spans (
    id UUID PRIMARY KEY NOT NULL,
    review_id UUID NOT NULL REFERENCES redaction_reviews(id),
    start_char BIGINT NOT NULL,
    end_char BIGINT NOT NULL,
    -- gongkai_domain::redaction::Category::code, or trade_secret for spans staff add under
    -- that ground.
    category TEXT NOT NULL,
    -- gongkai_domain::redaction::Ground::code
    ground TEXT NOT NULL,
    confidence_percent BIGINT NOT NULL,
    -- The detector's reason (never the span's text); empty for spans staff added.
    reason TEXT NOT NULL,
    -- suggested (by the detectors and the policy) | added (by staff)
    origin TEXT NOT NULL,
    -- suggested | accepted | rejected
    status TEXT NOT NULL,
    decided_by UUID REFERENCES accounts(id),
    decided_at TIMESTAMPTZ,
    CHECK (start_char >= 0 AND end_char > start_char)
);
CREATE INDEX redaction_spans_review ON redaction_spans(review_id, start_char);

-- Who did what to which span, and when. It never holds the text of a span.
CREATE TABLE redaction_log (
    id UUID PRIMARY KEY NOT NULL,
    review_id UUID NOT NULL REFERENCES redaction_reviews(id),
    span_id UUID REFERENCES redaction_spans(id),
    -- suggested | added | accepted | rejected | confirmed
    action TEXT NOT NULL,
    category TEXT NOT NULL,
    ground TEXT NOT NULL,
    actor_id UUID REFERENCES accounts(id),
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX redaction_log_review ON redaction_log(review_id, at);
