//! The staff side of the API: signing in, the change feed, conversation mutations, the
//! catalogue to share from, customer profiles with notes, and the shop's saved replies.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use inbox_protocol::*;
use serde::Deserialize;
use utoipa::IntoParams;

use super::extract::{ApiJson, ApiPath, ApiQuery, ChatStaff, ClientIp, IdempotencyKey, StaffAuth};
use super::{idempotent, json};
use crate::AppState;
use crate::auth;
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::media;
use crate::storage::changes;
use crate::storage::entities as store;
use crate::storage::{mutations, records};

#[utoipa::path(get, path = "/api/v1/health", tag = "staff", responses((status = 200, body = Health)))]
pub async fn health(State(state): State<AppState>) -> Result<Response> {
    state.db.read(records::ping).await?;
    Ok(json(
        StatusCode::OK,
        &Health {
            status: "ok".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
    ))
}

#[utoipa::path(
    post, path = "/api/v1/auth/sign-in", tag = "staff", request_body = SignInRequest,
    responses((status = 200, body = Session), (status = 401, body = Problem, content_type = "application/problem+json",
               description = "Wrong email or password (`invalid_credentials`)"))
)]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<SignInRequest>,
) -> Result<Response> {
    let email = request.email.trim().to_owned();
    if email.is_empty() || email.chars().count() > MAX_EMAIL_CHARS {
        return Err(Error::unprocessable(
            ProblemCode::MalformedPayload,
            format!("give an email address of 1 to {MAX_EMAIL_CHARS} characters"),
        ));
    }
    if request.password.is_empty() || request.password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(Error::unprocessable(
            ProblemCode::MalformedPayload,
            format!("give a password of 1 to {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    // Counted as a failure before anything is checked, forgiven below if it succeeds.
    let attempt = state.limits.sign_in.begin(ip, &email)?;
    let mut turn = state.limits.passwords.enter().await?;
    let found = state
        .db
        .read(move |db| records::staff_password(db, &email))
        .await?;
    // Verify on a blocking thread: Argon2 is deliberately slow. An unknown email is checked
    // against a dummy hash, so the time taken does not tell which emails are staff.
    let password = request.password;
    let mut memory = std::mem::take(&mut turn.memory);
    let (staff_id, memory) = tokio::task::spawn_blocking(move || {
        let (id, hash) = found.unzip();
        let ok = auth::verify_sign_in(&password, hash.as_deref(), &mut memory);
        (ok.then_some(id).flatten(), memory)
    })
    .await?;
    turn.memory = memory;
    drop(turn);
    let Some(staff_id) = staff_id else {
        return Err(Error::problem(
            StatusCode::UNAUTHORIZED,
            ProblemCode::InvalidCredentials,
            "the email or password is wrong",
        ));
    };
    attempt.succeeded();
    let token = auth::new_token("st_");
    let hash = auth::token_hash(&token);
    let ttl = state.staff_token_ttl_ms;
    let (staff, expires_at) = state
        .db
        .write(move |tx| {
            let now = now_ms();
            let expires_at = now + ttl;
            mutations::add_staff_token(tx, &hash, staff_id, now, expires_at)?;
            let staff = store::staff(tx, staff_id)?.ok_or_else(|| Error::not_found("staff"))?;
            Ok((staff, expires_at))
        })
        .await?;
    Ok(json(
        StatusCode::OK,
        &Session {
            token,
            expires_at,
            staff,
        },
    ))
}

#[utoipa::path(
    post, path = "/api/v1/auth/sign-out", tag = "staff", security(("bearer" = [])),
    responses((status = 204, description = "The token is revoked"))
)]
pub async fn sign_out(
    State(state): State<AppState>,
    StaffAuth(_staff): StaffAuth,
    headers: HeaderMap,
) -> Result<StatusCode> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .map(|(_, t)| t.trim().to_owned())
        .unwrap_or_default();
    let hash = auth::token_hash(&token);
    let revoked = hash.clone();
    state
        .db
        .write(move |tx| mutations::revoke_staff_token(tx, &revoked, now_ms()))
        .await?;
    state.live.session_changed(&hash);
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me", tag = "staff", security(("bearer" = [])), responses((status = 200, body = Me)))]
pub async fn me(State(state): State<AppState>, StaffAuth(staff): StaffAuth) -> Result<Response> {
    Ok(json(
        StatusCode::OK,
        &Me {
            staff,
            shop: state.shop.info(),
        },
    ))
}

#[utoipa::path(
    get, path = "/api/v1/staff", tag = "staff", security(("bearer" = [])),
    responses((status = 200, body = StaffList, description = "Every staff member with their permissions; \
               only those with `online_store_chat` can be assigned chats"))
)]
pub async fn list_staff(
    State(state): State<AppState>,
    StaffAuth(_staff): StaffAuth,
) -> Result<Response> {
    let staff = state.db.read(store::all_staff).await?;
    Ok(json(StatusCode::OK, &StaffList { staff }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SyncQuery {
    /// The `next_cursor` of the previous page; empty or absent for the start of history.
    after: Option<String>,
    /// Changes per page, 1 to 5000 (default 500).
    #[param(minimum = 1, maximum = 5000)]
    limit: Option<i64>,
    /// Also count the changes left, for a progress bar.
    count: Option<bool>,
}

#[utoipa::path(
    get, path = "/api/v1/sync", tag = "sync", security(("bearer" = [])), params(SyncQuery),
    responses((status = 200, body = SyncPage, description = "Every change after the cursor, in \
               commit order, each with the entity's full current state"))
)]
pub async fn sync(
    State(state): State<AppState>,
    ChatStaff(staff): ChatStaff,
    ApiQuery(query): ApiQuery<SyncQuery>,
) -> Result<Response> {
    let limit = query.limit.unwrap_or(500);
    if !(1..=5000).contains(&limit) {
        return Err(Error::bad_request(
            ProblemCode::MalformedPayload,
            "limit must be 1 to 5000",
        ));
    }
    let after = changes::parse_cursor(
        &state.shop,
        query.after.as_deref().unwrap_or(""),
        state.db.committed_seq().await?,
    )?;
    let shop = state.shop.clone();
    let count = query.count.unwrap_or(false);
    let (page, _) = state
        .db
        .read(move |conn| changes::page(conn, &shop, after, staff.id, limit, count))
        .await?;
    Ok(json(StatusCode::OK, &page))
}

#[utoipa::path(
    get, path = "/api/v1/conversations/{id}", tag = "conversations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Conversation id")),
    responses((status = 200, body = ConversationDetail))
)]
pub async fn conversation(
    State(state): State<AppState>,
    ChatStaff(_staff): ChatStaff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response> {
    let shop = state.shop.clone();
    let detail = state
        .db
        .read(move |conn| {
            let conversation =
                store::conversation(conn, id)?.ok_or_else(|| Error::not_found("conversation"))?;
            Ok(ConversationDetail {
                conversation,
                messages: store::messages_of(conn, id)?,
                cart_events: store::cart_events_of(conn, id)?,
                order_events: store::order_events_of(conn, &shop, id)?,
            })
        })
        .await?;
    Ok(json(StatusCode::OK, &detail))
}

fn staff_scope(staff: &Staff) -> String {
    format!("staff:{}", staff.id)
}

#[utoipa::path(
    post, path = "/api/v1/conversations/{id}/messages", tag = "conversations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Conversation id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key answers with the first result")),
    request_body = SendMessage,
    responses((status = 201, body = Message, description = "Sent; `delivery` says whether it went \
               to the customer's platform or, as they had left, to their email"),
              (status = 422, body = Problem, content_type = "application/problem+json",
               description = "`too_many_products`, `no_products`, `product_unavailable`, `discount_inactive`, `not_found`, `malformed_payload`"))
)]
pub async fn send_message(
    State(state): State<AppState>,
    ChatStaff(staff): ChatStaff,
    ApiPath(id): ApiPath<i64>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(send): ApiJson<SendMessage>,
) -> Result<Response> {
    let shop = state.shop.clone();
    let request = (id, send.clone());
    // The shop's clock, as activity and snooze read it: a reply ends its author's typing.
    let now = state.clock.now();
    idempotent(
        &state,
        staff_scope(&staff),
        key,
        &request,
        StatusCode::CREATED,
        move |tx| mutations::staff_message(tx, &shop, staff.id, id, send, now),
    )
    .await
}

