-- What people searched for and which results they opened: the popularity prior of ranking and
-- the OGI office's list of unmet needs (zero-result and never-clicked queries, C20). Queries
-- are stored normalised and cut to 200 characters, without any account or address.
CREATE TABLE search_queries (
    id BLOB PRIMARY KEY NOT NULL,
    query TEXT NOT NULL,
    results BIGINT NOT NULL,
    searched_at TEXT NOT NULL
);
CREATE INDEX search_queries_query ON search_queries(query);
CREATE INDEX search_queries_time ON search_queries(searched_at);

CREATE TABLE search_clicks (
    id BLOB PRIMARY KEY NOT NULL,
    query TEXT NOT NULL,
    external_id TEXT NOT NULL,
    clicked_at TEXT NOT NULL
);
CREATE INDEX search_clicks_query ON search_clicks(query);
CREATE INDEX search_clicks_document ON search_clicks(external_id);
