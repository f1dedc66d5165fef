-- The applicant's rating of a reply (1–5 with a comment), for satisfaction figures (C17).
CREATE TABLE application_ratings (
    application_id UUID PRIMARY KEY NOT NULL REFERENCES applications(id),
    rating BIGINT NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment TEXT NOT NULL,
    rated_at TIMESTAMPTZ NOT NULL
);
