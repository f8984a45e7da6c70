//! Attachments: images and videos a staff member sends, prepared on disk before anything is
//! queued, and attachments in conversations, cached on disk by content hash so they show offline.
//!
//! Preparing trusts neither a file's name nor its header. The type comes from the bytes; an
//! image's claimed size is checked before a pixel is decoded, and decoding runs under
//! [`image::Limits`], so a damaged file or a decompression bomb is refused with a clear
//! [`Error::Input`] and the caller queues nothing. Still images are turned upright by their EXIF
//! orientation, shrunk to [`MAX_SENT_SIDE`] and re-encoded, which also drops their metadata (a
//! phone photo's location never reaches a customer); animations go as they are. Videos are
//! checked by size and container magic and copied unchanged. [`prepare`] blocks: run it on a
//! blocking thread.
//!
//! The [`AttachmentCache`] never serves bytes whose SHA-256 differs from the one the shop named,
//! never sends the staff token to another host, and never lets the cache folder grow past its
//! cap for longer than one insert.

use std::fs::File;
use std::io::{Cursor, Read, Seek, Write};
use std::path::{Path, PathBuf};

use image::codecs::gif::GifDecoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPDecoder;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{
    AnimationDecoder, DynamicImage, ExtendedColorType, GenericImageView, ImageDecoder,
    ImageEncoder, ImageError, ImageFormat, ImageReader, Limits,
};
use inbox_protocol::{
    Attachment, MAX_IMAGE_BYTES, MAX_IMAGE_SIDE, MAX_VIDEO_BYTES, MediaKind, Problem, ProblemCode,
};
use rusqlite::{OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};

use crate::api::ApiClient;
use crate::error::{Error, Result};
use crate::store::{Store, now_ms};

/// The long side of a sent image, in pixels; larger images are shrunk, smaller ones kept.
pub const MAX_SENT_SIDE: u32 = 2048;

/// The long side of a thumbnail, in pixels.
pub const THUMBNAIL_SIDE: u32 = 320;

/// The default cap on the attachment cache, in bytes.
pub const DEFAULT_CACHE_BYTES: u64 = 500 * 1024 * 1024;

/// The prefix of a local echo's attachment URL: `local:<file name>` names a prepared file in
/// the mirror's `outgoing/` folder until the shop's copy replaces the echo. Never `file://`,
/// so nothing mistakes it for a path a web view may load; [`AttachmentCache::get`] resolves it.
pub const LOCAL_URL_PREFIX: &str = "local:";

/// The folder, inside a mirror's folder, where prepared files wait to be uploaded.
pub const OUTGOING_DIR: &str = "outgoing";

/// The folder, inside a mirror's folder, holding cached attachments.
pub const CACHE_DIR: &str = "attachments";

const JPEG_QUALITY: u8 = 85;

/// Most memory a decoder may take; the image crate's default, made explicit.
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// Enough of a file to tell what it is (a WebM doctype sits within the first few dozen bytes).
const HEAD_BYTES: u64 = 256;

const ACCEPTED: &str = "send a JPEG, PNG, GIF or WebP image, or an MP4, MOV or WebM video";

/// A file ready to upload, in the output folder under its content hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    pub file: PathBuf,
    pub mime: String,
    pub kind: MediaKind,
    /// Pixel size for images (after orientation and resizing); `None` for videos.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The prepared file's size in bytes.
    pub size: u64,
    /// SHA-256 of the prepared file, hex: the shop stores and names the upload by it.
    pub sha256: String,
    /// A small image beside the file (`<hash>.thumb.<ext>`); `None` for videos.
    pub thumbnail: Option<PathBuf>,
}

impl Prepared {
    /// The attachment a local echo shows until the shop's copy replaces it: no upload id yet,
    /// and a `local:` URL naming the prepared file (see [`LOCAL_URL_PREFIX`]).
    pub fn local_attachment(&self) -> Attachment {
        let name = self
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Attachment {
            upload_id: String::new(),
            kind: self.kind,
            mime: self.mime.clone(),
            size: self.size as i64,
            width: self.width.map(|w| w as i32),
            height: self.height.map(|h| h as i32),
            sha256: self.sha256.clone(),
            url: format!("{LOCAL_URL_PREFIX}{name}"),
        }
    }
}

/// A file checked and prepared as it would be sent, for showing before it is: the same checks
/// refuse the same files, so staff learn at once that a photo is damaged or too large.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub kind: MediaKind,
    pub mime: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The size it would be sent at, in bytes (a large photo is shrunk first).
    pub size: u64,
    /// A small copy of an image ([`THUMBNAIL_SIDE`] on its long side) and its type; `None`
    /// for a video.
    pub thumbnail: Option<(Vec<u8>, &'static str)>,
}

/// Checks a file as [`prepare`] does and returns what it would send. An image is prepared in a
/// scratch folder that is removed afterwards (its size and pixels are those after shrinking); a
/// video goes as it is, so it is only checked, not copied. Blocking.
pub fn preview(path: &Path) -> Result<Preview> {
    let (bytes, format) = match inspect(path)? {
        Inspected::Image { bytes, format } => (bytes, format),
        Inspected::Video { size, mime, .. } => {
            return Ok(Preview {
                kind: MediaKind::Video,
                mime: mime.to_owned(),
                width: None,
                height: None,
                size,
                thumbnail: None,
            });
        }
    };
    let scratch = ScratchDir::new()?;
    let prepared = prepare_image(&bytes, format, scratch.path())?;
    let thumbnail = match &prepared.thumbnail {
        Some(thumb) => {
            let mime = match thumb.extension().and_then(|e| e.to_str()) {
                Some("png") => "image/png",
                _ => "image/jpeg",
            };
            Some((std::fs::read(thumb)?, mime))
        }
        None => None,
    };
    Ok(Preview {
        kind: prepared.kind,
        mime: prepared.mime,
        width: prepared.width,
        height: prepared.height,
        size: prepared.size,
        thumbnail,
    })
}