#[utoipa::path(
    put, path = "/api/v1/conversations/{id}/status", tag = "conversations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Conversation id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    request_body = SetStatus, responses((status = 200, body = Conversation, description = "Open or closed; conversations are never deleted"))
)]
pub async fn set_status(
    State(state): State<AppState>,
    ChatStaff(staff): ChatStaff,
    ApiPath(id): ApiPath<i64>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(request): ApiJson<SetStatus>,
) -> Result<Response> {
    let status = request.status;
    idempotent(
        &state,
        staff_scope(&staff),
        key,
        &(id, request),
        StatusCode::OK,
        move |tx| mutations::set_status(tx, id, status, now_ms()),
    )
    .await
}

#[utoipa::path(
    put, path = "/api/v1/conversations/{id}/snooze", tag = "conversations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Conversation id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    request_body = SetSnooze,
    responses((status = 200, body = Conversation, description = "Snoozed until `until` (it leaves the open list and comes back then, \
                or at the customer's next message), or no longer snoozed with `until: null`"),
              (status = 422, body = Problem, content_type = "application/problem+json",
               description = "`conversation_closed`: only an open conversation can be snoozed; \
                `malformed_payload`: the time is past or more than a year ahead"))
)]
pub async fn set_snooze(
    State(state): State<AppState>,
    ChatStaff(staff): ChatStaff,
    ApiPath(id): ApiPath<i64>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(request): ApiJson<SetSnooze>,
) -> Result<Response> {
    let until = request.until;
    let now = state.clock.now();
    let response = idempotent(
        &state,
        staff_scope(&staff),
        key,
        &(id, request),
        StatusCode::OK,
        move |tx| mutations::set_snooze(tx, id, until, now),
    )
    .await;
    state.snoozes.changed();
    response
}

