//! The `inbox-media:` protocol: attachments for the window, from the offline cache. It serves
//! only attachments the UI registered through the `media_url` command, never a path it names.

use inbox_protocol::Attachment;
use tauri::http::{Request, Response, StatusCode, header};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

use crate::state::AppState;

pub const SCHEME: &str = "inbox-media";

/// The URL of a registered attachment (the form differs where the webview needs http).
pub fn url(key: &str) -> String {
    if cfg!(any(windows, target_os = "android")) {
        format!("http://{SCHEME}.localhost/{key}")
    } else {
        format!("{SCHEME}://localhost/{key}")
    }
}

/// The key of a pending upload, which has no hash yet: its local file name.
pub fn local_key(attachment: &Attachment) -> String {
    let name: String = attachment
        .url
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    format!("local-{name}")
}

pub fn handle<R: Runtime>(
    ctx: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let app = ctx.app_handle().clone();
    tauri::async_runtime::spawn(async move {
        responder.respond(serve(&app, &request).await);
    });
}

async fn serve<R: Runtime>(
    app: &tauri::AppHandle<R>,
    request: &Request<Vec<u8>>,
) -> Response<Vec<u8>> {
    let state = app.state::<AppState>();
    let key = request.uri().path().trim_start_matches('/');
    let Some(attachment) = state.media(key) else {
        return status(StatusCode::NOT_FOUND);
    };
    let Ok(inbox) = state.engine().await else {
        return status(StatusCode::UNAUTHORIZED);
    };
    let bytes = match inbox.attachment(&attachment).await {
        Ok(path) => match tokio::fs::read(&path).await {
            Ok(bytes) => bytes,
            Err(_) => return status(StatusCode::NOT_FOUND),
        },
        Err(e) => {
            tracing::info!(code = %e.code(), "an attachment can't be shown");
            return status(StatusCode::BAD_GATEWAY);
        }
    };
    let total = bytes.len();
    let builder = Response::builder()
        .header(header::CONTENT_TYPE, attachment.mime.as_str())
        .header(header::ACCEPT_RANGES, "bytes")
        .header(
            header::CACHE_CONTROL,
            "private, max-age=31536000, immutable",
        );
    // Videos seek with ranges.
    match request
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| range(v, total))
    {
        Some((start, end)) => builder
            .status(StatusCode::PARTIAL_CONTENT)
            .header(
                header::CONTENT_RANGE,
                format!("bytes {start}-{end}/{total}"),
            )
            .body(bytes[start..=end].to_vec())
            .unwrap_or_else(|_| status(StatusCode::INTERNAL_SERVER_ERROR)),
        None => builder
            .status(StatusCode::OK)
            .body(bytes)
            .unwrap_or_else(|_| status(StatusCode::INTERNAL_SERVER_ERROR)),
    }
}

/// One `bytes=start-end` range within `total` bytes, inclusive; `None` for anything else.
fn range(header: &str, total: usize) -> Option<(usize, usize)> {
    let spec = header.strip_prefix("bytes=")?;
    if spec.contains(',') || total == 0 {
        return None;
    }
    let (start, end) = spec.split_once('-')?;
    let (start, end) = match (start.trim(), end.trim()) {
        ("", suffix) => {
            let n: usize = suffix.parse().ok()?;
            (total.checked_sub(n.min(total))?, total - 1)
        }
        (start, "") => (start.parse().ok()?, total - 1),
        (start, end) => (
            start.parse().ok()?,
            end.parse::<usize>().ok()?.min(total - 1),
        ),
    };
    (start <= end && start < total).then_some((start, end))
}

fn status(code: StatusCode) -> Response<Vec<u8>> {
    Response::builder()
        .status(code)
        .body(Vec::new())
        .expect("a bodiless response builds")
}

#[cfg(test)]
mod tests {
    use super::range;

    #[test]
    fn ranges_are_read_as_browsers_send_them() {
        assert_eq!(range("bytes=0-99", 1000), Some((0, 99)));
        assert_eq!(range("bytes=900-", 1000), Some((900, 999)));
        assert_eq!(range("bytes=-100", 1000), Some((900, 999)));
        assert_eq!(range("bytes=990-2000", 1000), Some((990, 999)));
        assert_eq!(range("bytes=1000-", 1000), None);
        assert_eq!(range("bytes=5-1", 1000), None);
        assert_eq!(range("bytes=0-1,5-9", 1000), None);
        assert_eq!(range("items=0-1", 1000), None);
    }
}
