//! Saved replies over HTTPS: created, edited and deleted by staff who chat, safe to retry with an
//! `Idempotency-Key`, checked against their limits and the shop's catalogue, refused to anyone
//! else, and carried by the change feed (deletions as tombstones). Runs on PostgreSQL too under
//! `make pg-test`.

mod common;

use common::{TestShop, ok, problem};
use inbox_protocol::*;
use reqwest::{Method, StatusCode};

async fn discount_by_code(shop: &TestShop, token: &str, code: &str) -> DiscountCode {
    let list: DiscountList = shop
        .get(&format!("/api/v1/discounts?q={code}"), token)
        .await;
    list.discounts
        .into_iter()
        .find(|d| d.code == code)
        .expect("the demo code")
}

async fn online_products(shop: &TestShop, token: &str) -> Vec<Product> {
    let list: ProductList = shop
        .get("/api/v1/products?limit=100&online_store=true", token)
        .await;
    list.products
}

fn body(title: &str, text: &str) -> SavedReplyBody {
    SavedReplyBody {
        title: title.into(),
        body: text.into(),
        product_ids: Vec::new(),
        discount_id: None,
        image_upload_id: None,
    }
}

async fn create(
    shop: &TestShop,
    token: &str,
    key: &str,
    reply: &SavedReplyBody,
) -> reqwest::Response {
    shop.request(Method::POST, "/api/v1/saved-replies", Some(token))
        .header(IDEMPOTENCY_KEY_HEADER, key)
        .json(reply)
        .send()
        .await
        .unwrap()
}