#[utoipa::path(
    put, path = "/api/v1/conversations/{id}/activity", tag = "conversations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Conversation id")),
    request_body = ReportActivity,
    responses((status = 204, description = "Every staff member's feed carries it as an `activity` change \
                (unless it changes nothing they would see); viewing lapses after `VIEWING_TTL_MS` (45 s) \
                and typing after `TYPING_TTL_MS` (6 s) unless reported again"))
)]
pub async fn report_activity(
    State(state): State<AppState>,
    ChatStaff(staff): ChatStaff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<ReportActivity>,
) -> Result<StatusCode> {
    let now = state.clock.now();
    let actor = mutations::Actor::Staff(staff.id);
    state
        .db
        .write(move |tx| mutations::report_activity(tx, id, actor, request.activity, now))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    put, path = "/api/v1/conversations/{id}/read-state", tag = "conversations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Conversation id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    request_body = SetReadState, responses((status = 200, body = ReadState, description = "The caller's own read state"))
)]
pub async fn set_read_state(
    State(state): State<AppState>,
    ChatStaff(staff): ChatStaff,
    ApiPath(id): ApiPath<i64>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(request): ApiJson<SetReadState>,
) -> Result<Response> {
    let request_copy = request.clone();
    idempotent(
        &state,
        staff_scope(&staff),
        key,
        &(id, request_copy),
        StatusCode::OK,
        move |tx| mutations::set_read_state(tx, staff.id, id, request, now_ms()),
    )
    .await
}

