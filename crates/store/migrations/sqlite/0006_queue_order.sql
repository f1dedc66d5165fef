-- The staff queue lists an agency's open applications, most urgent first. This partial index
-- holds exactly those rows in exactly that order, so a page reads its rows from the index
-- instead of sorting every open application on each request (docs/benchmarks.md).
CREATE INDEX applications_open_queue ON applications
    (agency_id, (reply_due_date IS NULL), reply_due_date, created_at)
    WHERE stage NOT IN ('issued', 'delivered', 'archived', 'abandoned', 'withdrawn');
