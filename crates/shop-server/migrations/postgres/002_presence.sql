-- Presence as leases (see migrations/sqlite/003_presence.sql): a row per conversation per
-- instance with open chat streams, renewed while the instance runs.
CREATE TABLE presence_leases (
    conversation_id BIGINT NOT NULL REFERENCES conversations(id),
    instance        TEXT NOT NULL,
    streams         BIGINT NOT NULL CHECK (streams > 0),
    expires_at      BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, instance)
);
CREATE INDEX presence_leases_by_expiry ON presence_leases(expires_at);
CREATE INDEX presence_leases_by_instance ON presence_leases(instance);
