//! Everything served that is not the JSON API: the storefront with its chat widget, demo
//! product images, uploaded media, and problem-shaped answers for unknown routes.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use super::extract::ApiPath;
use crate::AppState;
use crate::error::{Error, Result};
use crate::storage::records;

const STORE_HTML: &str = include_str!("../../static/store.html");
const STORE_JS: &str = include_str!("../../static/store.js");
/// The chat widget a shop embeds (built from `widget/`; build.rs refuses a stale one).
const WIDGET_JS: &str = include_str!("../../static/widget.js");
const STORE_CSS: &str = include_str!("../../static/store.css");
const OUTBOX_HTML: &str = include_str!("../../static/outbox.html");

/// Pages may load only what this server serves; customer text is never markup.
pub const PAGE_CSP: &str = "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; \
     style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

fn page(body: &'static str) -> Response {
    let mut response = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    response
}

fn asset(mime: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// The embeddable widget: a classic script any site may load (also one that requires
/// cross-origin resource policy), revalidated so a shop's visitors get a new version at once.
async fn widget_script() -> Response {
    let mut response = asset("text/javascript; charset=utf-8", WIDGET_JS);
    response.headers_mut().insert(
        header::HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("cross-origin"),
    );
    response
}

async fn outbox_page(State(state): State<AppState>) -> Response {
    if state.demo {
        page(OUTBOX_HTML)
    } else {
        Error::not_found("page").into_response()
    }
}

async fn product_image(ApiPath(file): ApiPath<String>) -> Result<Response> {
    let (bytes, mime) =
        crate::assets::product_image(&file).ok_or_else(|| Error::not_found("image"))?;
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        bytes,
    )
        .into_response())
}

/// An upload, streamed from disk with Range support (a phone's video player asks for byte
/// ranges): memory per request stays small whatever the file's size.
async fn media(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    request: axum::extract::Request,
) -> Result<Response> {
    let found = state
        .db
        .read(move |db| records::upload_file(db, &id))
        .await?;
    let (mime, sha) = found.ok_or_else(|| Error::not_found("upload"))?;
    let served = tower_http::services::ServeFile::new(state.media_dir.join(&sha))
        .try_call(request)
        .await?;
    if served.status() == StatusCode::NOT_FOUND {
        tracing::error!(%sha, "an upload's file is missing from the media directory");
        return Err(Error::not_found("upload"));
    }
    let mut response = served.map(axum::body::Body::new).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&mime)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("inline"),
    );
    // Never a document, whatever a browser makes of the bytes: no scripts, no plugins, its own
    // origin.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    headers.insert(
        header::ETAG,
        HeaderValue::from_str(&format!("\"{sha}\"")).unwrap_or(HeaderValue::from_static("\"\"")),
    );
    Ok(response)
}

async fn not_found() -> Error {
    Error::not_found("page")
}

pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/", get(|| async { Redirect::temporary("/store") }))
        .route("/store", get(|| async { page(STORE_HTML) }))
        .route(
            "/store/products/{handle}",
            get(|| async { page(STORE_HTML) }),
        )
        .route("/store/checkout", get(|| async { page(STORE_HTML) }))
        .route(
            "/store/store.js",
            get(|| async { asset("text/javascript; charset=utf-8", STORE_JS) }),
        )
        .route("/store/widget.js", get(widget_script))
        .route(
            "/store/store.css",
            get(|| async { asset("text/css; charset=utf-8", STORE_CSS) }),
        )
        .route("/store/outbox", get(outbox_page))
        .route("/assets/products/{file}", get(product_image))
        .route("/media/{id}", get(media))
        .fallback(not_found)
}
