//! The customer's side of the API, used by the storefront chat widget. A chat session token
//! reaches its own conversation only; staff tokens are not accepted here.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use inbox_protocol::*;

use serde::Deserialize;
use utoipa::IntoParams;

use super::extract::{ApiJson, ApiPath, ApiQuery, ClientIp, CustomerAuth, IdempotencyKey};
use super::{idempotent, json};
use crate::AppState;
use crate::auth;
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::limits;
use crate::storage::entities as store;
use crate::storage::{checkout, mutations, records};

#[utoipa::path(
    get, path = "/api/v1/storefront/products", tag = "storefront",
    responses((status = 200, body = ProductList, description = "Products on the online store"))
)]
pub async fn products(State(state): State<AppState>) -> Result<Response> {
    let shop = state.shop.clone();
    let products = state
        .db
        .read(move |conn| store::search_products(conn, &shop, "", true, 100))
        .await?;
    Ok(json(StatusCode::OK, &ProductList { products }))
}

#[utoipa::path(
    post, path = "/api/v1/storefront/chats", tag = "storefront", request_body = StartChat,
    responses((status = 201, body = ChatSession, description = "A chat token for this conversation only"),
              (status = 422, body = Problem, content_type = "application/problem+json",
               description = "`malformed_payload`: a missing name, an address that isn't one, or a platform other than `online_store`"))
)]
pub async fn start_chat(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<StartChat>,
) -> Result<Response> {
    if request.platform != Platform::OnlineStore {
        return Err(Error::unprocessable(
            ProblemCode::MalformedPayload,
            "the storefront starts online store chats only; conversations on other platforms \
             come from their channel integrations",
        ));
    }
    state.limits.chat_starts.take(limits::client_key(ip))?;
    let token = auth::new_token("ct_");
    let hash = auth::token_hash(&token);
    let now = now_ms();
    let expires_at = now + CHAT_SESSION_TTL_MS;
    let (customer_id, conversation_id) = state
        .db
        .write(move |tx| {
            let (customer_id, conversation_id) =
                mutations::start_chat(tx, &request, mutations::Resume::Never, now_ms())?;
            mutations::add_chat_session(tx, &hash, customer_id, conversation_id, now, expires_at)?;
            Ok((customer_id, conversation_id))
        })
        .await?;
    Ok(json(
        StatusCode::CREATED,
        &ChatSession {
            token,
            conversation_id,
            customer_id,
            email_verified: false,
            expires_at,
        },
    ))
}

#[utoipa::path(
    get, path = "/api/v1/storefront/conversations/{id}", tag = "storefront", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The chat's conversation id")),
    responses((status = 200, body = ChatTranscript),
              (status = 403, body = Problem, content_type = "application/problem+json", description = "Another customer's chat"))
)]
pub async fn transcript(
    State(state): State<AppState>,
    customer: CustomerAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response> {
    let customer = customer.check(id)?;
    let shop = state.shop.clone();
    let transcript = state
        .db
        .read(move |conn| {
            // The session's own customer: the chat's own until its email is proven, the
            // shop's customer with that email after.
            let cart = store::cart(conn, &shop, customer.customer_id)?;
            Ok(ChatTranscript {
                conversation_id: id,
                messages: store::messages_of(conn, id)?,
                cart_events: store::cart_events_of(conn, id)?,
                order_events: store::order_events_of(conn, &shop, id)?,
                cart,
            })
        })
        .await?;
    Ok(json(StatusCode::OK, &transcript))
}

/// How long a chat token works.
pub const CHAT_SESSION_TTL_MS: i64 = 30 * 24 * 60 * 60 * 1000;

#[utoipa::path(
    post, path = "/api/v1/storefront/conversations/{id}/verification", tag = "storefront",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The chat's conversation id")),
    responses((status = 202, body = VerificationSent, description = "A one-time code is on its way \
               to the chat's email address; until it is typed in, the chat sees only its own cart"),
              (status = 422, body = Problem, content_type = "application/problem+json",
               description = "`verification_failed`: the email is already verified"))
)]
pub async fn request_verification(
    State(state): State<AppState>,
    customer: CustomerAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response> {
    customer.check(id)?;
    state.limits.verifications.take(session_key(id))?;
    // Counted per address too: an impostor can start many chats with the same email, and every
    // code goes to that one inbox.
    let to: String = state
        .db
        .read(move |db| records::contact_email(db, id))
        .await?
        .ok_or_else(|| Error::not_found("conversation"))?;
    state.limits.verification_emails.take(limits::text_key(&[
        b"verify-to",
        to.trim().to_lowercase().as_bytes(),
    ]))?;
    let shop = state.shop.clone();
    let code = format!("{:06}", rand::random_range(0..1_000_000u32));
    let sent = state
        .db
        .write(move |tx| mutations::request_verification(tx, &shop, id, &code, now_ms()))
        .await?;
    Ok(json(StatusCode::ACCEPTED, &sent))
}

#[utoipa::path(
    post, path = "/api/v1/storefront/conversations/{id}/verification/confirm", tag = "storefront",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The chat's conversation id")),
    request_body = ConfirmEmail,
    responses((status = 200, body = ChatIdentity, description = "The email is proven: the chat \
               belongs to the shop's customer with that address"),
              (status = 422, body = Problem, content_type = "application/problem+json",
               description = "`verification_failed`: a wrong, used-up or expired code"))
)]
pub async fn confirm_verification(
    State(state): State<AppState>,
    customer: CustomerAuth,
    ApiPath(id): ApiPath<i64>,
    headers: axum::http::HeaderMap,
    ApiJson(request): ApiJson<ConfirmEmail>,
) -> Result<Response> {
    customer.check(id)?;
    let identity = state
        .db
        .write(move |tx| mutations::confirm_email(tx, id, &request.code, now_ms()))
        .await??;
    // The chat's live stream reconnects to see the customer's cart.
    state
        .live
        .session_changed(&super::extract::bearer_hash(&headers));
    Ok(json(StatusCode::OK, &identity))
}