/// An image checked and prepared as [`prepare`] would for sending (shrunk, turned upright,
/// stripped of its metadata), read back as the bytes to upload and their type, without leaving
/// a file behind: for a saved reply's image, uploaded at once rather than queued. A video is
/// refused, as the shop refuses one for a saved reply. Blocking.
pub fn prepare_image_for_upload(path: &Path) -> Result<(Vec<u8>, String)> {
    let (bytes, format) = match inspect(path)? {
        Inspected::Image { bytes, format } => (bytes, format),
        Inspected::Video { .. } => {
            return Err(media(
                ProblemCode::UnsupportedMedia,
                "a saved reply can carry an image, not a video",
            ));
        }
    };
    let scratch = ScratchDir::new()?;
    let prepared = prepare_image(&bytes, format, scratch.path())?;
    Ok((std::fs::read(&prepared.file)?, prepared.mime))
}

/// A folder of our own under the system's temporary folder, removed when dropped.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new() -> Result<ScratchDir> {
        let dir =
            std::env::temp_dir().join(format!("inbox-preview-{:016x}", rand::random::<u64>()));
        std::fs::create_dir(&dir)?;
        Ok(ScratchDir(dir))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a file's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detected {
    Image(ImageFormat),
    Video {
        mime: &'static str,
        ext: &'static str,
    },
    /// A known kind we don't send, by the name people know it by.
    Other(&'static str),
    Unknown,
}

fn sniff(head: &[u8]) -> Detected {
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    if at(0, &[0xFF, 0xD8, 0xFF]) {
        Detected::Image(ImageFormat::Jpeg)
    } else if at(0, b"\x89PNG\r\n\x1a\n") {
        Detected::Image(ImageFormat::Png)
    } else if at(0, b"GIF87a") || at(0, b"GIF89a") {
        Detected::Image(ImageFormat::Gif)
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        Detected::Image(ImageFormat::WebP)
    } else if at(0, b"RIFF") && at(8, b"AVI ") {
        Detected::Other("AVI")
    } else if at(0, b"RIFF") && at(8, b"WAVE") {
        Detected::Other("WAV")
    } else if at(4, b"ftyp") {
        // ISO base media files: the major brand tells HEIC photos and audio from video.
        match head.get(8..12).unwrap_or_default() {
            b"qt  " => Detected::Video {
                mime: "video/quicktime",
                ext: "mov",
            },
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" => {
                Detected::Other("HEIC")
            }
            b"avif" | b"avis" => Detected::Other("AVIF"),
            b"M4A " | b"M4B " | b"M4P " => Detected::Other("M4A"),
            b"crx " => Detected::Other("CR3"),
            _ => Detected::Video {
                mime: "video/mp4",
                ext: "mp4",
            },
        }
    } else if at(0, &[0x1A, 0x45, 0xDF, 0xA3]) {
        // EBML: WebM says so in its DocType; anything else is Matroska.
        if head.windows(4).any(|w| w == b"webm") {
            Detected::Video {
                mime: "video/webm",
                ext: "webm",
            }
        } else {
            Detected::Other("MKV")
        }
    } else if at(0, b"%PDF") {
        Detected::Other("PDF")
    } else if at(0, b"II*\0") || at(0, b"MM\0*") {
        Detected::Other("TIFF")
    } else if at(0, b"BM") {
        Detected::Other("BMP")
    } else if at(0, b"8BPS") {
        Detected::Other("PSD")
    } else if at(0, b"PK\x03\x04") {
        Detected::Other("ZIP")
    } else if at(0, b"OggS") {
        Detected::Other("Ogg")
    } else if at(0, b"ID3") {
        Detected::Other("MP3")
    } else if head.trim_ascii_start().starts_with(b"<svg")
        || (head.trim_ascii_start().starts_with(b"<?xml") && head.windows(4).any(|w| w == b"<svg"))
    {
        Detected::Other("SVG")
    } else {
        Detected::Unknown
    }
}

fn input(message: impl Into<String>) -> Error {
    Error::Input(message.into())
}

/// A file refused for what it is, with the shop's code for it.
fn media(code: ProblemCode, message: impl Into<String>) -> Error {
    Error::Media {
        code,
        message: message.into(),
    }
}

fn damaged_image() -> Error {
    media(
        ProblemCode::CorruptMedia,
        "the image is damaged and can't be opened",
    )
}

/// Whole megabytes, rounded up, so a file just over a limit never reads as "at the limit".
fn megabytes(bytes: u64) -> u64 {
    bytes.div_ceil(1024 * 1024)
}

fn too_large(what: &str, size: u64, limit: usize) -> Error {
    let plural = if what == "video" { "videos" } else { "images" };
    media(
        ProblemCode::AttachmentTooLarge,
        format!(
            "the {what} is {} MB; {plural} can be up to {} MB",
            megabytes(size),
            megabytes(limit as u64)
        ),
    )
}

fn unsupported(name: &str) -> Error {
    media(
        ProblemCode::UnsupportedMedia,
        format!("{name} files can't be sent; {ACCEPTED}"),
    )
}

