-- Customer messages this staff member has already been told about (or deliberately not: quiet
-- hours, the focused conversation), so nothing notifies twice, across restarts.
CREATE TABLE notified (
    message_id  INTEGER PRIMARY KEY,
    notified_at INTEGER NOT NULL
) STRICT;
