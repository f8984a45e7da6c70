//! The shop the app talks to: the real shop-server in-process on a loopback port over TLS,
//! with the demo data; and what a test needs to ask it directly (as a customer or staff).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use inbox_core::{Account, ApiClient, Folder, Inbox, ListFilter, ShopAddress};
use inbox_protocol::*;

pub struct Shop {
    server: Option<shop_server::Running>,
    dir: tempfile::TempDir,
    ca: PathBuf,
    url: String,
    addr: SocketAddr,
    staff: Vec<shop_server::DemoStaff>,
}

impl Shop {
    pub async fn start() -> Shop {
        Shop::start_with(shop_server::clock::Clock::system()).await
    }

    /// A shop whose snoozes end by `clock` (a manual one the test moves).
    pub async fn start_with(clock: shop_server::clock::Clock) -> Shop {
        let dir = tempfile::tempdir().unwrap();
        let server = Shop::run(dir.path(), None, clock).await;
        Shop {
            ca: server.announcement.ca.clone().unwrap(),
            url: server.url().to_owned(),
            addr: server.addr,
            staff: server.announcement.demo_staff.clone().unwrap(),
            server: Some(server),
            dir,
        }
    }

    async fn run(
        dir: &Path,
        addr: Option<SocketAddr>,
        clock: shop_server::clock::Clock,
    ) -> shop_server::Running {
        let mut config = shop_server::Config::new(dir.join("shop"));
        config.clock = clock;
        config.limits = shop_server::limits::LimitsConfig::many_customers_from_one_address();
        config.demo = true;
        config.heartbeat = Duration::from_secs(1);
        if let Some(addr) = addr {
            config.listen = addr;
        }
        shop_server::start(config).await.unwrap()
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn ca(&self) -> &Path {
        &self.ca
    }

    pub async fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }

    /// Starts again on the same address and data.
    pub async fn restart(&mut self) {
        let clock = shop_server::clock::Clock::system();
        self.server = Some(Shop::run(self.dir.path(), Some(self.addr), clock).await);
    }

    pub fn staff(&self, email: &str) -> shop_server::DemoStaff {
        self.staff
            .iter()
            .find(|s| s.email == email)
            .cloned()
            .unwrap_or_else(|| panic!("no demo staff {email}"))
    }

    fn address(&self) -> ShopAddress {
        ShopAddress {
            url: self.url.clone(),
            ca_pem: Some(std::fs::read(&self.ca).unwrap()),
        }
    }

    /// The API as Maja, a staff member the tests don't drive the app as.
    async fn api(&self) -> ApiClient {
        let who = self.staff("maja@nordlys.example");
        let api = ApiClient::new(&self.address()).unwrap();
        let session = api.sign_in(&who.email, &who.password).await.unwrap();
        api.with_token(session.token)
    }

    /// A customer starts a chat on the online store and writes.
    pub async fn customer(&self, name: &str, email: &str, text: &str) -> ChatSession {
        let api = ApiClient::new(&self.address()).unwrap();
        let chat: ChatSession = api
            .send(
                reqwest::Method::POST,
                "/api/v1/storefront/chats",
                &format!("start-{}", rand::random::<u64>()),
                Some(&StartChat {
                    name: name.into(),
                    email: email.into(),
                    platform: Platform::OnlineStore,
                }),
            )
            .await
            .unwrap()
            .unwrap();
        self.say(&chat, text).await;
        chat
    }

    /// The customer of a started chat writes again.
    pub async fn say(&self, chat: &ChatSession, text: &str) {
        let api = ApiClient::new(&self.address())
            .unwrap()
            .with_token(chat.token.clone());
        let _: Option<Message> = api
            .send(
                reqwest::Method::POST,
                &format!(
                    "/api/v1/storefront/conversations/{}/messages",
                    chat.conversation_id
                ),
                &format!("say-{}", rand::random::<u64>()),
                Some(&CustomerText { text: text.into() }),
            )
            .await
            .unwrap();
    }