#[utoipa::path(
    put, path = "/api/v1/conversations/{id}/assignee", tag = "conversations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Conversation id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    request_body = SetAssignee,
    responses((status = 200, body = Conversation),
              (status = 422, body = Problem, content_type = "application/problem+json",
               description = "`staff_cannot_chat`: the staff member lacks the online store chat permission"))
)]
pub async fn set_assignee(
    State(state): State<AppState>,
    ChatStaff(staff): ChatStaff,
    ApiPath(id): ApiPath<i64>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(request): ApiJson<SetAssignee>,
) -> Result<Response> {
    let assignee = request.staff_id;
    idempotent(
        &state,
        staff_scope(&staff),
        key,
        &(id, request),
        StatusCode::OK,
        move |tx| mutations::set_assignee(tx, id, assignee, now_ms()),
    )
    .await
}

#[utoipa::path(
    post, path = "/api/v1/uploads", tag = "conversations", security(("bearer" = [])),
    request_body(content = Vec<u8>, description = "The file's bytes", content_type = "application/octet-stream"),
    responses((status = 201, body = Attachment, description = "Stored; send it with a message of type `attachment`"),
              (status = 413, body = Problem, content_type = "application/problem+json", description = "`attachment_too_large`"),
              (status = 415, body = Problem, content_type = "application/problem+json", description = "`unsupported_media`"),
              (status = 422, body = Problem, content_type = "application/problem+json", description = "`corrupt_media`"))
)]
pub async fn upload(
    State(state): State<AppState>,
    ChatStaff(staff): ChatStaff,
    headers: HeaderMap,
    body: Body,
) -> Result<Response> {
    let mime = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let limit = media::size_limit(&mime)?;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > limit) {
        return Err(media::too_large_for(&mime, limit));
    }
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| media::too_large_for(&mime, limit))?;
    let media_dir = state.media_dir.clone();
    let attachment = tokio::task::spawn_blocking(move || -> Result<_> {
        let checked = media::check(&mime, &bytes)?;
        let sha = media::store(&media_dir, &bytes)?;
        Ok((checked, sha, bytes.len()))
    })
    .await??;
    let (checked, sha, size) = attachment;
    let attachment = state
        .db
        .write(move |tx| {
            let id = auth::new_token("up_");
            mutations::add_upload(
                tx,
                &mutations::NewUpload {
                    id: &id,
                    kind: checked.kind,
                    mime: &checked.mime,
                    size: size as u64,
                    width: checked.width,
                    height: checked.height,
                    sha256: &sha,
                    uploader_id: staff.id,
                },
                now_ms(),
            )?;
            Ok(Attachment {
                url: format!("/media/{id}"),
                upload_id: id,
                kind: checked.kind,
                mime: checked.mime,
                size: size as i64,
                width: checked.width.map(|w| w as i32),
                height: checked.height.map(|h| h as i32),
                sha256: sha,
            })
        })
        .await?;
    Ok(json(StatusCode::CREATED, &attachment))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words to look for; empty lists everything.
    #[param(max_length = 200)]
    q: Option<String>,
    /// Most results, 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
}