#[utoipa::path(
    delete, path = "/api/v1/storefront/session", tag = "storefront", security(("bearer" = [])),
    responses((status = 204, description = "The chat token no longer works (\"Not you? Start over\")"))
)]
pub async fn end_session(
    State(state): State<AppState>,
    _customer: CustomerAuth,
    headers: axum::http::HeaderMap,
) -> Result<StatusCode> {
    let hash = super::extract::bearer_hash(&headers);
    let ended = hash.clone();
    state
        .db
        .write(move |tx| mutations::end_session(tx, &ended, now_ms()))
        .await?;
    state.live.session_changed(&hash);
    Ok(StatusCode::NO_CONTENT)
}

/// What the per-session limits count by: a chat session reaches one conversation, and a
/// conversation is started by one session.
fn session_key(conversation_id: i64) -> [u8; 32] {
    limits::text_key(&[b"chat", &conversation_id.to_le_bytes()])
}

fn customer_scope(customer: CustomerAuth) -> String {
    format!("customer:{}", customer.customer_id)
}

#[utoipa::path(
    post, path = "/api/v1/storefront/conversations/{id}/messages", tag = "storefront", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The chat's conversation id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    request_body = CustomerText, responses((status = 201, body = Message))
)]
pub async fn send(
    State(state): State<AppState>,
    customer: CustomerAuth,
    ApiPath(id): ApiPath<i64>,
    IdempotencyKey(key): IdempotencyKey,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<CustomerText>,
) -> Result<Response> {
    let customer = customer.check(id)?;
    state.limits.messages_per_session.take(session_key(id))?;
    state.limits.messages_per_ip.take(limits::client_key(ip))?;
    let classifier = state.classifier.clone();
    let text = request.text.clone();
    let now = state.clock.now();
    idempotent(
        &state,
        customer_scope(customer),
        key,
        &(id, request),
        StatusCode::CREATED,
        move |tx| mutations::customer_message(tx, classifier.as_ref(), id, &text, now),
    )
    .await
}

#[utoipa::path(
    post, path = "/api/v1/storefront/conversations/{id}/typing", tag = "storefront", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The chat's conversation id")),
    request_body = CustomerTyping,
    responses((status = 204, description = "Staff see the customer typing until `TYPING_TTL_MS` (6 s) \
                after the last report, or until they send their message"))
)]
pub async fn typing(
    State(state): State<AppState>,
    customer: CustomerAuth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<CustomerTyping>,
) -> Result<StatusCode> {
    customer.check(id)?;
    state.limits.typing.take(session_key(id))?;
    let activity = request.typing.then_some(ActivityKind::Typing);
    let now = state.clock.now();
    state
        .db
        .write(move |tx| {
            mutations::report_activity(tx, id, mutations::Actor::Customer, activity, now)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/api/v1/storefront/conversations/{id}/cart", tag = "storefront", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The chat's conversation id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    request_body = CartChange,
    responses((status = 200, body = CartEvent, description = "The event staff see in the conversation; \
               it names the product only when the name is shorter than 41 characters"))
)]
pub async fn change_cart(
    State(state): State<AppState>,
    customer: CustomerAuth,
    ApiPath(id): ApiPath<i64>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(change): ApiJson<CartChange>,
) -> Result<Response> {
    let customer = customer.check(id)?;
    state.limits.cart.take(session_key(id))?;
    let request = (id, change.clone());
    idempotent(
        &state,
        customer_scope(customer),
        key,
        &request,
        StatusCode::OK,
        move |tx| mutations::change_cart(tx, customer.customer_id, id, &change, now_ms()),
    )
    .await
}

#[utoipa::path(
    post, path = "/api/v1/storefront/conversations/{id}/discount", tag = "storefront", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The chat's conversation id")),
    request_body = ApplyDiscount,
    responses((status = 200, body = Cart, description = "The code is stored on the cart and applied at checkout"))
)]
pub async fn apply_discount(
    State(state): State<AppState>,
    customer: CustomerAuth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<ApplyDiscount>,
) -> Result<Response> {
    let customer = customer.check(id)?;
    state.limits.discounts.take(session_key(id))?;
    let shop = state.shop.clone();
    let cart = state
        .db
        .write(move |tx| {
            mutations::apply_discount(tx, &shop, customer.customer_id, &request.code, now_ms())
        })
        .await?;
    Ok(json(StatusCode::OK, &cart))
}

