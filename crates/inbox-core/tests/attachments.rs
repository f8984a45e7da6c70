//! Sending images and videos: bad files are refused before anything is queued, photos come out
//! upright and shrunk, and a sent image reaches the shop and then shows offline from the cache.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageEncoder, ImageFormat, Rgb, RgbImage};
use inbox_core::attachments::{self, AttachmentCache};
use inbox_core::*;
use inbox_protocol::*;

/// A mirror whose shop is never reached: every refusal here happens before the network.
fn offline_inbox(data: &Path) -> Inbox {
    let account = Account {
        shop_url: "https://127.0.0.1:9".into(),
        ca_path: None,
        staff: Staff {
            id: 1,
            name: "Ebba".into(),
            email: "ebba@example.se".into(),
            permissions: vec![Permission::OnlineStoreChat],
        },
    };
    Inbox::open(data, account, None).unwrap()
}

/// What is queued or shown as pending: outbox rows and local echoes.
async fn queued(inbox: &Inbox) -> (i64, i64) {
    inbox
        .store()
        .read(|c| {
            Ok((
                c.query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))?,
                c.query_row("SELECT count(*) FROM messages WHERE id < 0", [], |r| {
                    r.get(0)
                })?,
            ))
        })
        .await
        .unwrap()
}

fn mirror_dir(inbox: &Inbox) -> PathBuf {
    inbox.store().path().parent().unwrap().to_owned()
}

/// Sends a file that must be refused; returns the code the app switches on and the message
/// the user sees.
async fn refused(file: &Path) -> (String, String) {
    let data = tempfile::tempdir().unwrap();
    let inbox = offline_inbox(data.path());
    let err = inbox
        .send_media(7, file, Some("here".into()))
        .await
        .unwrap_err();
    assert_eq!(queued(&inbox).await, (0, 0), "nothing is queued or shown");
    let outgoing = mirror_dir(&inbox).join(attachments::OUTGOING_DIR);
    let left = std::fs::read_dir(&outgoing).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "nothing is left in {}", outgoing.display());
    match err {
        Error::Media { code, message } => (code.key(), message),
        other => panic!("{other:?}"),
    }
}

fn pair(code: &str, message: &str) -> (String, String) {
    (code.to_owned(), message.to_owned())
}

fn png(image: &DynamicImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

fn jpeg(image: &RgbImage, exif: Option<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
    if let Some(exif) = exif {
        encoder.set_exif_metadata(exif).unwrap();
    }
    encoder
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

/// A little-endian TIFF block with one tag: Orientation.
fn exif_orientation(value: u16) -> Vec<u8> {
    let mut exif = b"II*\0\x08\0\0\0".to_vec();
    exif.extend_from_slice(&1u16.to_le_bytes());
    exif.extend_from_slice(&0x0112u16.to_le_bytes());
    exif.extend_from_slice(&3u16.to_le_bytes());
    exif.extend_from_slice(&1u32.to_le_bytes());
    exif.extend_from_slice(&u32::from(value).to_le_bytes());
    exif.extend_from_slice(&0u32.to_le_bytes());
    exif
}

/// A real baseline JPEG of flat grey, built by hand: every 8×8 block of every component is
/// "no change, end of block", two bits with one-symbol Huffman tables. Encoding a 12-megapixel
/// photo takes seconds in a debug build; this takes nothing.
fn flat_jpeg(width: u16, height: u16) -> Vec<u8> {
    let mut j = vec![0xFF, 0xD8];
    // One quantisation table, all ones.
    j.extend([0xFF, 0xDB, 0x00, 0x43, 0x00]);
    j.extend([1u8; 64]);
    // The frame: 8 bits, three components (YCbCr), no subsampling, all on table 0.
    j.extend([0xFF, 0xC0, 0x00, 0x11, 0x08]);
    j.extend(height.to_be_bytes());
    j.extend(width.to_be_bytes());
    j.push(3);
    for id in 1..=3 {
        j.extend([id, 0x11, 0x00]);
    }
    // DC table 0 and AC table 0: one code, one bit long, for symbol 0.
    for class in [0x00, 0x10] {
        j.extend([0xFF, 0xC4, 0x00, 0x14, class, 1]);
        j.extend([0u8; 15]);
        j.push(0);
    }
    j.extend([
        0xFF, 0xDA, 0x00, 0x0C, 3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0,
    ]);
    let blocks = usize::from(width).div_ceil(8) * usize::from(height).div_ceil(8) * 3;
    j.extend(vec![0u8; (blocks * 2).div_ceil(8)]);
    j.extend([0xFF, 0xD9]);
    j
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[tokio::test]
async fn a_corrupt_image_is_refused_and_nothing_is_queued() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = write(
        dir.path(),
        "photo.jpg",
        b"\xFF\xD8\xFF\xE0\0\x10JFIF\0 and then nothing that decodes",
    );
    assert_eq!(
        refused(&garbage).await,
        pair("corrupt_media", "the image is damaged and can't be opened")
    );
    let mut truncated = png(&DynamicImage::ImageRgb8(RgbImage::from_fn(
        200,
        200,
        |x, y| Rgb([x as u8, y as u8, 7]),
    )));
    truncated.truncate(truncated.len() / 2);
    let truncated = write(dir.path(), "cut.png", &truncated);
    assert_eq!(
        refused(&truncated).await,
        pair("corrupt_media", "the image is damaged and can't be opened")
    );
}

#[tokio::test]
async fn a_decompression_bomb_is_refused_from_its_header() {
    // A real PNG whose header claims 20000×20000 pixels (1.6 GB decoded) with almost no data.
    let mut bomb = png(&DynamicImage::new_rgba8(1, 1));
    bomb[16..20].copy_from_slice(&20_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&20_000u32.to_be_bytes());
    let crc = crc32(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.to_be_bytes());
    assert!(bomb.len() < 100);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "bomb.png", &bomb);
    assert_eq!(
        refused(&path).await,
        pair(
            "attachment_too_large",
            "the image is 20000×20000 pixels; images can be up to 12000 pixels on a side"
        )
    );
}

#[tokio::test]
async fn an_unsupported_file_is_refused_whatever_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";
    let expected = pair(
        "unsupported_media",
        "PDF files can't be sent; send a JPEG, PNG, GIF or WebP image, or an MP4, MOV or WebM video",
    );
    assert_eq!(
        refused(&write(dir.path(), "invoice.pdf", pdf)).await,
        expected
    );
    assert_eq!(
        refused(&write(dir.path(), "photo.png", pdf)).await,
        expected,
        "the bytes decide, not the extension"
    );
}