impl SearchQuery {
    fn parts(self) -> Result<(String, i64)> {
        let limit = self.limit.unwrap_or(50);
        if !(1..=100).contains(&limit) {
            return Err(Error::bad_request(
                ProblemCode::MalformedPayload,
                "limit must be 1 to 100",
            ));
        }
        let q = self.q.unwrap_or_default();
        if q.chars().count() > 200 {
            return Err(Error::bad_request(
                ProblemCode::MalformedPayload,
                "the query is too long",
            ));
        }
        Ok((q, limit))
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductQuery {
    /// Words to look for in titles, descriptions and variants; empty lists everything.
    #[param(max_length = 200)]
    q: Option<String>,
    /// Most results, 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    /// Only products on the online store sales channel (the ones that can be shared); default true.
    online_store: Option<bool>,
}

#[utoipa::path(
    get, path = "/api/v1/products", tag = "catalog", security(("bearer" = [])), params(ProductQuery),
    responses((status = 200, body = ProductList))
)]
pub async fn search_products(
    State(state): State<AppState>,
    ChatStaff(_staff): ChatStaff,
    ApiQuery(query): ApiQuery<ProductQuery>,
) -> Result<Response> {
    let online_only = query.online_store.unwrap_or(true);
    let (q, limit) = SearchQuery {
        q: query.q,
        limit: query.limit,
    }
    .parts()?;
    let shop = state.shop.clone();
    let products = state
        .db
        .read(move |conn| store::search_products(conn, &shop, &q, online_only, limit))
        .await?;
    Ok(json(StatusCode::OK, &ProductList { products }))
}

#[utoipa::path(
    get, path = "/api/v1/discounts", tag = "catalog", security(("bearer" = [])), params(SearchQuery),
    responses((status = 200, body = DiscountList, description = "Codes with their status now: \
               only ACTIVE ones can be shared"))
)]
pub async fn search_discounts(
    State(state): State<AppState>,
    ChatStaff(_staff): ChatStaff,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<Response> {
    let (q, limit) = query.parts()?;
    let discounts = state
        .db
        .read(move |conn| store::search_discounts(conn, &q, now_ms(), limit))
        .await?;
    Ok(json(StatusCode::OK, &DiscountList { discounts }))
}

#[utoipa::path(
    get, path = "/api/v1/customers/{id}", tag = "customers", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id")),
    responses((status = 200, body = CustomerProfile))
)]
pub async fn customer_profile(
    State(state): State<AppState>,
    ChatStaff(_staff): ChatStaff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response> {
    let shop = state.shop.clone();
    let profile = state
        .db
        .read(move |conn| store::profile(conn, &shop, id, now_ms()))
        .await?;
    Ok(json(StatusCode::OK, &profile))
}

#[utoipa::path(
    post, path = "/api/v1/customers/{id}/notes", tag = "customers", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    request_body = NoteBody, responses((status = 201, body = Note, description = "Internal: never shown to the customer"))
)]
pub async fn add_note(
    State(state): State<AppState>,
    ChatStaff(staff): ChatStaff,
    ApiPath(id): ApiPath<i64>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(request): ApiJson<NoteBody>,
) -> Result<Response> {
    let body = request.body.clone();
    idempotent(
        &state,
        staff_scope(&staff),
        key,
        &(id, request),
        StatusCode::CREATED,
        move |tx| mutations::add_note(tx, staff.id, id, &body, now_ms()),
    )
    .await
}

#[utoipa::path(
    put, path = "/api/v1/customers/{id}/notes/{note_id}", tag = "customers", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id"), ("note_id" = i64, Path, description = "Note id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    request_body = NoteBody, responses((status = 200, body = Note))
)]
pub async fn edit_note(
    State(state): State<AppState>,
    ChatStaff(staff): ChatStaff,
    ApiPath((id, note_id)): ApiPath<(i64, i64)>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(request): ApiJson<NoteBody>,
) -> Result<Response> {
    let body = request.body.clone();
    idempotent(
        &state,
        staff_scope(&staff),
        key,
        &(id, note_id, request),
        StatusCode::OK,
        move |tx| mutations::edit_note(tx, id, note_id, &body, now_ms()),
    )
    .await
}

