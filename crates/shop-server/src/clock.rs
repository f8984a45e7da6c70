//! The wall clock, in the milliseconds the API speaks. Mutations take the time as an argument;
//! only the edges (handlers, background tasks) read it here.

use inbox_protocol::Millis;

pub fn now_ms() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}