/// A tiny real PNG, uploaded as staff would attach it.
async fn upload_png(shop: &TestShop, token: &str) -> Attachment {
    let mut png = Vec::new();
    image::RgbImage::from_pixel(4, 3, image::Rgb([200, 120, 40]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    ok(shop
        .request(Method::POST, "/api/v1/uploads", Some(token))
        .header("content-type", "image/png")
        .body(png)
        .send()
        .await
        .unwrap())
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn saved_replies_are_created_edited_deleted_and_synced() {
    let shop = TestShop::demo().await;
    let session = shop.sign_in().await;
    let token = session.token.as_str();
    let products = online_products(&shop, token).await;
    let welcome = discount_by_code(&shop, token, "WELCOME10").await;
    let image = upload_png(&shop, token).await;

    let mut reply = body(
        "Wool care",
        "Hi {customer.first_name}, air it rather than wash it.",
    );
    reply.product_ids = vec![products[0].id, products[1].id];
    reply.discount_id = Some(welcome.id);
    reply.image_upload_id = Some(image.upload_id.clone());
    let response = create(&shop, token, "saved-1", &reply).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: SavedReply = ok(response).await;
    assert_eq!(created.title, "Wool care");
    assert_eq!(created.product_ids, [products[0].id, products[1].id]);
    assert_eq!(created.discount_id, Some(welcome.id));
    assert_eq!(
        created.image_upload_id.as_deref(),
        Some(image.upload_id.as_str())
    );
    assert_eq!(created.author_id, session.staff.id);

    // A retry with the same key answers with the first reply and saves nothing more.
    let again: SavedReply = ok(create(&shop, token, "saved-1", &reply).await).await;
    assert_eq!(again, created);
    // The same key with another request is refused.
    let reused = create(&shop, token, "saved-1", &body("Other", "Other text")).await;
    assert_eq!(
        problem(reused, StatusCode::UNPROCESSABLE_ENTITY).await.code,
        ProblemCode::IdempotencyKeyReused
    );

    // What it brings, as the shop has it now.
    let detail: SavedReplyDetail = shop
        .get(&format!("/api/v1/saved-replies/{}", created.id), token)
        .await;
    assert_eq!(detail.saved_reply, created);
    assert_eq!(
        detail.products.iter().map(|p| p.id).collect::<Vec<_>>(),
        [products[0].id, products[1].id]
    );
    assert_eq!(
        detail.discount.as_ref().map(|d| d.status),
        Some(DiscountStatus::Active)
    );
    assert_eq!(
        detail.image.as_ref().map(|i| &i.sha256),
        Some(&image.sha256)
    );

    let mut edited_body = reply.clone();
    edited_body.body = "Hej {customer.first_name}! Vädra hellre än tvätta.".into();
    edited_body.product_ids = vec![products[2].id];
    edited_body.discount_id = None;
    let edited: SavedReply = ok(shop
        .request(
            Method::PUT,
            &format!("/api/v1/saved-replies/{}", created.id),
            Some(token),
        )
        .header(IDEMPOTENCY_KEY_HEADER, "saved-2")
        .json(&edited_body)
        .send()
        .await
        .unwrap())
    .await;
    assert_eq!(edited.body, edited_body.body);
    assert_eq!(edited.product_ids, [products[2].id]);
    assert_eq!(edited.discount_id, None);

    let changes = shop.full_sync(token).await;
    let synced: Vec<&SavedReply> = changes
        .iter()
        .filter_map(|c| match &c.entity {
            Entity::SavedReply(r) if r.id == created.id => Some(r),
            _ => None,
        })
        .collect();
    assert_eq!(
        synced,
        [&edited],
        "the feed holds the reply once, as edited"
    );

    for key in ["saved-3", "saved-3"] {
        let deleted = shop
            .request(
                Method::DELETE,
                &format!("/api/v1/saved-replies/{}", created.id),
                Some(token),
            )
            .header(IDEMPOTENCY_KEY_HEADER, key)
            .send()
            .await
            .unwrap();
        assert_eq!(
            deleted.status(),
            StatusCode::NO_CONTENT,
            "and again when retried"
        );
    }
    let changes = shop.full_sync(token).await;
    assert!(
        changes
            .iter()
            .any(|c| matches!(c.entity, Entity::SavedReplyDeleted { id } if id == created.id))
    );
    assert!(
        !changes
            .iter()
            .any(|c| matches!(&c.entity, Entity::SavedReply(r) if r.id == created.id))
    );
    let gone = shop
        .request(
            Method::GET,
            &format!("/api/v1/saved-replies/{}", created.id),
            Some(token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(gone, StatusCode::NOT_FOUND).await.code,
        ProblemCode::NotFound
    );
    let edit_gone = shop
        .send(
            Method::PUT,
            &format!("/api/v1/saved-replies/{}", created.id),
            token,
            &edited_body,
        )
        .await;
    assert_eq!(
        problem(edit_gone, StatusCode::NOT_FOUND).await.code,
        ProblemCode::NotFound
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_to_a_saved_reply_reaches_a_synced_client_after_its_cursor() {
    let shop = TestShop::demo().await;
    let session = shop.sign_in().await;
    let token = session.token.as_str();
    let mut cursor = String::new();
    loop {
        let page: SyncPage = shop
            .get(&format!("/api/v1/sync?limit=1000&after={cursor}"), token)
            .await;
        cursor = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    let created: SavedReply = ok(create(
        &shop,
        token,
        "k1",
        &body("Hours", "We answer 9–17 on weekdays."),
    )
    .await)
    .await;
    let page: SyncPage = shop
        .get(&format!("/api/v1/sync?after={cursor}"), token)
        .await;
    assert_eq!(
        page.changes.iter().map(|c| &c.entity).collect::<Vec<_>>(),
        [&Entity::SavedReply(created.clone())]
    );
    shop.request(
        Method::DELETE,
        &format!("/api/v1/saved-replies/{}", created.id),
        Some(token),
    )
    .send()
    .await
    .unwrap();
    let after_delete: SyncPage = shop
        .get(&format!("/api/v1/sync?after={}", page.next_cursor), token)
        .await;
    assert_eq!(
        after_delete
            .changes
            .iter()
            .map(|c| &c.entity)
            .collect::<Vec<_>>(),
        [&Entity::SavedReplyDeleted { id: created.id }]
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_saved_replies_are_refused_with_their_reason_and_nothing_is_saved() {
    let shop = TestShop::demo().await;
    let session = shop.sign_in().await;
    let token = session.token.as_str();
    let products = online_products(&shop, token).await;
    let before = shop.full_sync(token).await.len();

    let long_title = body(&"T".repeat(MAX_SAVED_REPLY_TITLE_CHARS + 1), "Text");
    let long_body = body("Title", &"ö".repeat(MAX_SAVED_REPLY_BODY_CHARS + 1));
    let empty_title = body("  ", "Text");
    let empty_body = body("Title", "\n ");
    for bad in [long_title, long_body, empty_title, empty_body] {
        let refused = shop
            .send(Method::POST, "/api/v1/saved-replies", token, &bad)
            .await;
        assert_eq!(
            problem(refused, StatusCode::UNPROCESSABLE_ENTITY)
                .await
                .code,
            ProblemCode::MalformedPayload
        );
    }
    // Exactly at the limits is fine: characters, not bytes.
    let at_limits = body(
        &"å".repeat(MAX_SAVED_REPLY_TITLE_CHARS),
        &"ä".repeat(MAX_SAVED_REPLY_BODY_CHARS),
    );
    let fits: SavedReply = ok(shop
        .send(Method::POST, "/api/v1/saved-replies", token, &at_limits)
        .await)
    .await;
    assert_eq!(fits.body.chars().count(), MAX_SAVED_REPLY_BODY_CHARS);

    let mut four = body("Four", "Four products");
    four.product_ids = products.iter().take(4).map(|p| p.id).collect();
    let refused = shop
        .send(Method::POST, "/api/v1/saved-replies", token, &four)
        .await;
    assert_eq!(
        problem(refused, StatusCode::UNPROCESSABLE_ENTITY)
            .await
            .code,
        ProblemCode::TooManyProducts
    );

    let mut unknown_product = body("Unknown", "No such product");
    unknown_product.product_ids = vec![999_999];
    let refused = shop
        .send(
            Method::POST,
            "/api/v1/saved-replies",
            token,
            &unknown_product,
        )
        .await;
    assert_eq!(
        problem(refused, StatusCode::UNPROCESSABLE_ENTITY)
            .await
            .code,
        ProblemCode::ProductUnavailable
    );

    let mut unknown_discount = body("Unknown", "No such code");
    unknown_discount.discount_id = Some(999_999);
    let refused = shop
        .send(
            Method::POST,
            "/api/v1/saved-replies",
            token,
            &unknown_discount,
        )
        .await;
    let refused = problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refused.code, ProblemCode::NotFound);
    assert!(refused.detail.contains("discount"), "{}", refused.detail);

    let mut unknown_image = body("Unknown", "No such image");
    unknown_image.image_upload_id = Some("up_nothing".into());
    let refused = shop
        .send(Method::POST, "/api/v1/saved-replies", token, &unknown_image)
        .await;
    assert_eq!(
        problem(refused, StatusCode::UNPROCESSABLE_ENTITY)
            .await
            .code,
        ProblemCode::NotFound
    );

    // An edit is checked the same way and leaves the reply as it was.
    let refused = shop
        .send(
            Method::PUT,
            &format!("/api/v1/saved-replies/{}", fits.id),
            token,
            &four,
        )
        .await;
    assert_eq!(
        problem(refused, StatusCode::UNPROCESSABLE_ENTITY)
            .await
            .code,
        ProblemCode::TooManyProducts
    );
    let changes = shop.full_sync(token).await;
    assert_eq!(
        changes.len(),
        before + 1,
        "only the reply that fits was saved"
    );
    assert!(
        changes
            .iter()
            .any(|c| c.entity == Entity::SavedReply(fits.clone()))
    );
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn only_staff_who_chat_may_read_or_write_saved_replies() {
    let shop = TestShop::demo().await;
    let session = shop.sign_in().await;
    let created: SavedReply = ok(create(
        &shop,
        &session.token,
        "k",
        &body("Hi", "Hi {customer.first_name}"),
    )
    .await)
    .await;
    let no_chat = shop.sign_in_as(&shop.staff_member(false)).await;
    let chat = shop.start_chat("Cecilia Berg", "cecilia@example.se").await;
    let one = format!("/api/v1/saved-replies/{}", created.id);
    let calls = [
        (Method::POST, "/api/v1/saved-replies".to_owned()),
        (Method::GET, one.clone()),
        (Method::PUT, one.clone()),
        (Method::DELETE, one.clone()),
    ];
    for (method, path) in calls {
        let none = shop
            .request(method.clone(), &path, None)
            .json(&body("Evil", "Evil"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            problem(none, StatusCode::UNAUTHORIZED).await.code,
            ProblemCode::Unauthenticated,
            "{method} {path} without a token"
        );
        let customer = shop
            .request(method.clone(), &path, Some(&chat.token))
            .json(&body("Evil", "Evil"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            customer.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path} with a customer's chat token"
        );
        let staff = shop
            .request(method.clone(), &path, Some(&no_chat.token))
            .json(&body("Evil", "Evil"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            problem(staff, StatusCode::FORBIDDEN).await.code,
            ProblemCode::PermissionDenied,
            "{method} {path} by staff without the chat permission"
        );
    }
    let detail: SavedReplyDetail = shop.get(&one, &session.token).await;
    assert_eq!(detail.saved_reply, created, "nothing changed it");
    shop.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_shop_has_a_dozen_saved_replies_in_english_and_swedish() {
    let shop = TestShop::demo().await;
    let session = shop.sign_in().await;
    let replies: Vec<SavedReply> = shop
        .full_sync(&session.token)
        .await
        .into_iter()
        .filter_map(|c| match c.entity {
            Entity::SavedReply(r) => Some(r),
            _ => None,
        })
        .collect();
    assert_eq!(replies.len(), 12);
    assert!(replies.iter().any(|r| r.body.starts_with("Hej ")));
    assert!(replies.iter().any(|r| r.body.starts_with("Hi ")));
    assert!(replies.iter().any(|r| !r.product_ids.is_empty()));
    for reply in &replies {
        let detail: SavedReplyDetail = shop
            .get(
                &format!("/api/v1/saved-replies/{}", reply.id),
                &session.token,
            )
            .await;
        assert_eq!(
            detail.products.len(),
            reply.product_ids.len(),
            "{}",
            reply.title
        );
        assert_eq!(
            detail.discount.is_some(),
            reply.discount_id.is_some(),
            "{}",
            reply.title
        );
        assert_eq!(
            detail.image.is_some(),
            reply.image_upload_id.is_some(),
            "{}",
            reply.title
        );
        // An image is served as any upload: the shop holds its file.
        if let Some(image) = &detail.image {
            assert_eq!(image.kind, MediaKind::Image);
            let served = shop
                .request(Method::GET, &image.url, Some(&session.token))
                .send()
                .await
                .unwrap();
            assert_eq!(served.status(), StatusCode::OK, "{}", reply.title);
            let bytes = served.bytes().await.unwrap();
            assert_eq!(bytes.len() as i64, image.size, "{}", reply.title);
        }
    }
    // One in each language carries an image, besides its products or code.
    let with_image = |hello: &str| {
        replies.iter().any(|r| {
            r.body.starts_with(hello)
                && r.image_upload_id.is_some()
                && (!r.product_ids.is_empty() || r.discount_id.is_some())
        })
    };
    assert!(with_image("Hi "), "an English reply with an image");
    assert!(with_image("Hej "), "a Swedish reply with an image");
    shop.stop().await;
}