#[utoipa::path(
    delete, path = "/api/v1/customers/{id}/notes/{note_id}", tag = "customers", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Customer id"), ("note_id" = i64, Path, description = "Note id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses((status = 204, description = "Deleted; the feed carries a `note_deleted` tombstone"))
)]
pub async fn delete_note(
    State(state): State<AppState>,
    ChatStaff(staff): ChatStaff,
    ApiPath((id, note_id)): ApiPath<(i64, i64)>,
    IdempotencyKey(key): IdempotencyKey,
) -> Result<Response> {
    let request = ("delete", id, note_id);
    idempotent(
        &state,
        staff_scope(&staff),
        key,
        &request,
        StatusCode::NO_CONTENT,
        move |tx| mutations::delete_note(tx, id, note_id, now_ms()),
    )
    .await
}

#[utoipa::path(
    post, path = "/api/v1/saved-replies", tag = "saved_replies", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key answers with the first result")),
    request_body = SavedReplyBody,
    responses((status = 201, body = SavedReply, description = "Saved for every staff member; the feed carries it"),
              (status = 422, body = Problem, content_type = "application/problem+json",
               description = "`malformed_payload` (a title or text empty or too long), `too_many_products`, \
                              `product_unavailable` (no such product), `not_found` (no such discount code or upload), \
                              `unsupported_media` (a video)"))
)]
pub async fn add_saved_reply(
    State(state): State<AppState>,
    ChatStaff(staff): ChatStaff,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(request): ApiJson<SavedReplyBody>,
) -> Result<Response> {
    let shop = state.shop.clone();
    let reply = request.clone();
    idempotent(
        &state,
        staff_scope(&staff),
        key,
        &("add_saved_reply", request),
        StatusCode::CREATED,
        move |tx| mutations::add_saved_reply(tx, &shop, staff.id, &reply, now_ms()),
    )
    .await
}

#[utoipa::path(
    get, path = "/api/v1/saved-replies/{id}", tag = "saved_replies", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Saved reply id")),
    responses((status = 200, body = SavedReplyDetail, description = "The reply with its products, its \
               discount code with today's status (only an ACTIVE one can be shared) and its image"))
)]
pub async fn saved_reply(
    State(state): State<AppState>,
    ChatStaff(_staff): ChatStaff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response> {
    let shop = state.shop.clone();
    let detail = state
        .db
        .read(move |conn| {
            store::saved_reply_detail(conn, &shop, id, now_ms())?
                .ok_or_else(|| Error::not_found("saved reply"))
        })
        .await?;
    Ok(json(StatusCode::OK, &detail))
}

#[utoipa::path(
    put, path = "/api/v1/saved-replies/{id}", tag = "saved_replies", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Saved reply id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    request_body = SavedReplyBody,
    responses((status = 200, body = SavedReply),
              (status = 422, body = Problem, content_type = "application/problem+json",
               description = "As for creating one"))
)]
pub async fn edit_saved_reply(
    State(state): State<AppState>,
    ChatStaff(staff): ChatStaff,
    ApiPath(id): ApiPath<i64>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(request): ApiJson<SavedReplyBody>,
) -> Result<Response> {
    let shop = state.shop.clone();
    let reply = request.clone();
    idempotent(
        &state,
        staff_scope(&staff),
        key,
        &("edit_saved_reply", id, request),
        StatusCode::OK,
        move |tx| mutations::edit_saved_reply(tx, &shop, staff.id, id, &reply, now_ms()),
    )
    .await
}

#[utoipa::path(
    delete, path = "/api/v1/saved-replies/{id}", tag = "saved_replies", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Saved reply id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses((status = 204, description = "Deleted; the feed carries a `saved_reply_deleted` tombstone"))
)]
pub async fn delete_saved_reply(
    State(state): State<AppState>,
    ChatStaff(staff): ChatStaff,
    ApiPath(id): ApiPath<i64>,
    IdempotencyKey(key): IdempotencyKey,
) -> Result<Response> {
    idempotent(
        &state,
        staff_scope(&staff),
        key,
        &("delete_saved_reply", id),
        StatusCode::NO_CONTENT,
        move |tx| mutations::delete_saved_reply(tx, id, now_ms()),
    )
    .await
}