/// A file whose bytes we don't recognise: its extension only picks the words of the refusal.
fn unrecognised(path: &Path) -> Error {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" | "png" | "gif" | "webp" => damaged_image(),
        "mp4" | "m4v" | "mov" | "webm" => media(
            ProblemCode::CorruptMedia,
            format!("the video is damaged or isn't an MP4, MOV or WebM video; {ACCEPTED}"),
        ),
        "" => media(
            ProblemCode::UnsupportedMedia,
            format!("this file can't be sent; {ACCEPTED}"),
        ),
        ext if ext.len() <= 8 && ext.chars().all(|c| c.is_ascii_alphanumeric()) => {
            unsupported(&ext.to_uppercase())
        }
        _ => media(
            ProblemCode::UnsupportedMedia,
            format!("this file can't be sent; {ACCEPTED}"),
        ),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

fn temp_path(dir: &Path) -> PathBuf {
    dir.join(format!(".{:016x}.tmp", rand::random::<u64>()))
}

/// Writes content-addressed bytes once; an existing file of that name already holds them.
fn write_once(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    let path = dir.join(name);
    if !path.exists() {
        let tmp = temp_path(dir);
        let written = std::fs::write(&tmp, bytes).and_then(|_| std::fs::rename(&tmp, &path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.into());
        }
    }
    Ok(path)
}

/// Checks and prepares a file for sending: the result sits in `out_dir` under its content
/// hash, with a thumbnail beside it for images. Blocking; refuses bad input with a clear
/// [`Error::Input`] and writes nothing then.
pub fn prepare(path: &Path, out_dir: &Path) -> Result<Prepared> {
    match inspect(path)? {
        Inspected::Image { bytes, format } => prepare_image(&bytes, format, out_dir),
        Inspected::Video {
            file, mime, ext, ..
        } => prepare_video(file, mime, ext, out_dir),
    }
}

/// A file that passed the checks made before any work: what it is, within its size limit.
enum Inspected {
    Image {
        bytes: Vec<u8>,
        format: ImageFormat,
    },
    /// Positioned at its start.
    Video {
        file: File,
        size: u64,
        mime: &'static str,
        ext: &'static str,
    },
}

/// Opens a file and tells from its bytes what it is, refusing folders, empty files, unknown
/// kinds and files over their limit; an image is read whole (never past the limit).
fn inspect(path: &Path) -> Result<Inspected> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let mut file = File::open(path).map_err(|e| input(format!("{name} can't be opened ({e})")))?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(input(format!("{name} is a folder; choose a file")));
    }
    let size = meta.len();
    if size == 0 {
        return Err(input("the file is empty"));
    }
    let mut head = Vec::new();
    (&mut file)
        .take(HEAD_BYTES)
        .read_to_end(&mut head)
        .map_err(|e| input(format!("{name} can't be read ({e})")))?;
    match sniff(&head) {
        Detected::Image(format) => {
            if size > MAX_IMAGE_BYTES as u64 {
                return Err(too_large("image", size, MAX_IMAGE_BYTES));
            }
            let mut bytes = head;
            // The file may have grown since we looked; never read more than the limit.
            (&mut file)
                .take(MAX_IMAGE_BYTES as u64 + 1 - bytes.len() as u64)
                .read_to_end(&mut bytes)
                .map_err(|e| input(format!("{name} can't be read ({e})")))?;
            if bytes.len() > MAX_IMAGE_BYTES {
                return Err(too_large("image", bytes.len() as u64, MAX_IMAGE_BYTES));
            }
            Ok(Inspected::Image { bytes, format })
        }
        Detected::Video { mime, ext } => {
            if size > MAX_VIDEO_BYTES as u64 {
                return Err(too_large("video", size, MAX_VIDEO_BYTES));
            }
            file.rewind()?;
            Ok(Inspected::Video {
                file,
                size,
                mime,
                ext,
            })
        }
        Detected::Other(what) => Err(unsupported(what)),
        Detected::Unknown => Err(unrecognised(path)),
    }
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits
}

fn too_many_pixels(width: u32, height: u32) -> Error {
    media(
        ProblemCode::AttachmentTooLarge,
        format!(
            "the image is {width}×{height} pixels; images can be up to {MAX_IMAGE_SIDE} pixels on a side"
        ),
    )
}

/// A decoding failure in words: a limit hit means too big, anything else means damaged.
fn decode_error(width: u32, height: u32) -> impl Fn(ImageError) -> Error {
    move |error| match error {
        ImageError::Limits(_) if width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE => {
            too_many_pixels(width, height)
        }
        ImageError::Limits(_) => media(
            ProblemCode::AttachmentTooLarge,
            format!("the image is {width}×{height} pixels, too large to open; make it smaller"),
        ),
        _ => damaged_image(),
    }
}

struct Decoded {
    /// The still image, or an animation's first frame.
    image: DynamicImage,
    orientation: Orientation,
    icc: Option<Vec<u8>>,
    animated: bool,
}

fn decode(bytes: &[u8], format: ImageFormat, width: u32, height: u32) -> Result<Decoded> {
    let error = decode_error(width, height);
    if format == ImageFormat::Gif {
        let mut decoder = GifDecoder::new(Cursor::new(bytes)).map_err(&error)?;
        decoder.set_limits(limits()).map_err(&error)?;
        let mut frames = decoder.into_frames();
        let first = frames.next().ok_or_else(damaged_image)?.map_err(&error)?;
        let animated = frames.next().transpose().map_err(&error)?.is_some();
        return Ok(Decoded {
            image: DynamicImage::ImageRgba8(first.into_buffer()),
            orientation: Orientation::NoTransforms,
            icc: None,
            animated,
        });
    }
    let animated = format == ImageFormat::WebP
        && WebPDecoder::new(Cursor::new(bytes))
            .map_err(&error)?
            .has_animation();
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(&error)?;
    // Broken metadata is no reason to refuse a picture that decodes.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let icc = decoder.icc_profile().ok().flatten();
    let image = DynamicImage::from_decoder(decoder).map_err(&error)?;
    Ok(Decoded {
        image,
        orientation,
        icc,
        animated,
    })
}

/// `(width, height)` scaled so the long side is `side`, keeping the aspect ratio.
fn fit_dimensions(width: u32, height: u32, side: u32) -> (u32, u32) {
    let scale = |short: u32, long: u32| {
        ((u64::from(short) * u64::from(side) + u64::from(long) / 2) / u64::from(long)).max(1) as u32
    };
    if width >= height {
        (side, scale(height, width))
    } else {
        (scale(width, height), side)
    }
}

/// The image shrunk so its long side is at most `side`, or `None` if it already fits.
fn shrunk(image: &DynamicImage, side: u32) -> Option<DynamicImage> {
    let (width, height) = image.dimensions();
    if width.max(height) <= side {
        return None;
    }
    let (w, h) = fit_dimensions(width, height, side);
    if width.max(height) > side * 4 {
        // A big reduction first averages boxes of pixels down to twice the target: cheap and
        // light on memory, leaving Lanczos enough pixels to do the last step well.
        let (bw, bh) = fit_dimensions(width, height, side * 2);
        let boxed = image.thumbnail_exact(bw, bh);
        return Some(boxed.resize_exact(w, h, FilterType::Lanczos3));
    }
    Some(image.resize_exact(w, h, FilterType::Lanczos3))
}

