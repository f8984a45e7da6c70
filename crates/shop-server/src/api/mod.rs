//! The Inbox API v1 over HTTP: routes, the OpenAPI document generated from them, and the
//! idempotency of mutations.

pub mod cors;
pub mod extract;
pub mod live;
pub mod staff;
pub mod storefront;
pub mod web;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use inbox_protocol::ProblemCode;
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as OpenApiDoc, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::sha256_hex;
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::storage::{Tx, mutations, records};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Inbox API",
        version = "1.0.0",
        description = "Conversations between a shop's staff and its customers: a change feed and \
                       live push for staff clients, mutations that are safe to retry, and the \
                       storefront endpoints a chat widget uses. Times are Unix milliseconds; \
                       money is integer minor units; URLs in bodies are relative to the shop.",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0")
    ),
    tags(
        (name = "staff", description = "Signing in, the staff list"),
        (name = "sync", description = "The change feed and its live stream"),
        (name = "conversations", description = "Replies and conversation state"),
        (name = "catalog", description = "Products and discount codes to share"),
        (name = "customers", description = "Customer profiles and internal notes"),
        (name = "saved_replies", description = "Replies the shop keeps for staff to insert, \
                                                shared by every staff member"),
        (name = "storefront", description = "The customer's side: the chat widget. These routes \
                                             answer CORS requests from the origins the shop \
                                             allows (`--allowed-origin`), so the widget can be \
                                             embedded on the shop's own site; no credentials \
                                             (the chat token goes in `Authorization`)"),
    )
)]
struct ApiDoc;

/// Adds what every operation shares: bearer auth, and the problem responses any request can
/// get (a malformed request, an unknown id, a rate limit, a server failure).
struct Conventions;

impl Modify for Conventions {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        let problem = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    inbox_protocol::PROBLEM_CONTENT_TYPE,
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
        };
        let shared = [
            (
                "400",
                "The request is malformed (`malformed_payload`, `invalid_cursor`)",
            ),
            ("401", "No valid token (`unauthenticated`, `token_expired`)"),
            ("403", "Not allowed (`permission_denied`)"),
            ("404", "No such resource (`not_found`)"),
            ("405", "The method is not allowed here"),
            ("415", "The body's media type is not accepted"),
            ("422", "The request can't be carried out; `code` says why"),
            ("429", "Too many requests; see Retry-After (`rate_limited`)"),
            ("500", "The server failed (`internal`)"),
        ];
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                for (status, description) in shared {
                    op.responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| problem(description).into());
                }
            }
        }
    }
}

/// The API router and its OpenAPI document.
pub fn router() -> (axum::Router<AppState>, OpenApiDoc) {
    let (router, api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(staff::health))
        .routes(routes!(staff::sign_in))
        .routes(routes!(staff::sign_out))
        .routes(routes!(staff::me))
        .routes(routes!(staff::list_staff))
        .routes(routes!(staff::sync))
        .routes(routes!(live::staff_events))
        .routes(routes!(staff::conversation))
        .routes(routes!(staff::send_message))
        .routes(routes!(staff::set_status))
        .routes(routes!(staff::set_snooze))
        .routes(routes!(staff::report_activity))
        .routes(routes!(staff::set_read_state))
        .routes(routes!(staff::set_assignee))
        .routes(routes!(staff::upload))
        .routes(routes!(staff::search_products))
        .routes(routes!(staff::search_discounts))
        .routes(routes!(staff::customer_profile))
        .routes(routes!(staff::add_note))
        .routes(routes!(staff::edit_note, staff::delete_note))
        .routes(routes!(staff::add_saved_reply))
        .routes(routes!(
            staff::saved_reply,
            staff::edit_saved_reply,
            staff::delete_saved_reply
        ))
        .routes(routes!(storefront::products))
        .routes(routes!(storefront::start_chat))
        .routes(routes!(storefront::transcript))
        .routes(routes!(storefront::send))
        .routes(routes!(storefront::typing))
        .routes(routes!(storefront::change_cart))
        .routes(routes!(
            storefront::apply_discount,
            storefront::remove_discount
        ))
        .routes(routes!(storefront::checkout_quote))
        .routes(routes!(storefront::place_order))
        .routes(routes!(storefront::request_verification))
        .routes(routes!(storefront::confirm_verification))
        .routes(routes!(storefront::end_session))
        .routes(routes!(live::chat_events))
        .routes(routes!(storefront::email_outbox))
        .split_for_parts();
    // After the routes: utoipa runs `modifiers(...)` before any path exists.
    let mut api = api;
    Conventions.modify(&mut api);
    (router, api)
}

/// The OpenAPI document as committed in `docs/api/openapi.json`.
pub fn openapi_json() -> String {
    let (_, api) = router();
    let mut json = api
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    json.push('\n');
    json
}

/// A JSON response with a status.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    (status, Json(value)).into_response()
}

/// Runs a mutation at most once per `(scope, key)`: a retry with the same key gets the first
/// answer back; the same key with a different request is refused.
pub async fn idempotent<T, F>(
    state: &AppState,
    scope: String,
    key: Option<String>,
    request: &impl Serialize,
    status: StatusCode,
    f: F,
) -> Result<Response>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&Tx<'_>) -> Result<T> + Send + 'static,
{
    let request_hash = sha256_hex(&serde_json::to_vec(request)?);
    let (status, body) = state
        .db
        .write(move |tx| {
            if let Some(key) = &key
                && let Some((hash, status, response)) =
                    records::idempotent_response(tx, &scope, key)?
            {
                if hash != request_hash {
                    return Err(Error::unprocessable(
                        ProblemCode::IdempotencyKeyReused,
                        "this Idempotency-Key was already used for a different request",
                    ));
                }
                return Ok((status, response));
            }
            let value = f(tx)?;
            let response = serde_json::to_string(&value)?;
            if let Some(key) = &key {
                mutations::remember_response(
                    tx,
                    &scope,
                    key,
                    &request_hash,
                    status.as_u16(),
                    &response,
                    now_ms(),
                )?;
            }
            Ok((status.as_u16(), response))
        })
        .await?;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    if status == StatusCode::NO_CONTENT {
        return Ok(status.into_response());
    }
    Ok((
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}