#[tokio::test]
async fn an_oversize_video_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("unboxing.mp4");
    let mut file = std::fs::File::create(&path).unwrap();
    file.write_all(b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2mp41")
        .unwrap();
    // Sparse: 100 MB + 1 byte on paper, almost nothing on disk.
    file.set_len(MAX_VIDEO_BYTES as u64 + 1).unwrap();
    drop(file);
    assert_eq!(
        refused(&path).await,
        pair(
            "attachment_too_large",
            "the video is 101 MB; videos can be up to 100 MB"
        )
    );
}

#[test]
fn a_photo_taken_sideways_comes_out_upright() {
    // 40×20, red on the left and blue on the right, stored with EXIF orientation 6: the
    // camera was turned, so it must be shown turned a quarter clockwise.
    let stored = RgbImage::from_fn(40, 20, |x, _| {
        if x < 20 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 20, 220])
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "sideways.jpg",
        &jpeg(&stored, Some(exif_orientation(6))),
    );
    let prepared = attachments::prepare(&path, out.path()).unwrap();
    assert_eq!((prepared.width, prepared.height), (Some(20), Some(40)));
    let upright = image::open(&prepared.file).unwrap().to_rgb8();
    assert_eq!(upright.dimensions(), (20, 40));
    let (top, bottom) = (upright.get_pixel(10, 5), upright.get_pixel(10, 35));
    assert!(top[0] > 150 && top[2] < 100, "red on top: {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 100, "blue below: {bottom:?}");
    // The orientation was applied, not copied: the sent file carries no EXIF to turn it again.
    let mut decoder = image::ImageReader::open(&prepared.file)
        .unwrap()
        .with_guessed_format()
        .unwrap()
        .into_decoder()
        .unwrap();
    use image::ImageDecoder;
    assert_eq!(
        decoder.orientation().unwrap(),
        image::metadata::Orientation::NoTransforms
    );
}