    /// The customer of a chat puts something in stock in the cart and pays for it with the
    /// test card, as the storefront's checkout does; returns the order.
    pub async fn customer_orders(&self, chat: &ChatSession) -> Order {
        let api = ApiClient::new(&self.address())
            .unwrap()
            .with_token(chat.token.clone());
        let products: ProductList = api.get("/api/v1/storefront/products").await.unwrap();
        let variant_id = products
            .products
            .iter()
            .flat_map(|p| &p.variants)
            .find(|v| v.stock > 0)
            .expect("something in stock")
            .id;
        let path = |rest: &str| {
            format!(
                "/api/v1/storefront/conversations/{}/{rest}",
                chat.conversation_id
            )
        };
        let _: Option<CartEvent> = api
            .send(
                reqwest::Method::POST,
                &path("cart"),
                &format!("cart-{}", rand::random::<u64>()),
                Some(&CartChange {
                    variant_id,
                    action: CartAction::Added,
                    quantity: None,
                }),
            )
            .await
            .unwrap();
        let placed: OrderConfirmation = api
            .send(
                reqwest::Method::POST,
                &path("orders"),
                &format!("pay-{}", rand::random::<u64>()),
                Some(&PlaceOrder {
                    email: "kund@example.se".into(),
                    shipping_address: ShippingAddress {
                        name: "Kund Kundsson".into(),
                        line1: "Storgatan 1".into(),
                        line2: None,
                        postal_code: "111 22".into(),
                        city: "Stockholm".into(),
                        country: "SE".into(),
                    },
                    shipping_method: "standard".into(),
                    card_number: TEST_CARD_SUCCEEDS.into(),
                }),
            )
            .await
            .unwrap()
            .expect("an order confirmation");
        placed.order
    }

    /// Maja (another staff member) sends a PNG into a conversation; returns what the shop
    /// stored.
    pub async fn colleague_sends_image(&self, conversation_id: i64, png: Vec<u8>) -> Attachment {
        let api = self.api().await;
        let attachment = api.upload("image/png", png).await.unwrap();
        let _: Option<Message> = api
            .send(
                reqwest::Method::POST,
                &format!("/api/v1/conversations/{conversation_id}/messages"),
                &format!("image-{}", rand::random::<u64>()),
                Some(&SendMessage::Attachment {
                    upload_id: attachment.upload_id.clone(),
                    text: None,
                }),
            )
            .await
            .unwrap();
        attachment
    }

    /// Maja reports what she is doing in a conversation, as her app would.
    pub async fn colleague_is(&self, conversation_id: i64, activity: Option<ActivityKind>) {
        self.api()
            .await
            .report_activity(conversation_id, activity)
            .await
            .unwrap();
    }

    /// Maja replies in a conversation.
    pub async fn colleague_replies(&self, conversation_id: i64, text: &str) {
        let _: Option<Message> = self
            .api()
            .await
            .send(
                reqwest::Method::POST,
                &format!("/api/v1/conversations/{conversation_id}/messages"),
                &format!("reply-{}", rand::random::<u64>()),
                Some(&SendMessage::Text { text: text.into() }),
            )
            .await
            .unwrap();
    }

    /// The customer of `chat` types in the chat widget.
    pub async fn customer_types(&self, chat: &ChatSession) {
        let _: Option<serde_json::Value> = ApiClient::new(&self.address())
            .unwrap()
            .with_token(chat.token.clone())
            .send(
                reqwest::Method::POST,
                &format!(
                    "/api/v1/storefront/conversations/{}/typing",
                    chat.conversation_id
                ),
                &format!("typing-{}", rand::random::<u64>()),
                Some(&CustomerTyping { typing: true }),
            )
            .await
            .unwrap();
    }

    /// What the shop says a staff member is doing in a conversation now, from the feed.
    pub async fn activity_of(&self, conversation_id: i64, staff_id: i64) -> Option<Activity> {
        let api = self.api().await;
        let mut cursor = String::new();
        let mut found = None;
        loop {
            let page = api.sync_page(&cursor, 5_000, false).await.unwrap();
            for change in page.changes {
                if let Entity::Activity(a) = change.entity
                    && a.conversation_id == conversation_id
                    && a.staff_id == Some(staff_id)
                {
                    found = Some(a);
                }
            }
            if !page.has_more {
                return found;
            }
            cursor = page.next_cursor;
        }
    }