/// Whether any pixel is see-through (an alpha channel that is all opaque doesn't count).
fn is_transparent(image: &DynamicImage) -> bool {
    match image {
        DynamicImage::ImageRgba8(i) => i.pixels().any(|p| p[3] < u8::MAX),
        DynamicImage::ImageLumaA8(i) => i.pixels().any(|p| p[1] < u8::MAX),
        DynamicImage::ImageRgba16(i) => i.pixels().any(|p| p[3] < u16::MAX),
        DynamicImage::ImageLumaA16(i) => i.pixels().any(|p| p[1] < u16::MAX),
        DynamicImage::ImageRgba32F(i) => i.pixels().any(|p| p[3] < 1.0),
        other => other.color().has_alpha(),
    }
}

/// Encodes as PNG when see-through, else as JPEG; returns the bytes, MIME type and extension.
fn encode(
    image: &DynamicImage,
    transparent: bool,
    icc: Option<&[u8]>,
) -> Result<(Vec<u8>, &'static str, &'static str)> {
    let failed = |e: ImageError| Error::Io(std::io::Error::other(e));
    let mut out = Vec::new();
    if transparent {
        let rgba = image.to_rgba8();
        let mut encoder = PngEncoder::new(&mut out);
        if let Some(icc) = icc {
            // Colour stays right on wide-gamut photos; a refusal only costs fidelity.
            let _ = encoder.set_icc_profile(icc.to_vec());
        }
        encoder
            .write_image(
                rgba.as_raw(),
                rgba.width(),
                rgba.height(),
                ExtendedColorType::Rgba8,
            )
            .map_err(failed)?;
        Ok((out, "image/png", "png"))
    } else {
        let rgb = image.to_rgb8();
        let mut encoder = JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
        if let Some(icc) = icc {
            let _ = encoder.set_icc_profile(icc.to_vec());
        }
        encoder
            .write_image(
                rgb.as_raw(),
                rgb.width(),
                rgb.height(),
                ExtendedColorType::Rgb8,
            )
            .map_err(failed)?;
        Ok((out, "image/jpeg", "jpg"))
    }
}

fn write_thumbnail(
    image: &DynamicImage,
    transparent: bool,
    sha: &str,
    out_dir: &Path,
) -> Result<PathBuf> {
    let small = shrunk(image, THUMBNAIL_SIDE);
    let (bytes, _, ext) = encode(small.as_ref().unwrap_or(image), transparent, None)?;
    write_once(out_dir, &format!("{sha}.thumb.{ext}"), &bytes)
}

fn prepare_image(bytes: &[u8], format: ImageFormat, out_dir: &Path) -> Result<Prepared> {
    // The header alone says how big the picture claims to be: refuse bombs before decoding.
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|_| damaged_image())?;
    if width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
        return Err(too_many_pixels(width, height));
    }
    if width == 0 || height == 0 {
        return Err(damaged_image());
    }
    let decoded = decode(bytes, format, width, height)?;
    std::fs::create_dir_all(out_dir)?;
    if decoded.animated {
        // Re-encoding would drop the animation; within the limits the original goes as is.
        let (mime, ext) = if format == ImageFormat::Gif {
            ("image/gif", "gif")
        } else {
            ("image/webp", "webp")
        };
        let sha = sha256_hex(bytes);
        let file = write_once(out_dir, &format!("{sha}.{ext}"), bytes)?;
        let transparent = is_transparent(&decoded.image);
        let thumbnail = write_thumbnail(&decoded.image, transparent, &sha, out_dir)?;
        return Ok(Prepared {
            file,
            mime: mime.into(),
            kind: MediaKind::Image,
            width: Some(width),
            height: Some(height),
            size: bytes.len() as u64,
            sha256: sha,
            thumbnail: Some(thumbnail),
        });
    }
    let mut image = decoded.image;
    image.apply_orientation(decoded.orientation);
    let image = shrunk(&image, MAX_SENT_SIDE).unwrap_or(image);
    let transparent = is_transparent(&image);
    let (encoded, mime, ext) = encode(&image, transparent, decoded.icc.as_deref())?;
    if encoded.len() > MAX_IMAGE_BYTES {
        return Err(too_large("image", encoded.len() as u64, MAX_IMAGE_BYTES));
    }
    let sha = sha256_hex(&encoded);
    let file = write_once(out_dir, &format!("{sha}.{ext}"), &encoded)?;
    let thumbnail = write_thumbnail(&image, transparent, &sha, out_dir)?;
    Ok(Prepared {
        file,
        mime: mime.into(),
        kind: MediaKind::Image,
        width: Some(image.width()),
        height: Some(image.height()),
        size: encoded.len() as u64,
        sha256: sha,
        thumbnail: Some(thumbnail),
    })
}

/// Copies a video unchanged, hashing as it goes, then names it by its hash.
fn prepare_video(
    file: File,
    mime: &'static str,
    ext: &'static str,
    out_dir: &Path,
) -> Result<Prepared> {
    std::fs::create_dir_all(out_dir)?;
    let tmp = temp_path(out_dir);
    let copied = (|| -> Result<(u64, String)> {
        let mut reader = file.take(MAX_VIDEO_BYTES as u64 + 1);
        let mut writer = std::io::BufWriter::new(File::create(&tmp)?);
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; 256 * 1024];
        let mut total = 0u64;
        loop {
            let n = reader.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            writer.write_all(&buffer[..n])?;
            total += n as u64;
        }
        writer.flush()?;
        if total > MAX_VIDEO_BYTES as u64 {
            return Err(too_large("video", total, MAX_VIDEO_BYTES));
        }
        Ok((total, format!("{:x}", hasher.finalize())))
    })();
    let (size, sha) = match copied {
        Ok(done) => done,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    let path = out_dir.join(format!("{sha}.{ext}"));
    if let Err(e) = std::fs::rename(&tmp, &path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e.into());
    }
    Ok(Prepared {
        file: path,
        mime: mime.into(),
        kind: MediaKind::Video,
        width: None,
        height: None,
        size,
        sha256: sha,
        thumbnail: None,
    })
}

