//! Offline history that is whole: after each sync, images in conversations that nobody opened
//! on this computer yet (a customer's, a colleague's) are fetched into the attachment cache in the background, newest conversations first, so a
//! conversation never opened before shows its images offline. Prefetch only fills the room the
//! cache has under its cap (it never evicts what someone looked at to make room for what no one
//! has), stops at the first network failure until the next sync, and runs beside sync, never in
//! front of it. Videos are left to be fetched when played: one can be as large as the cache.

use std::collections::HashSet;

use inbox_protocol::{Attachment, MediaKind, Message, MessageBody};

use crate::attachments::AttachmentCache;
use crate::error::{Error, Result};
use crate::store::Store;

/// Candidates read per round.
const BATCH: usize = 64;

/// Images in messages that are not cached yet: newest conversation first (by its last message),
/// then newest message first.
pub fn candidates(conn: &rusqlite::Connection, limit: usize) -> Result<Vec<Attachment>> {
    let rows = conn
        .prepare_cached(
            "SELECT m.data FROM messages m JOIN conversations c ON c.id = m.conversation_id
              WHERE json_extract(m.data, '$.body.type') = 'attachment'
                AND json_extract(m.data, '$.body.attachment.kind') = 'image'
                AND lower(json_extract(m.data, '$.body.attachment.sha256'))
                    NOT IN (SELECT sha256 FROM attachment_cache)
              ORDER BY c.last_message_at DESC, c.id DESC, m.created_at DESC, m.id DESC
              LIMIT ?1",
        )?
        .query_map([limit as i64], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for data in rows {
        let message: Message = serde_json::from_str(&data)?;
        if let MessageBody::Attachment { attachment, .. } = message.body
            && attachment.kind == MediaKind::Image
            && seen.insert(attachment.sha256.to_ascii_lowercase())
        {
            out.push(attachment);
        }
    }
    Ok(out)
}

/// Bytes the cache holds now.
pub fn cached_bytes(conn: &rusqlite::Connection) -> Result<u64> {
    let total: i64 = conn.query_row(
        "SELECT coalesce(sum(size), 0) FROM attachment_cache",
        [],
        |r| r.get(0),
    )?;
    Ok(total.max(0) as u64)
}

/// The candidates, in order, that fit the room left under `cap` with `used` bytes cached: the
/// first that doesn't fit ends the plan (what follows is older).
pub fn plan(candidates: Vec<Attachment>, used: u64, cap: u64) -> Vec<Attachment> {
    let mut room = cap.saturating_sub(used);
    let mut planned = Vec::new();
    for attachment in candidates {
        let size = attachment.size.max(0) as u64;
        if size > room {
            break;
        }
        room -= size;
        planned.push(attachment);
    }
    planned
}

/// What one run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Prefetched {
    pub files: usize,
    pub bytes: u64,
    /// Stopped at a network failure (the rest waits for the next sync).
    pub paused: bool,
}