#[utoipa::path(
    delete, path = "/api/v1/storefront/conversations/{id}/discount", tag = "storefront", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The chat's conversation id")),
    responses((status = 200, body = Cart, description = "The cart without a discount code"))
)]
pub async fn remove_discount(
    State(state): State<AppState>,
    customer: CustomerAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response> {
    let customer = customer.check(id)?;
    state.limits.cart.take(session_key(id))?;
    let shop = state.shop.clone();
    let cart = state
        .db
        .write(move |tx| mutations::remove_discount(tx, &shop, customer.customer_id, now_ms()))
        .await?;
    Ok(json(StatusCode::OK, &cart))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuoteQuery {
    /// `standard` (the default) or `express`.
    pub shipping: Option<String>,
}

#[utoipa::path(
    get, path = "/api/v1/storefront/conversations/{id}/checkout", tag = "storefront", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The chat's conversation id"), QuoteQuery),
    responses((status = 200, body = CheckoutQuote, description = "The chat's cart priced by the shop: \
               lines, the discount code applied by its rules (or why it can't be), shipping, total"),
              (status = 422, body = Problem, content_type = "application/problem+json",
               description = "`cart_empty`, or `malformed_payload` for an unknown shipping method"))
)]
pub async fn checkout_quote(
    State(state): State<AppState>,
    customer: CustomerAuth,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<QuoteQuery>,
) -> Result<Response> {
    let customer = customer.check(id)?;
    state.limits.quotes.take(session_key(id))?;
    let shop = state.shop.clone();
    let shipping = query.shipping.unwrap_or_else(|| "standard".to_owned());
    let quote = state
        .db
        .read(move |conn| {
            // Once-per-customer codes are checked against the chat's own email here, and
            // against the email typed at checkout when the order is placed.
            let email = records::contact_email(conn, id)?.unwrap_or_default();
            checkout::quote(
                conn,
                &shop,
                customer.customer_id,
                &shipping,
                &email,
                now_ms(),
            )
        })
        .await?
        .ok_or_else(|| Error::unprocessable(ProblemCode::CartEmpty, "your cart is empty"))?;
    Ok(json(StatusCode::OK, &quote))
}

#[utoipa::path(
    post, path = "/api/v1/storefront/conversations/{id}/orders", tag = "storefront", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The chat's conversation id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried Pay safe: \
            the same key answers with the first order, never a second one")),
    request_body = PlaceOrder,
    responses((status = 201, body = OrderConfirmation, description = "The order is placed and paid; \
               the cart is empty and the conversation shows the order"),
              (status = 402, body = Problem, content_type = "application/problem+json",
               description = "`payment_declined`: nothing was charged, no order, the cart as it was"),
              (status = 422, body = Problem, content_type = "application/problem+json",
               description = "`cart_empty`; `product_unavailable` for a line with more than is in \
               stock; `discount_inactive` or `discount_not_applicable` for the cart's code; \
               `malformed_payload` for a missing detail or a card that isn't a test card. \
               Nothing is written and the cart is kept"))
)]
pub async fn place_order(
    State(state): State<AppState>,
    customer: CustomerAuth,
    ApiPath(id): ApiPath<i64>,
    IdempotencyKey(key): IdempotencyKey,
    ClientIp(ip): ClientIp,
    ApiJson(order): ApiJson<PlaceOrder>,
) -> Result<Response> {
    let customer = customer.check(id)?;
    state.limits.payments_per_session.take(session_key(id))?;
    state.limits.payments_per_ip.take(limits::client_key(ip))?;
    let shop = state.shop.clone();
    let request = (id, order.clone());
    idempotent(
        &state,
        customer_scope(customer),
        key,
        &request,
        StatusCode::CREATED,
        move |tx| mutations::place_order(tx, &shop, customer.customer_id, id, &order, now_ms()),
    )
    .await
}

#[utoipa::path(
    get, path = "/api/v1/demo/outbox", tag = "storefront",
    responses((status = 200, body = EmailOutbox, description = "Replies emailed to customers who had \
               left the chat, newest first (demo shops only)"))
)]
pub async fn email_outbox(State(state): State<AppState>) -> Result<Response> {
    if !state.demo {
        return Err(Error::not_found("page"));
    }
    let emails = state.db.read(|db| records::email_outbox(db, 200)).await?;
    Ok(json(StatusCode::OK, &EmailOutbox { emails }))
}
