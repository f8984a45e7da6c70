//! Who hears about a customer message: the notification policy as a pure function.
//!
//! A conversation assigned to a staff member notifies only them; an unassigned one notifies
//! every staff member; nobody is notified of their own messages. Delivering the notification
//! (and quiet hours, focus and de-duplication) is the app's job, not this module's.

use inbox_protocol::{Author, Conversation, Message};

/// Why a staff member should, or should not, be told about a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The conversation is assigned to this staff member.
    Assigned,
    /// Nobody is assigned, so everyone hears about it.
    Unassigned,
    /// Assigned to someone else: they hear about it, not this staff member.
    AssignedToSomeoneElse,
    /// Staff don't get notified of staff messages (their own or colleagues').
    NotFromCustomer,
}

impl Decision {
    pub fn notifies(self) -> bool {
        matches!(self, Decision::Assigned | Decision::Unassigned)
    }
}

/// Decides for staff member `me` whether `message` in `conversation` warrants a notification.
/// The conversation must be its state as of the message (reassignment applies from the very
/// next message on).
pub fn decide(me: i64, conversation: &Conversation, message: &Message) -> Decision {
    if !matches!(message.author, Author::Customer { .. }) {
        return Decision::NotFromCustomer;
    }
    match conversation.assignee_id {
        Some(assignee) if assignee == me => Decision::Assigned,
        Some(_) => Decision::AssignedToSomeoneElse,
        None => Decision::Unassigned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inbox_protocol::*;

    fn conversation(assignee: Option<i64>) -> Conversation {
        Conversation {
            id: 1,
            customer_id: 9,
            platform: Platform::OnlineStore,
            status: ConversationStatus::Open,
            assignee_id: assignee,
            contact_email: "c@example.com".into(),
            customer_online: true,
            created_at: 0,
            updated_at: 0,
            last_message_at: 0,
            topics: vec![],
            snoozed_until: None,
            woke_at: None,
        }
    }

    fn message(author: Author) -> Message {
        Message {
            id: 1,
            conversation_id: 1,
            author,
            body: MessageBody::Text { text: "hi".into() },
            delivery: None,
            created_at: 0,
        }
    }

    const ME: i64 = 7;
    const COLLEAGUE: i64 = 8;

    #[test]
    fn the_assignee_and_only_the_assignee_hears_about_assigned_conversations() {
        let from_customer = message(Author::Customer { customer_id: 9 });
        assert_eq!(
            decide(ME, &conversation(Some(ME)), &from_customer),
            Decision::Assigned
        );
        assert!(decide(ME, &conversation(Some(ME)), &from_customer).notifies());
        assert_eq!(
            decide(ME, &conversation(Some(COLLEAGUE)), &from_customer),
            Decision::AssignedToSomeoneElse
        );
        assert!(!decide(ME, &conversation(Some(COLLEAGUE)), &from_customer).notifies());
        assert!(decide(COLLEAGUE, &conversation(Some(COLLEAGUE)), &from_customer).notifies());
    }

    #[test]
    fn everyone_hears_about_unassigned_conversations() {
        let from_customer = message(Author::Customer { customer_id: 9 });
        for staff in [ME, COLLEAGUE, 99] {
            assert_eq!(
                decide(staff, &conversation(None), &from_customer),
                Decision::Unassigned
            );
        }
    }

    #[test]
    fn staff_messages_never_notify() {
        for author in [
            Author::Staff { staff_id: ME },
            Author::Staff {
                staff_id: COLLEAGUE,
            },
        ] {
            for assignee in [None, Some(ME), Some(COLLEAGUE)] {
                let d = decide(ME, &conversation(assignee), &message(author.clone()));
                assert_eq!(d, Decision::NotFromCustomer);
                assert!(!d.notifies());
            }
        }
    }

    #[test]
    fn reassignment_switches_who_hears() {
        let from_customer = message(Author::Customer { customer_id: 9 });
        let mut c = conversation(Some(ME));
        assert!(decide(ME, &c, &from_customer).notifies());
        c.assignee_id = Some(COLLEAGUE);
        assert!(!decide(ME, &c, &from_customer).notifies());
        assert!(decide(COLLEAGUE, &c, &from_customer).notifies());
    }
}
