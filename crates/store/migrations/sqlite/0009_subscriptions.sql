-- E-mail subscriptions to new publications (all, or one catalog item, topic or issuer), with
-- double opt-in and one-click unsubscribe. Tokens are not stored: they are HMACs of the
-- subscription id under the installation secret, checked on use.
CREATE TABLE subscriptions (
    id BLOB PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    account_id BLOB REFERENCES accounts(id),
    filter_kind TEXT NOT NULL,
    filter_value TEXT NOT NULL,
    frequency TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    confirmed_at TEXT,
    last_sent_at TEXT,
    UNIQUE (email, filter_kind, filter_value)
);
CREATE INDEX subscriptions_account ON subscriptions(account_id);
CREATE INDEX subscriptions_active ON subscriptions(status, frequency);

-- The List-Unsubscribe address of an outgoing message (RFC 2369, RFC 8058 one-click).
CREATE TABLE outbox_list_unsubscribe (
    outbox_id BLOB PRIMARY KEY NOT NULL REFERENCES outbox(id),
    url TEXT NOT NULL
);