#[test]
fn a_large_photo_is_shrunk_to_2048_with_a_thumbnail() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "shelf.jpg", &flat_jpeg(4000, 3000));
    let prepared = attachments::prepare(&path, out.path()).unwrap();
    assert_eq!(prepared.kind, MediaKind::Image);
    assert_eq!(prepared.mime, "image/jpeg");
    assert_eq!((prepared.width, prepared.height), (Some(2048), Some(1536)));
    let sent = image::open(&prepared.file).unwrap().to_rgb8();
    assert_eq!(sent.dimensions(), (2048, 1536));
    let grey = sent.get_pixel(1000, 700);
    assert!(grey.0.iter().all(|&c| c.abs_diff(128) < 4), "{grey:?}");
    assert_eq!(
        prepared.size,
        std::fs::metadata(&prepared.file).unwrap().len()
    );
    assert!(prepared.file.starts_with(out.path()));
    let thumbnail = prepared.thumbnail.expect("a thumbnail");
    assert_eq!(
        thumbnail.parent(),
        prepared.file.parent(),
        "beside the file"
    );
    assert_eq!(image::image_dimensions(&thumbnail).unwrap(), (320, 240));
    // Small pictures are never blown up.
    let small = write(
        dir.path(),
        "small.jpg",
        &jpeg(&RgbImage::new(300, 200), None),
    );
    let prepared = attachments::prepare(&small, out.path()).unwrap();
    assert_eq!((prepared.width, prepared.height), (Some(300), Some(200)));
    let thumbnail = prepared.thumbnail.unwrap();
    assert_eq!(image::image_dimensions(&thumbnail).unwrap(), (300, 200));
}

// ---- against the real shop ----

struct Shop {
    server: Option<shop_server::Running>,
    _dir: tempfile::TempDir,
    ca: PathBuf,
    url: String,
}

impl Shop {
    async fn start() -> Shop {
        let dir = tempfile::tempdir().unwrap();
        let mut config = shop_server::Config::new(dir.path().join("shop"));
        config.limits = shop_server::limits::LimitsConfig::many_customers_from_one_address();
        config.demo = true;
        let server = shop_server::start(config).await.unwrap();
        Shop {
            ca: server.announcement.ca.clone().unwrap(),
            url: server.url().to_owned(),
            server: Some(server),
            _dir: dir,
        }
    }

    fn address(&self) -> ShopAddress {
        ShopAddress {
            url: self.url.clone(),
            ca_pem: Some(std::fs::read(&self.ca).unwrap()),
        }
    }

    /// Signs in a staff member who may chat and opens a mirror in `data`.
    async fn inbox(&self, data: &Path) -> (Inbox, String) {
        let staff = self
            .server
            .as_ref()
            .unwrap()
            .announcement
            .demo_staff
            .clone();
        let who = staff
            .unwrap()
            .into_iter()
            .find(|s| s.chat_permission)
            .unwrap();
        let session = ApiClient::new(&self.address())
            .unwrap()
            .sign_in(&who.email, &who.password)
            .await
            .unwrap();
        let account = Account {
            shop_url: self.url.clone(),
            ca_path: Some(self.ca.clone()),
            staff: session.staff,
        };
        let token = session.token;
        (
            Inbox::open(data, account, Some(token.clone())).unwrap(),
            token,
        )
    }

    /// A customer starts a chat from the storefront; returns the conversation id.
    async fn chat(&self) -> i64 {
        let chat: ChatSession = ApiClient::new(&self.address())
            .unwrap()
            .send(
                reqwest::Method::POST,
                "/api/v1/storefront/chats",
                "start-attachments",
                Some(&StartChat {
                    name: "Saga Holm".into(),
                    email: "saga@example.se".into(),
                    platform: Platform::OnlineStore,
                }),
            )
            .await
            .unwrap()
            .unwrap();
        chat.conversation_id
    }

    async fn stop(&mut self) {
        self.server.take().unwrap().shutdown().await;
    }
}

/// The attachment messages the shop holds for a conversation.
async fn shop_attachments(
    api: &ApiClient,
    conversation_id: i64,
) -> Vec<(Option<String>, Attachment)> {
    let detail: ConversationDetail = api
        .get(&format!("/api/v1/conversations/{conversation_id}"))
        .await
        .unwrap();
    detail
        .messages
        .into_iter()
        .filter_map(|m| match m.body {
            MessageBody::Attachment { text, attachment } => Some((text, attachment)),
            _ => None,
        })
        .collect()
}

