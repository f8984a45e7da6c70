//! Uploaded images and videos: checked before anything is stored, then kept on disk by their
//! SHA-256 and served by an unguessable id.
//!
//! Images are really decoded, with bounded dimensions and memory, so a corrupt file or a
//! decompression bomb is refused with a clear error instead of reaching a customer.

use std::io::Cursor;
use std::path::Path;

use axum::http::StatusCode;
use image::{ImageFormat, ImageReader, Limits};
use inbox_protocol::*;

use crate::error::{Error, Result};

/// What an accepted upload is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub kind: MediaKind,
    pub mime: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

fn too_large(detail: String) -> Error {
    Error::problem(
        StatusCode::PAYLOAD_TOO_LARGE,
        ProblemCode::AttachmentTooLarge,
        detail,
    )
}

fn mb(bytes: usize) -> usize {
    bytes / (1024 * 1024)
}

/// The largest body worth reading for a declared content type, or why it is refused outright.
pub fn size_limit(mime: &str) -> Result<usize> {
    if IMAGE_TYPES.contains(&mime) {
        Ok(MAX_IMAGE_BYTES)
    } else if VIDEO_TYPES.contains(&mime) {
        Ok(MAX_VIDEO_BYTES)
    } else {
        Err(Error::problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemCode::UnsupportedMedia,
            format!(
                "{} files can't be sent; send a JPEG, PNG, GIF or WebP image, or an MP4, MOV or \
                 WebM video",
                if mime.is_empty() { "these" } else { mime }
            ),
        ))
    }
}

pub fn too_large_for(mime: &str, limit: usize) -> Error {
    let what = if mime.starts_with("video/") {
        "videos"
    } else {
        "images"
    };
    too_large(format!(
        "the file is too large; {what} can be up to {} MB",
        mb(limit)
    ))
}

/// Checks an upload's bytes against its declared type.
pub fn check(mime: &str, bytes: &[u8]) -> Result<Checked> {
    let limit = size_limit(mime)?;
    if bytes.len() > limit {
        return Err(too_large_for(mime, limit));
    }
    if bytes.is_empty() {
        return Err(corrupt("the file is empty"));
    }
    if IMAGE_TYPES.contains(&mime) {
        check_image(mime, bytes)
    } else {
        check_video(mime, bytes)
    }
}

fn corrupt(detail: &str) -> Error {
    Error::unprocessable(ProblemCode::CorruptMedia, detail.to_owned())
}

fn check_image(mime: &str, bytes: &[u8]) -> Result<Checked> {
    let format = image::guess_format(bytes)
        .map_err(|_| corrupt("the image is damaged or not an image; choose another file"))?;
    let expected = match mime {
        "image/jpeg" => ImageFormat::Jpeg,
        "image/png" => ImageFormat::Png,
        "image/gif" => ImageFormat::Gif,
        _ => ImageFormat::WebP,
    };
    if format != expected {
        return Err(corrupt(
            "the file's contents don't match its type; choose another file",
        ));
    }
    // The header alone says how big the picture claims to be; refuse bombs before decoding.
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|_| corrupt("the image is damaged and can't be read; choose another file"))?;
    if width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
        return Err(too_large(format!(
            "the image is {width}×{height} pixels; images can be up to {MAX_IMAGE_SIDE} pixels on a side"
        )));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => too_large(format!(
            "the image is {width}×{height} pixels, too large to open; make it smaller"
        )),
        _ => corrupt("the image is damaged and can't be read; choose another file"),
    })?;
    Ok(Checked {
        kind: MediaKind::Image,
        mime: mime.to_owned(),
        width: Some(width),
        height: Some(height),
    })
}

fn check_video(mime: &str, bytes: &[u8]) -> Result<Checked> {
    let iso_bmff = bytes.len() >= 12 && &bytes[4..8] == b"ftyp";
    let matroska = bytes.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]);
    let ok = match mime {
        "video/webm" => matroska,
        _ => iso_bmff,
    };
    if !ok {
        return Err(corrupt(
            "the video is damaged or not a video of its type; choose another file",
        ));
    }
    Ok(Checked {
        kind: MediaKind::Video,
        mime: mime.to_owned(),
        width: None,
        height: None,
    })
}

/// Writes the bytes under their hash (once) and returns that hash. The file appears whole or
/// not at all: it is written under a random temporary name, synced, then renamed, so two
/// uploads of the same bytes at once can't see each other's half-written file.
pub fn store(dir: &Path, bytes: &[u8]) -> Result<String> {
    use std::io::Write;
    let sha = crate::auth::sha256_hex(bytes);
    let path = dir.join(&sha);
    if !path.exists() {
        crate::private_dir(dir)?;
        let tmp = dir.join(format!(".{sha}.{:016x}.tmp", rand::random::<u64>()));
        let written = (|| {
            let mut file = std::fs::File::create_new(&tmp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            std::fs::rename(&tmp, &path)
        })();
        if let Err(error) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(error.into());
        }
    }
    Ok(sha)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(width, height, image::Rgb([200, 100, 50]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
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

    fn code(err: Error) -> ProblemCode {
        err.to_problem().code
    }

    #[test]
    fn a_real_png_is_accepted_with_its_size() {
        let checked = check("image/png", &png(64, 32)).unwrap();
        assert_eq!((checked.width, checked.height), (Some(64), Some(32)));
    }

    #[test]
    fn corrupt_truncated_and_mislabelled_images_are_refused() {
        assert_eq!(
            code(check("image/png", b"not a png at all").unwrap_err()),
            ProblemCode::CorruptMedia
        );
        let mut truncated = png(64, 64);
        truncated.truncate(truncated.len() / 2);
        assert_eq!(
            code(check("image/png", &truncated).unwrap_err()),
            ProblemCode::CorruptMedia
        );
        assert_eq!(
            code(check("image/jpeg", &png(8, 8)).unwrap_err()),
            ProblemCode::CorruptMedia
        );
    }

    #[test]
    fn a_decompression_bomb_is_refused_before_decoding() {
        // A valid PNG header claiming 20000×20000 pixels, with almost no data.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        let err = check("image/png", &bomb).unwrap_err();
        assert_eq!(code(err), ProblemCode::AttachmentTooLarge);
    }

    #[test]
    fn unsupported_types_and_oversize_files_are_refused() {
        assert_eq!(
            code(check("application/pdf", b"%PDF-1.7").unwrap_err()),
            ProblemCode::UnsupportedMedia
        );
        let big = vec![0u8; MAX_IMAGE_BYTES + 1];
        assert_eq!(
            code(check("image/png", &big).unwrap_err()),
            ProblemCode::AttachmentTooLarge
        );
        assert_eq!(
            code(check("video/mp4", b"not a video file").unwrap_err()),
            ProblemCode::CorruptMedia
        );
        let mut mp4 = vec![0, 0, 0, 24];
        mp4.extend_from_slice(b"ftypisom");
        mp4.extend_from_slice(&[0; 64]);
        assert_eq!(check("video/mp4", &mp4).unwrap().kind, MediaKind::Video);
    }
}