/// Removes a prepared file and its thumbnail once nothing will upload it again: its message
/// was delivered or discarded. Only inside an `outgoing/` folder (an action naming any other
/// path, in a damaged or edited mirror, is left alone). A failure is logged, never returned:
/// the message is already where it belongs, and a leftover file costs only disk space.
/// Blocking.
pub fn remove_prepared(file: &Path) {
    let outgoing = file.parent().and_then(Path::file_name) == Some(OUTGOING_DIR.as_ref());
    let Some(stem) = file.file_stem().filter(|_| outgoing) else {
        tracing::warn!(file = %file.display(), "not a prepared file; left alone");
        return;
    };
    let thumbnails = ["jpg", "png"].map(|ext| {
        let mut name = stem.to_owned();
        name.push(format!(".thumb.{ext}"));
        file.with_file_name(name)
    });
    for path in std::iter::once(file.to_owned()).chain(thumbnails) {
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => {
                tracing::warn!(file = %path.display(), %error, "can't remove a sent file");
            }
        }
    }
}

/// Attachments from conversations, kept on disk under their SHA-256 so they show offline; the
/// `attachment_cache` table records each file's size and last use, and the least recently used
/// files go once the folder is over its cap.
#[derive(Debug, Clone)]
pub struct AttachmentCache {
    dir: PathBuf,
    outgoing: PathBuf,
    store: Store,
    api: ApiClient,
    cap: u64,
}

impl AttachmentCache {
    /// A cache in `<mirror_dir>/attachments/`, holding at most `cap` bytes after each insert
    /// ([`DEFAULT_CACHE_BYTES`] is a sane cap). `local:` URLs resolve in `<mirror_dir>/outgoing/`.
    pub fn new(mirror_dir: &Path, store: Store, api: ApiClient, cap: u64) -> AttachmentCache {
        AttachmentCache {
            dir: mirror_dir.join(CACHE_DIR),
            outgoing: mirror_dir.join(OUTGOING_DIR),
            store,
            api,
            cap,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The attachment's file on disk: from the cache (offline too), else downloaded from the
    /// shop, checked against its SHA-256 and cached. A local echo's `local:` URL gives the
    /// prepared file waiting in the outbox.
    pub async fn get(&self, attachment: &Attachment) -> Result<PathBuf> {
        if let Some(name) = attachment.url.strip_prefix(LOCAL_URL_PREFIX) {
            return self.local(name);
        }
        let sha = content_hash(&attachment.sha256)?;
        if let Some(path) = self.touch(&sha).await? {
            return Ok(path);
        }
        let path = self.shop_path(&attachment.url)?;
        let bytes = self.api.fetch_bytes(&path).await?;
        self.insert(&sha, bytes).await
    }

    fn local(&self, name: &str) -> Result<PathBuf> {
        let plain = !name.is_empty()
            && !name.starts_with('.')
            && !name.contains(['/', '\\', ':'])
            && Path::new(name).file_name() == Some(std::ffi::OsStr::new(name));
        if !plain {
            return Err(input(format!(
                "the attachment address local:{name} is not valid"
            )));
        }
        let path = self.outgoing.join(name);
        if path.is_file() {
            Ok(path)
        } else {
            Err(Error::NotFound(format!(
                "the attachment {name} is no longer on this computer"
            )))
        }
    }

    /// The path to ask the shop for. An absolute URL must be the shop's own: the request
    /// carries the staff token.
    fn shop_path(&self, url: &str) -> Result<String> {
        if url.starts_with('/') && !url.starts_with("//") {
            return Ok(url.to_owned());
        }
        match url.strip_prefix(self.api.base_url()) {
            Some(rest) if rest.starts_with('/') => Ok(rest.to_owned()),
            _ => Err(input(format!(
                "the attachment at {url} isn't on this shop and won't be fetched"
            ))),
        }
    }

    /// Marks a cached file used and returns it, or forgets a row whose file is gone.
    async fn touch(&self, sha: &str) -> Result<Option<PathBuf>> {
        let (path, sha) = (self.dir.join(sha), sha.to_owned());
        self.store
            .write(move |tx| {
                // A file without a row (a crash after the rename) is adopted: only verified
                // bytes are ever renamed into place.
                match std::fs::metadata(&path) {
                    Ok(meta) if meta.is_file() => {
                        record_use(tx, &sha, meta.len())?;
                        Ok(Some(path))
                    }
                    _ => {
                        tx.execute("DELETE FROM attachment_cache WHERE sha256 = ?1", [&sha])?;
                        Ok(None)
                    }
                }
            })
            .await
    }

    /// Bytes cached now, and the cap.
    pub async fn usage(&self) -> Result<(u64, u64)> {
        let used = self.store.read(crate::prefetch::cached_bytes).await?;
        Ok((used, self.cap))
    }

    /// "Clear cache": every cached file goes (they come back from the shop when shown, or by
    /// prefetch after the next sync). Prepared files waiting to be sent are not touched.
    pub async fn clear(&self) -> Result<u64> {
        let dir = self.dir.clone();
        self.store
            .write(move |tx| {
                let shas: Vec<String> = tx
                    .prepare("SELECT sha256 FROM attachment_cache")?
                    .query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                let freed = crate::prefetch::cached_bytes(tx)?;
                for sha in &shas {
                    match std::fs::remove_file(dir.join(sha)) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(e.into()),
                    }
                }
                tx.execute("DELETE FROM attachment_cache", [])?;
                Ok(freed)
            })
            .await
    }

    /// Verifies downloaded bytes, stores them under their hash and evicts down to the cap.
    async fn insert(&self, sha: &str, bytes: Vec<u8>) -> Result<PathBuf> {
        let (dir, name) = (self.dir.clone(), sha.to_owned());
        let size = bytes.len() as u64;
        let path = tokio::task::spawn_blocking(move || -> Result<PathBuf> {
            if sha256_hex(&bytes) != name {
                return Err(Error::Rejected(Box::new(Problem::new(
                    502,
                    ProblemCode::CorruptMedia,
                    "the attachment the shop sent is damaged (its checksum doesn't match)",
                ))));
            }
            std::fs::create_dir_all(&dir)?;
            write_once(&dir, &name, &bytes)
        })
        .await??;
        let (dir, sha, cap) = (self.dir.clone(), sha.to_owned(), self.cap);
        self.store
            .write(move |tx| {
                record_use(tx, &sha, size)?;
                evict(tx, &dir, &sha, cap)
            })
            .await?;
        Ok(path)
    }
}

/// A hash from the shop, checked before it names a file.
fn content_hash(sha: &str) -> Result<String> {
    let sha = sha.to_ascii_lowercase();
    if sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(sha)
    } else {
        Err(input(
            "the attachment has no valid checksum and can't be shown",
        ))
    }
}