    /// The conversation as the shop holds it.
    pub async fn detail(&self, id: i64) -> ConversationDetail {
        self.api()
            .await
            .get(&format!("/api/v1/conversations/{id}"))
            .await
            .unwrap()
    }

    pub async fn staff_member(&self, email: &str) -> Staff {
        let list: StaffList = self.api().await.get("/api/v1/staff").await.unwrap();
        list.staff.into_iter().find(|s| s.email == email).unwrap()
    }

    /// The products of the demo shop's saved reply with this title, from the change feed.
    pub async fn saved_reply_products(&self, title: &str) -> Vec<i64> {
        self.saved_reply(title).await.saved_reply.product_ids
    }

    /// The shop's saved reply titled `title`, with its products, code and image.
    pub async fn saved_reply(&self, title: &str) -> SavedReplyDetail {
        let api = self.api().await;
        let mut cursor = String::new();
        loop {
            let page = api.sync_page(&cursor, 5_000, false).await.unwrap();
            for change in page.changes {
                if let Entity::SavedReply(reply) = change.entity
                    && reply.title == title
                {
                    return api
                        .get(&format!("/api/v1/saved-replies/{}", reply.id))
                        .await
                        .unwrap();
                }
            }
            assert!(page.has_more, "no saved reply “{title}” in the demo shop");
            cursor = page.next_cursor;
        }
    }

    /// The online-store product titled `title`.
    pub async fn product(&self, title: &str) -> Product {
        let list: ProductList = self
            .api()
            .await
            .get("/api/v1/products?online_store=true&limit=100")
            .await
            .unwrap();
        list.products
            .into_iter()
            .find(|p| p.title == title)
            .unwrap_or_else(|| panic!("no product “{title}” on the online store"))
    }

    /// A discount code that is not active (expired or scheduled).
    pub async fn inactive_discount(&self) -> DiscountCode {
        let list: DiscountList = self.api().await.get("/api/v1/discounts?q=").await.unwrap();
        list.discounts
            .into_iter()
            .find(|d| d.status != DiscountStatus::Active)
            .expect("the demo shop has an inactive discount")
    }

    /// A mirror of everything the shop holds, synced by a staff member's engine of its own
    /// (the mirror tests prove it equal to the shop); the folder goes with it.
    pub async fn mirror(&self) -> (tempfile::TempDir, Inbox) {
        let who = self.staff("maja@nordlys.example");
        let session = ApiClient::new(&self.address())
            .unwrap()
            .sign_in(&who.email, &who.password)
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let account = Account {
            shop_url: self.url.clone(),
            ca_path: Some(self.ca.clone()),
            staff: session.staff,
        };
        let inbox = Inbox::open(dir.path(), account, Some(session.token)).unwrap();
        inbox.sync_once().await.unwrap();
        (dir, inbox)
    }

    /// Every conversation with this status, as the shop's change feed gives them (read through
    /// a mirror of its own, which the mirror tests prove equal to the shop).
    pub async fn conversation_ids(&self, status: Folder) -> Vec<i64> {
        let who = self.staff("maja@nordlys.example");
        let session = ApiClient::new(&self.address())
            .unwrap()
            .sign_in(&who.email, &who.password)
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let account = Account {
            shop_url: self.url.clone(),
            ca_path: Some(self.ca.clone()),
            staff: session.staff,
        };
        let inbox = Inbox::open(dir.path(), account, Some(session.token)).unwrap();
        inbox.sync_once().await.unwrap();
        inbox
            .conversations(ListFilter {
                status,
                limit: 100_000,
                ..ListFilter::default()
            })
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect()
    }
}

/// A small photo-like PNG (a gradient), as a clipboard would hold.
pub fn sample_png() -> Vec<u8> {
    let image = image::RgbImage::from_fn(320, 240, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}
