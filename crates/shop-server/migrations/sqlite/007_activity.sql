-- Who is at work in a conversation: one row per conversation and person (`staff_id` 0 is the
-- conversation's customer), renewed while they view or type and lapsing on its own at
-- `viewing_until` / `typing_until`. Each row is one entity of the change feed, so however
-- often it is renewed the log holds one change for it. Rows long lapsed are forgotten.
CREATE TABLE activities (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    staff_id        INTEGER NOT NULL,
    viewing_until   INTEGER NOT NULL,
    typing_until    INTEGER NOT NULL,
    at              INTEGER NOT NULL,
    UNIQUE (conversation_id, staff_id)
) STRICT;
CREATE INDEX activities_by_at ON activities(at);