/// Records a use, strictly after every earlier one: two uses in the same millisecond still
/// have an order, so eviction is least recently used, not arbitrary.
fn record_use(tx: &Transaction<'_>, sha: &str, size: u64) -> Result<()> {
    tx.execute(
        "INSERT INTO attachment_cache (sha256, size, last_used_at)
         VALUES (?1, ?2, max(?3, (SELECT coalesce(max(last_used_at), 0) + 1 FROM attachment_cache)))
         ON CONFLICT (sha256) DO UPDATE SET size = excluded.size, last_used_at = excluded.last_used_at",
        params![sha, size as i64, now_ms()],
    )?;
    Ok(())
}

/// Deletes least recently used files until the cache fits `cap`, sparing `keep` (just
/// inserted). A file is removed before its row is committed: a failed commit leaves a row
/// without a file, which [`AttachmentCache::get`] forgets and downloads again.
fn evict(tx: &Transaction<'_>, dir: &Path, keep: &str, cap: u64) -> Result<()> {
    let mut total: i64 = tx.query_row(
        "SELECT coalesce(sum(size), 0) FROM attachment_cache",
        [],
        |r| r.get(0),
    )?;
    while total > cap as i64 {
        let oldest: Option<(String, i64)> = tx
            .query_row(
                "SELECT sha256, size FROM attachment_cache WHERE sha256 != ?1
                  ORDER BY last_used_at LIMIT 1",
                [keep],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((sha, size)) = oldest else { break };
        match std::fs::remove_file(dir.join(&sha)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        tx.execute("DELETE FROM attachment_cache WHERE sha256 = ?1", [&sha])?;
        total -= size;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_bytes(image: &DynamicImage) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    fn message(err: Error) -> String {
        match err {
            Error::Input(m) | Error::Media { message: m, .. } => m,
            other => panic!("expected a refusal of the file, got {other:?}"),
        }
    }

    #[test]
    fn the_type_comes_from_the_bytes() {
        assert_eq!(
            sniff(b"\xFF\xD8\xFF\xE0rest"),
            Detected::Image(ImageFormat::Jpeg)
        );
        assert_eq!(
            sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Detected::Image(ImageFormat::WebP)
        );
        assert_eq!(
            sniff(b"\0\0\0\x14ftypqt  \0\0\0\0"),
            Detected::Video {
                mime: "video/quicktime",
                ext: "mov"
            }
        );
        assert_eq!(
            sniff(b"\0\0\0\x18ftypisom\0\0\0\0"),
            Detected::Video {
                mime: "video/mp4",
                ext: "mp4"
            }
        );
        // An iPhone photo is an ISO media file too, but not a video.
        assert_eq!(
            sniff(b"\0\0\0\x18ftypheic\0\0\0\0"),
            Detected::Other("HEIC")
        );
        let mut webm = vec![
            0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84,
        ];
        webm.extend_from_slice(b"webm");
        assert_eq!(
            sniff(&webm),
            Detected::Video {
                mime: "video/webm",
                ext: "webm"
            }
        );
        let mkv = [&webm[..12], b"matroska"].concat();
        assert_eq!(sniff(&mkv), Detected::Other("MKV"));
        assert_eq!(sniff(b"%PDF-1.7"), Detected::Other("PDF"));
        assert_eq!(sniff(b"  <svg xmlns="), Detected::Other("SVG"));
        assert_eq!(sniff(b"hello"), Detected::Unknown);
    }

    #[test]
    fn unrecognised_bytes_are_named_by_their_extension_but_never_trusted() {
        let msg = |p: &str| message(unrecognised(Path::new(p)));
        assert_eq!(msg("photo.JPG"), "the image is damaged and can't be opened");
        assert_eq!(
            msg("notes.docx"),
            "DOCX files can't be sent; send a JPEG, PNG, GIF or WebP image, or an MP4, MOV or WebM video"
        );
        assert!(msg("README").starts_with("this file can't be sent; "));
        assert!(msg("clip.mov").starts_with("the video is damaged"));
    }

    #[test]
    fn sizes_just_over_a_limit_never_read_as_the_limit() {
        assert_eq!(
            message(too_large(
                "video",
                MAX_VIDEO_BYTES as u64 + 1,
                MAX_VIDEO_BYTES
            )),
            "the video is 101 MB; videos can be up to 100 MB"
        );
        assert_eq!(
            message(too_large("image", 25 * 1024 * 1024, MAX_IMAGE_BYTES)),
            "the image is 25 MB; images can be up to 20 MB"
        );
    }

    #[test]
    fn fitting_keeps_the_aspect_ratio() {
        assert_eq!(fit_dimensions(4000, 3000, 2048), (2048, 1536));
        assert_eq!(fit_dimensions(3000, 4000, 320), (240, 320));
        assert_eq!(fit_dimensions(12_000, 3, 2048), (2048, 1));
        let small = DynamicImage::new_rgb8(100, 50);
        assert!(shrunk(&small, 2048).is_none(), "never upscaled");
        // Far too big: averaged down in boxes first, then filtered.
        let huge = DynamicImage::new_rgb8(9000, 30);
        assert_eq!(shrunk(&huge, 2048).unwrap().dimensions(), (2048, 7));
    }

    #[test]
    fn a_see_through_image_stays_png_and_an_opaque_one_becomes_jpeg() {
        let out = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut clear = image::RgbaImage::from_pixel(64, 64, image::Rgba([10, 20, 30, 255]));
        clear.put_pixel(3, 3, image::Rgba([0, 0, 0, 0]));
        let path = dir.path().join("logo.png");
        std::fs::write(&path, png_bytes(&DynamicImage::ImageRgba8(clear))).unwrap();
        let prepared = prepare(&path, out.path()).unwrap();
        assert_eq!(prepared.mime, "image/png");
        assert!(prepared.file.to_string_lossy().ends_with(".png"));

        // An alpha channel that is opaque everywhere is not transparency.
        let opaque = image::RgbaImage::from_pixel(64, 64, image::Rgba([10, 20, 30, 255]));
        std::fs::write(&path, png_bytes(&DynamicImage::ImageRgba8(opaque))).unwrap();
        let prepared = prepare(&path, out.path()).unwrap();
        assert_eq!(prepared.mime, "image/jpeg");
        assert_eq!(
            image::guess_format(&std::fs::read(&prepared.file).unwrap()).unwrap(),
            ImageFormat::Jpeg
        );
        assert_eq!(
            prepared.sha256,
            sha256_hex(&std::fs::read(&prepared.file).unwrap())
        );
    }

    #[test]
    fn an_animated_gif_goes_unchanged_and_a_still_one_is_re_encoded() {
        use image::codecs::gif::GifEncoder;
        let gif = |frames: usize| {
            let mut out = Vec::new();
            {
                let mut encoder = GifEncoder::new(&mut out);
                for i in 0..frames {
                    let shade = (i * 120) as u8;
                    let frame =
                        image::RgbaImage::from_pixel(40, 30, image::Rgba([shade, 0, 0, 255]));
                    encoder.encode_frame(image::Frame::new(frame)).unwrap();
                }
            }
            out
        };
        let out = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wave.gif");
        let animated = gif(3);
        std::fs::write(&path, &animated).unwrap();
        let prepared = prepare(&path, out.path()).unwrap();
        assert_eq!(prepared.mime, "image/gif");
        assert_eq!(std::fs::read(&prepared.file).unwrap(), animated);
        assert_eq!((prepared.width, prepared.height), (Some(40), Some(30)));
        assert!(prepared.thumbnail.unwrap().is_file());

        std::fs::write(&path, gif(1)).unwrap();
        let prepared = prepare(&path, out.path()).unwrap();
        assert_eq!(prepared.mime, "image/jpeg");
    }

    #[test]
    fn a_damaged_image_with_a_valid_signature_is_refused() {
        let out = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("photo.jpg");
        std::fs::write(&path, b"\xFF\xD8\xFF\xE0 this is not really a jpeg at all").unwrap();
        assert_eq!(
            message(prepare(&path, out.path()).unwrap_err()),
            "the image is damaged and can't be opened"
        );
        let mut png = png_bytes(&DynamicImage::new_rgb8(64, 64));
        png.truncate(png.len() / 2);
        std::fs::write(&path, png).unwrap();
        assert_eq!(
            message(prepare(&path, out.path()).unwrap_err()),
            "the image is damaged and can't be opened"
        );
        assert_eq!(
            std::fs::read_dir(out.path())
                .map(|d| d.count())
                .unwrap_or(0),
            0
        );
    }

    #[test]
    fn empty_files_folders_and_missing_files_are_refused() {
        let out = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.png");
        std::fs::write(&empty, b"").unwrap();
        assert_eq!(
            message(prepare(&empty, out.path()).unwrap_err()),
            "the file is empty"
        );
        assert!(message(prepare(dir.path(), out.path()).unwrap_err()).contains("is a folder"));
        assert!(
            message(prepare(&dir.path().join("gone.png"), out.path()).unwrap_err())
                .starts_with("gone.png can't be opened")
        );
    }

    #[test]
    fn a_video_is_copied_as_is_under_its_hash() {
        let out = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clip.bin");
        let mut mp4 = vec![0, 0, 0, 24];
        mp4.extend_from_slice(b"ftypisom");
        mp4.extend((0..300_000u32).map(|i| i as u8));
        std::fs::write(&path, &mp4).unwrap();
        let prepared = prepare(&path, out.path()).unwrap();
        assert_eq!(prepared.kind, MediaKind::Video);
        assert_eq!(prepared.mime, "video/mp4");
        assert_eq!(std::fs::read(&prepared.file).unwrap(), mp4);
        assert_eq!(prepared.sha256, sha256_hex(&mp4));
        assert_eq!(
            prepared.file,
            out.path().join(format!("{}.mp4", prepared.sha256))
        );
        assert_eq!(prepared.size, mp4.len() as u64);
        assert!(prepared.thumbnail.is_none());
        assert_eq!(
            prepared.local_attachment().url,
            format!("local:{}.mp4", prepared.sha256)
        );
    }

    /// A cache with a store of its own and a shop that is never reached.
    fn offline_cache(cap: u64) -> (AttachmentCache, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("mirror.db")).unwrap();
        let api = ApiClient::new(&crate::api::ShopAddress {
            url: "https://127.0.0.1:9".into(),
            ca_pem: None,
        })
        .unwrap();
        (AttachmentCache::new(dir.path(), store, api, cap), dir)
    }

    fn attachment_for(bytes: &[u8]) -> Attachment {
        Attachment {
            upload_id: "up_1".into(),
            kind: MediaKind::Image,
            mime: "image/png".into(),
            size: bytes.len() as i64,
            width: None,
            height: None,
            sha256: sha256_hex(bytes),
            url: "/media/up_1".into(),
        }
    }

    async fn cached(cache: &AttachmentCache) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(cache.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let mut rows: Vec<String> = cache
            .store
            .read(|c| {
                let mut s = c.prepare("SELECT sha256 FROM attachment_cache")?;
                let rows = s
                    .query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                Ok(rows)
            })
            .await
            .unwrap();
        rows.sort();
        assert_eq!(names, rows, "the table and the folder agree");
        names
    }

    #[tokio::test]
    async fn the_least_recently_used_files_go_when_over_the_cap() {
        let (cache, _dir) = offline_cache(250);
        let [a, b, c] = [[1u8; 100], [2u8; 100], [3u8; 100]];
        let (ha, hb, hc) = (sha256_hex(&a), sha256_hex(&b), sha256_hex(&c));
        cache.insert(&ha, a.to_vec()).await.unwrap();
        cache.insert(&hb, b.to_vec()).await.unwrap();
        // Using A (offline: no shop is running) makes B the least recently used.
        let path = cache.get(&attachment_for(&a)).await.unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), a);
        cache.insert(&hc, c.to_vec()).await.unwrap();
        let mut expected = vec![ha.clone(), hc.clone()];
        expected.sort();
        assert_eq!(cached(&cache).await, expected);
        let total: i64 = cache
            .store
            .read(|c| Ok(c.query_row("SELECT sum(size) FROM attachment_cache", [], |r| r.get(0))?))
            .await
            .unwrap();
        assert!(total <= 250);
        // An evicted file is fetched again, and offline that fails as a network error.
        let err = cache.get(&attachment_for(&b)).await.unwrap_err();
        assert!(err.is_retryable(), "{err:?}");
    }

    #[tokio::test]
    async fn a_file_larger_than_the_cap_is_kept_until_the_next_insert() {
        let (cache, _dir) = offline_cache(50);
        let big = [7u8; 100];
        cache.insert(&sha256_hex(&big), big.to_vec()).await.unwrap();
        assert_eq!(cached(&cache).await, vec![sha256_hex(&big)]);
        let small = [8u8; 10];
        cache
            .insert(&sha256_hex(&small), small.to_vec())
            .await
            .unwrap();
        assert_eq!(cached(&cache).await, vec![sha256_hex(&small)]);
    }

    #[tokio::test]
    async fn bytes_that_dont_match_their_hash_are_not_cached() {
        let (cache, _dir) = offline_cache(DEFAULT_CACHE_BYTES);
        let err = cache
            .insert(&sha256_hex(b"the real thing"), b"something else".to_vec())
            .await
            .unwrap_err();
        assert_eq!(err.problem_code(), Some(ProblemCode::CorruptMedia));
        assert!(!cache.dir().exists() || cached(&cache).await.is_empty());
    }

    #[tokio::test]
    async fn hashes_and_addresses_from_the_shop_are_checked_before_use() {
        let (cache, dir) = offline_cache(DEFAULT_CACHE_BYTES);
        let mut bad = attachment_for(b"x");
        bad.sha256 = "../../mirror.db".into();
        assert!(matches!(cache.get(&bad).await, Err(Error::Input(_))));
        let mut foreign = attachment_for(b"x");
        foreign.url = "https://elsewhere.example/media/up_1".into();
        assert!(matches!(cache.get(&foreign).await, Err(Error::Input(_))));
        foreign.url = "//elsewhere.example/media/up_1".into();
        assert!(matches!(cache.get(&foreign).await, Err(Error::Input(_))));
        assert_eq!(
            cache.shop_path("https://127.0.0.1:9/media/up_1").unwrap(),
            "/media/up_1"
        );

        // Local echoes resolve to the outgoing folder, and only inside it.
        std::fs::create_dir_all(dir.path().join(OUTGOING_DIR)).unwrap();
        std::fs::write(dir.path().join(OUTGOING_DIR).join("abc.jpg"), b"x").unwrap();
        let mut local = attachment_for(b"x");
        local.url = "local:abc.jpg".into();
        assert_eq!(
            cache.get(&local).await.unwrap(),
            dir.path().join(OUTGOING_DIR).join("abc.jpg")
        );
        local.url = "local:../mirror.db".into();
        assert!(matches!(cache.get(&local).await, Err(Error::Input(_))));
        local.url = "local:gone.jpg".into();
        assert!(matches!(cache.get(&local).await, Err(Error::NotFound(_))));
    }

    #[test]
    fn a_preview_is_what_would_be_sent_and_leaves_nothing_behind() {
        let dir = std::env::temp_dir().join(format!("preview-test-{:x}", rand::random::<u64>()));
        std::fs::create_dir(&dir).unwrap();
        let photo = dir.join("photo.png");
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(3000, 1500, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 40])
        }));
        std::fs::write(&photo, png_bytes(&image)).unwrap();
        let scratch = || {
            std::fs::read_dir(std::env::temp_dir())
                .unwrap()
                .filter_map(|e| e.ok())
                .filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .starts_with("inbox-preview-")
                })
                .count()
        };

        let shown = preview(&photo).unwrap();
        assert_eq!(shown.kind, MediaKind::Image);
        assert_eq!(
            (shown.width, shown.height),
            (Some(MAX_SENT_SIDE), Some(1024))
        );
        let (thumb, mime) = shown.thumbnail.expect("an image has a thumbnail");
        let small = image::load_from_memory(&thumb).unwrap();
        assert_eq!((small.width(), small.height()), (THUMBNAIL_SIDE, 160));
        assert!(mime == "image/jpeg" || mime == "image/png");
        assert_eq!(scratch(), 0, "the scratch folder is gone");

        std::fs::write(&photo, b"\x89PNG\r\n\x1a\n and nothing else").unwrap();
        let refused = preview(&photo).unwrap_err();
        assert_eq!(refused.code(), "corrupt_media");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_video_preview_checks_the_file_without_copying_it() {
        let dir = std::env::temp_dir().join(format!("preview-video-{:x}", rand::random::<u64>()));
        std::fs::create_dir(&dir).unwrap();
        let clip = dir.join("unboxing.mp4");
        let mut bytes = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2mp41".to_vec();
        bytes.resize(4096, 7);
        std::fs::write(&clip, &bytes).unwrap();
        let shown = preview(&clip).unwrap();
        assert_eq!(shown.kind, MediaKind::Video);
        assert_eq!((shown.size, shown.mime.as_str()), (4096, "video/mp4"));
        assert_eq!((shown.width, shown.thumbnail), (None, None));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_saved_reply_image_is_prepared_for_upload_and_a_video_refused() {
        let dir = tempfile::tempdir().unwrap();
        let photo = dir.path().join("linen.png");
        std::fs::write(&photo, png_bytes(&DynamicImage::new_rgb8(3000, 1500))).unwrap();
        let (bytes, mime) = prepare_image_for_upload(&photo).unwrap();
        let uploaded = image::load_from_memory(&bytes).unwrap();
        // Shrunk as a sent photo is, and nothing left beside the original.
        assert_eq!(
            (uploaded.width(), uploaded.height()),
            (MAX_SENT_SIDE, MAX_SENT_SIDE / 2)
        );
        assert!(mime.starts_with("image/"), "{mime}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

        let clip = dir.path().join("unboxing.mp4");
        let mut video = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2mp41".to_vec();
        video.resize(4096, 7);
        std::fs::write(&clip, &video).unwrap();
        let refused = prepare_image_for_upload(&clip).unwrap_err();
        assert_eq!(refused.code(), "unsupported_media");
    }
}
