//! The demo shop's product images, compiled into the binary so the server serves them from
//! `/assets/products/{file}` with no files on disk.
//!
//! The table is the only list of images: `products.image` names one of its files. It must
//! never read the file system or accept a path; a name not in the table is simply not found.

/// One embedded image: its file name (as stored in `products.image`), bytes and media type.
struct ProductImage {
    file: &'static str,
    bytes: &'static [u8],
    mime: &'static str,
}

macro_rules! png {
    ($file:literal) => {
        ProductImage {
            file: $file,
            bytes: include_bytes!(concat!("../../../assets/products/", $file)),
            mime: "image/png",
        }
    };
}

const PRODUCT_IMAGES: &[ProductImage] = &[
    png!("beanie.png"),
    png!("bottle.png"),
    png!("bowl.png"),
    png!("candle.png"),
    png!("mug.png"),
    png!("soap.png"),
    png!("socks.png"),
    png!("sweater.png"),
    png!("tee.png"),
    png!("throw.png"),
    png!("tote.png"),
    png!("towel.png"),
    png!("vase.png"),
];

/// The bytes and media type of a product image, by its file name.
pub fn product_image(file: &str) -> Option<(&'static [u8], &'static str)> {
    PRODUCT_IMAGES
        .iter()
        .find(|image| image.file == file)
        .map(|image| (image.bytes, image.mime))
}

/// Every embedded file name, for the demo data and for tests.
pub fn product_image_files() -> impl Iterator<Item = &'static str> {
    PRODUCT_IMAGES.iter().map(|image| image.file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_image_is_a_small_png_and_unknown_names_are_not_found() {
        let mut count = 0;
        for file in product_image_files() {
            let (bytes, mime) = product_image(file).expect("listed files are found");
            assert_eq!(mime, "image/png");
            assert!(
                bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
                "{file} is not a PNG"
            );
            assert!(bytes.len() < 15 * 1024, "{file} is {} bytes", bytes.len());
            let decoded = image::load_from_memory(bytes).expect("the image decodes");
            assert_eq!((decoded.width(), decoded.height()), (320, 320), "{file}");
            count += 1;
        }
        assert!(count >= 12);
        assert_eq!(product_image("../Cargo.toml"), None);
        assert_eq!(product_image("TEE.PNG"), None);
    }
}