/// Fetches what [`plan`] allows, round after round, until nothing is left that fits, or the
/// network fails. A file the shop can't give (gone, damaged) is skipped for this run.
pub async fn run(store: &Store, cache: &AttachmentCache, cap: u64) -> Result<Prefetched> {
    let mut done = Prefetched::default();
    let mut skipped: HashSet<String> = HashSet::new();
    loop {
        let (found, used) = store
            .read(|c| Ok((candidates(c, BATCH)?, cached_bytes(c)?)))
            .await?;
        let found: Vec<Attachment> = found
            .into_iter()
            .filter(|a| !skipped.contains(&a.sha256))
            .collect();
        let planned = plan(found, used, cap);
        if planned.is_empty() {
            return Ok(done);
        }
        for attachment in planned {
            match cache.get(&attachment).await {
                Ok(_) => {
                    done.files += 1;
                    done.bytes += attachment.size.max(0) as u64;
                }
                Err(e @ (Error::Network(_) | Error::Transient { .. } | Error::SignedOut(_))) => {
                    tracing::info!(code = %e.code(), "prefetch paused");
                    done.paused = true;
                    return Ok(done);
                }
                Err(e) => {
                    tracing::warn!(code = %e.code(), "an attachment can't be prefetched");
                    skipped.insert(attachment.sha256.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store;
    use inbox_protocol::*;

    fn image(sha: char, size: i64) -> Attachment {
        Attachment {
            upload_id: format!("u{sha}"),
            kind: MediaKind::Image,
            mime: "image/png".into(),
            size,
            width: Some(10),
            height: Some(10),
            sha256: sha.to_string().repeat(64),
            url: format!("/media/{sha}"),
        }
    }

    fn conversation(id: i64, last_message_at: i64) -> Entity {
        Entity::Conversation(Conversation {
            id,
            customer_id: 7,
            platform: Platform::OnlineStore,
            status: ConversationStatus::Open,
            assignee_id: None,
            contact_email: "saga@example.se".into(),
            customer_online: false,
            created_at: 1,
            updated_at: 2,
            last_message_at,
            topics: Vec::new(),
            snoozed_until: None,
            woke_at: None,
        })
    }

    fn message(
        id: i64,
        conversation_id: i64,
        at: i64,
        body: MessageBody,
        customer: bool,
    ) -> Entity {
        Entity::Message(Message {
            id,
            conversation_id,
            author: if customer {
                Author::Customer { customer_id: 7 }
            } else {
                Author::Staff { staff_id: 1 }
            },
            body,
            delivery: None,
            created_at: at,
        })
    }

    fn with(attachment: Attachment) -> MessageBody {
        MessageBody::Attachment {
            text: None,
            attachment,
        }
    }

    #[test]
    fn newest_conversations_first_then_newest_messages_and_only_uncached_images() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        store::migrate(&mut conn).unwrap();
        let tx = conn.transaction().unwrap();
        let mut video = image('v', 10);
        video.kind = MediaKind::Video;
        for entity in [
            conversation(1, 100),
            conversation(2, 300),
            conversation(3, 200),
            message(10, 1, 90, with(image('a', 10)), true),
            message(20, 2, 250, with(image('b', 10)), true),
            message(21, 2, 290, with(image('c', 10)), true),
            message(22, 2, 295, with(image('d', 10)), false),
            message(23, 2, 296, with(video), true),
            message(30, 3, 150, with(image('e', 10)), true),
            message(31, 3, 160, with(image('f', 10)), true),
            message(32, 3, 170, MessageBody::Text { text: "hej".into() }, true),
        ] {
            store::apply(&tx, &entity).unwrap();
        }
        // Already cached: not fetched again.
        tx.execute(
            "INSERT INTO attachment_cache (sha256, size, last_used_at) VALUES (?1, 10, 1)",
            ["f".repeat(64)],
        )
        .unwrap();
        tx.commit().unwrap();
        let order: Vec<String> = candidates(&conn, 100)
            .unwrap()
            .into_iter()
            .map(|a| a.upload_id)
            .collect();
        // Conversation 2 (newest), then 3, then 1; newest message first within each (a
        // colleague's image too); the video, text and the cached image are left out.
        assert_eq!(order, ["ud", "uc", "ub", "ue", "ua"]);
        assert_eq!(cached_bytes(&conn).unwrap(), 10);
        assert_eq!(candidates(&conn, 2).unwrap().len(), 2);
    }

    #[test]
    fn the_plan_fills_only_the_room_under_the_cap_and_stops_at_the_first_that_does_not_fit() {
        let all = vec![image('a', 40), image('b', 30), image('c', 5), image('d', 1)];
        let names = |p: Vec<Attachment>| p.into_iter().map(|a| a.upload_id).collect::<Vec<_>>();
        assert_eq!(names(plan(all.clone(), 0, 100)), ["ua", "ub", "uc", "ud"]);
        // 70 of 100 used: 40 doesn't fit, and nothing older jumps the queue.
        assert!(plan(all.clone(), 70, 100).is_empty());
        assert_eq!(names(plan(all.clone(), 25, 100)), ["ua", "ub", "uc"]);
        // Over the cap already (someone opened large files): nothing is prefetched.
        assert!(plan(all, 150, 100).is_empty());
    }
}
