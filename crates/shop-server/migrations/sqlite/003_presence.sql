-- Presence as leases: each server instance holds a row per conversation whose chat streams it
-- serves, and renews it while it runs. A customer is online while any unexpired lease with an
-- open stream exists, so an instance that dies (kill -9, a lost machine) stops counting once
-- its leases expire, without anyone having to clean up after it.
CREATE TABLE presence_leases (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    instance        TEXT NOT NULL,
    streams         INTEGER NOT NULL CHECK (streams > 0),
    expires_at      INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, instance)
) STRICT;
CREATE INDEX presence_leases_by_expiry ON presence_leases(expires_at);
CREATE INDEX presence_leases_by_instance ON presence_leases(instance);