/// The local echo of an outbox item, as the conversation view would show it.
async fn echo(inbox: &Inbox, outbox_id: i64) -> Option<Message> {
    inbox
        .store()
        .read(move |c| {
            use rusqlite::OptionalExtension;
            let data: Option<String> = c
                .query_row(
                    "SELECT data FROM messages WHERE id = ?1",
                    [-outbox_id],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(data.map(|d| serde_json::from_str(&d).unwrap()))
        })
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sent_image_reaches_the_shop_and_then_shows_offline() {
    let mut shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let (inbox, token) = shop.inbox(data.path()).await;
    let conversation_id = shop.chat().await;
    let files = tempfile::tempdir().unwrap();
    let photo = RgbImage::from_fn(900, 600, |x, y| Rgb([(x / 4) as u8, (y / 3) as u8, 90]));
    let path = write(
        files.path(),
        "mug.png",
        &png(&DynamicImage::ImageRgb8(photo)),
    );

    // Queued and shown at once as a pending message pointing at the prepared file.
    let outbox_id = inbox
        .send_media(conversation_id, &path, Some("  Så här ser den ut  ".into()))
        .await
        .unwrap();
    let pending = echo(&inbox, outbox_id).await.expect("a local echo");
    let MessageBody::Attachment { text, attachment } = pending.body else {
        panic!("{:?}", pending.body)
    };
    assert_eq!(text.as_deref(), Some("Så här ser den ut"));
    assert!(attachment.url.starts_with(attachments::LOCAL_URL_PREFIX));
    assert_eq!(
        (attachment.width, attachment.height),
        (Some(900), Some(600))
    );
    let prepared = inbox.attachment(&attachment).await.unwrap();
    let sent = std::fs::read(&prepared).unwrap();
    assert_eq!(image::guess_format(&sent).unwrap(), ImageFormat::Jpeg);

    // Delivered: the shop holds an attachment message with exactly the prepared bytes.
    assert_eq!(inbox.flush_outbox().await.unwrap(), 1);
    assert_eq!(queued(&inbox).await, (0, 0));
    let api = ApiClient::new(&shop.address()).unwrap().with_token(&token);
    let held = shop_attachments(&api, conversation_id).await;
    assert_eq!(held.len(), 1, "{held:?}");
    let (text, attachment) = held.into_iter().next().unwrap();
    assert_eq!(text.as_deref(), Some("Så här ser den ut"));
    assert_eq!(attachment.kind, MediaKind::Image);
    assert_eq!(attachment.mime, "image/jpeg");
    assert_eq!(
        (attachment.width, attachment.height),
        (Some(900), Some(600))
    );
    assert_eq!(attachment.size, sent.len() as i64);

    // Downloaded into the cache, and still there with the shop gone.
    let cached = inbox.attachment(&attachment).await.unwrap();
    assert_eq!(std::fs::read(&cached).unwrap(), sent);
    assert!(cached.starts_with(mirror_dir(&inbox).join(attachments::CACHE_DIR)));

    // A cache with room for one file keeps the most recently used one.
    let second = write(
        files.path(),
        "plate.png",
        &png(&DynamicImage::ImageRgb8(RgbImage::from_fn(
            500,
            500,
            |x, y| Rgb([90, (x / 2) as u8, (y / 2) as u8]),
        ))),
    );
    inbox
        .send_media(conversation_id, &second, None)
        .await
        .unwrap();
    assert_eq!(inbox.flush_outbox().await.unwrap(), 1);
    let both = shop_attachments(&api, conversation_id).await;
    let other = both
        .iter()
        .map(|(_, a)| a)
        .find(|a| a.sha256 != attachment.sha256)
        .unwrap()
        .clone();
    let small = tempfile::tempdir().unwrap();
    let cap = attachment.size.max(other.size) as u64 + 10;
    let store = store::Store::open(&small.path().join("mirror.db")).unwrap();
    let tiny = AttachmentCache::new(small.path(), store, api.clone(), cap);
    let first = tiny.get(&attachment).await.unwrap();
    let newer = tiny.get(&other).await.unwrap();
    assert!(!first.exists(), "the least recently used file was evicted");
    assert!(newer.exists());

    shop.stop().await;
    let offline = inbox.attachment(&attachment).await.unwrap();
    assert_eq!(offline, cached);
    assert_eq!(std::fs::read(&offline).unwrap(), sent);
    // Not cached in this mirror and the shop is gone: a network error, not a wrong file.
    let err = tiny.get(&attachment).await.unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
}

/// Prefetch fills only the room the cache has under its cap: newest first, it stops at the
/// first image that doesn't fit, and it never evicts a file someone opened to make room for one
/// no one has.
#[tokio::test(flavor = "multi_thread")]
async fn prefetch_never_fills_the_cache_beyond_its_cap() {
    let mut shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let (inbox, token) = shop.inbox(data.path()).await;
    let conversation_id = shop.chat().await;
    let api = ApiClient::new(&shop.address()).unwrap().with_token(&token);
    // Four images of different sizes in one conversation, oldest first.
    let mut sent = Vec::new();
    for n in 0..4u32 {
        let image = RgbImage::from_fn(120 + 60 * n, 90, |x, y| {
            Rgb([(x * 7 + n) as u8, (y * 3) as u8, (x ^ y) as u8])
        });
        let attachment = api
            .upload("image/png", png(&DynamicImage::ImageRgb8(image)))
            .await
            .unwrap();
        let _: Option<Message> = api
            .send(
                reqwest::Method::POST,
                &format!("/api/v1/conversations/{conversation_id}/messages"),
                &format!("cap-{n}"),
                Some(&SendMessage::Attachment {
                    upload_id: attachment.upload_id.clone(),
                    text: None,
                }),
            )
            .await
            .unwrap();
        sent.push(attachment);
    }
    inbox.sync_once().await.unwrap();
    let size = |a: &Attachment| a.size as u64;
    let (opened, older, newer, newest) = (&sent[0], &sent[1], &sent[2], &sent[3]);
    // Room for what was opened, the two newest, and half of the next.
    let cap = size(opened) + size(newest) + size(newer) + size(older) / 2;
    let cache = AttachmentCache::new(&mirror_dir(&inbox), inbox.store().clone(), api, cap);
    let opened_file = cache.get(opened).await.unwrap();

    let done = inbox_core::prefetch::run(inbox.store(), &cache, cap)
        .await
        .unwrap();
    assert_eq!((done.files, done.paused), (2, false), "{done:?}");
    assert_eq!(done.bytes, size(newest) + size(newer));
    let used = inbox
        .store()
        .read(inbox_core::prefetch::cached_bytes)
        .await
        .unwrap();
    assert!(used <= cap, "{used} bytes cached under a cap of {cap}");
    assert_eq!(used, size(opened) + size(newest) + size(newer));
    assert!(opened_file.exists(), "the opened image was evicted");
    let files: Vec<String> = std::fs::read_dir(cache.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !files.contains(&older.sha256.to_ascii_lowercase()),
        "the image that doesn't fit was fetched"
    );
    assert_eq!(files.len(), 3, "{files:?}");

    // Run again (the next sync): nothing else fits, nothing is fetched or evicted.
    let again = inbox_core::prefetch::run(inbox.store(), &cache, cap)
        .await
        .unwrap();
    assert_eq!(again, inbox_core::prefetch::Prefetched::default());
    assert!(opened_file.exists());
    shop.stop().await;
}

/// The files in a mirror's `outgoing/` folder, by name.
fn outgoing(inbox: &Inbox) -> Vec<String> {
    let dir = mirror_dir(inbox).join(attachments::OUTGOING_DIR);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread")]
async fn a_prepared_file_goes_once_delivered_or_discarded_and_stays_while_it_may_be_retried() {
    let shop = Shop::start().await;
    let data = tempfile::tempdir().unwrap();
    let (inbox, _) = shop.inbox(data.path()).await;
    let conversation_id = shop.chat().await;
    let files = tempfile::tempdir().unwrap();
    let photo = RgbImage::from_fn(400, 300, |x, y| Rgb([(x / 2) as u8, (y / 2) as u8, 40]));
    let path = write(
        files.path(),
        "cup.png",
        &png(&DynamicImage::ImageRgb8(photo)),
    );

    // The same picture twice shares one prepared file (and its thumbnail).
    let first = inbox
        .send_media(conversation_id, &path, None)
        .await
        .unwrap();
    let again = inbox
        .send_media(conversation_id, &path, Some("igen".into()))
        .await
        .unwrap();
    let prepared = outgoing(&inbox);
    assert_eq!(prepared.len(), 2, "{prepared:?}");
    assert!(
        prepared.iter().any(|n| n.contains(".thumb.")),
        "{prepared:?}"
    );

    // Discarding one keeps what the other still needs; delivering that one removes it.
    inbox.discard(again).await.unwrap();
    assert_eq!(outgoing(&inbox), prepared);
    assert_eq!(inbox.flush_outbox().await.unwrap(), 1);
    assert!(inbox.outbox().await.unwrap().iter().all(|e| e.id != first));
    assert_eq!(outgoing(&inbox), Vec::<String>::new());

    // Refused by the shop: kept for a retry until discarded.
    let refused = inbox.send_media(987_654, &path, None).await.unwrap();
    assert_eq!(inbox.flush_outbox().await.unwrap(), 0);
    let entry = inbox.outbox().await.unwrap();
    assert!(
        matches!(&entry[..], [e] if e.id == refused && matches!(e.state, SendState::Failed { .. })),
        "{entry:?}"
    );
    assert_eq!(outgoing(&inbox), prepared);
    inbox.discard(refused).await.unwrap();
    assert_eq!(outgoing(&inbox), Vec::<String>::new());

    // The staff member's own file is never touched.
    assert!(path.is_file());
    let mut shop = shop;
    shop.stop().await;
}
