//! The photo corpus: images as schools upload them (phone JPEGs, screenshots as PNG, greyscale,
//! with alpha, 16-bit) and hostile or broken ones (cut short, a pixel-bomb header, another format
//! under a photo's name, an SVG with script, empty). Each is either accepted with its true size
//! and prints in every format, or refused with the reason — never a panic or an unbounded
//! allocation.

use nianbao_report::document::{Image, PhotoError, Raster, RasterKind};

fn encode(image: image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

fn gradient(width: u32, height: u32) -> image::DynamicImage {
    image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    }))
}

/// A PNG whose header claims `width` × `height` pixels, with a valid CRC and no pixel data.
fn png_header_only(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let crc = crc32(&ihdr);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(&ihdr);
    out.extend_from_slice(&crc.to_be_bytes());
    // An IDAT that is far too short for the claimed size, then the end.
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(b"IDAT");
    out.extend_from_slice(&crc32(b"IDAT").to_be_bytes());
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[derive(Debug, PartialEq)]
enum Expected {
    Accepted(RasterKind, u32, u32),
    NotAnImage,
    TooLarge,
    Unreadable,
}

fn corpus() -> Vec<(&'static str, Vec<u8>, Expected)> {
    use Expected::*;
    let jpeg = encode(gradient(1200, 900), image::ImageFormat::Jpeg);
    let png = encode(gradient(640, 360), image::ImageFormat::Png);
    let gray = encode(image::DynamicImage::ImageLuma8(image::GrayImage::new(300, 500)), image::ImageFormat::Png);
    let alpha = encode(image::DynamicImage::ImageRgba8(image::RgbaImage::new(200, 100)), image::ImageFormat::Png);
    let deep = encode(image::DynamicImage::ImageRgb16(image::ImageBuffer::new(50, 40)), image::ImageFormat::Png);
    let gray_jpeg = encode(image::DynamicImage::ImageLuma8(image::GrayImage::new(320, 240)), image::ImageFormat::Jpeg);
    let mut with_trailer = jpeg.clone();
    with_trailer.extend_from_slice(b"\0\0thumbnail and maker notes after the image");
    vec![
        ("phone.jpg", jpeg.clone(), Accepted(RasterKind::Jpeg, 1200, 900)),
        ("screenshot.png", png.clone(), Accepted(RasterKind::Png, 640, 360)),
        ("grey.png", gray, Accepted(RasterKind::Png, 300, 500)),
        ("alpha.png", alpha, Accepted(RasterKind::Png, 200, 100)),
        ("sixteen-bit.png", deep, Accepted(RasterKind::Png, 50, 40)),
        ("grey.jpg", gray_jpeg, Accepted(RasterKind::Jpeg, 320, 240)),
        ("trailing-bytes.jpg", with_trailer, Accepted(RasterKind::Jpeg, 1200, 900)),
        ("cut-short.jpg", jpeg[..jpeg.len() / 3].to_vec(), Unreadable),
        ("cut-short.png", png[..png.len() / 2].to_vec(), Unreadable),
        ("header-only.png", png[..24].to_vec(), Unreadable),
        ("pixel-bomb.png", png_header_only(100_000, 100_000), TooLarge),
        ("zero-width.png", png_header_only(0, 10), Unreadable),
        ("claims-more-than-it-has.png", png_header_only(3000, 2000), Unreadable),
        ("gif-named-photo.jpg", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(), NotAnImage),
        ("script.svg", b"<svg onload=\"alert(1)\"></svg>".to_vec(), NotAnImage),
        ("empty.jpg", Vec::new(), NotAnImage),
        ("jpeg-magic-then-junk.jpg", [&[0xff, 0xd8, 0xff][..], &[0x42; 200][..]].concat(), Unreadable),
        ("bmp.png", [&b"BM"[..], &[0u8; 60][..]].concat(), NotAnImage),
    ]
}

#[test]
fn every_photo_of_the_corpus_is_accepted_with_its_size_or_refused_with_its_reason() {
    let mut failures = Vec::new();
    for (name, bytes, expected) in corpus() {
        let outcome = match Raster::check(bytes) {
            Ok(raster) => Expected::Accepted(raster.kind, raster.width_px, raster.height_px),
            Err(PhotoError::NotAnImage) => Expected::NotAnImage,
            Err(PhotoError::TooLarge { .. }) => Expected::TooLarge,
            Err(PhotoError::Unreadable(_)) => Expected::Unreadable,
        };
        if outcome != expected {
            failures.push(format!("{name}: expected {expected:?}, got {outcome:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn an_accepted_photo_keeps_its_aspect_and_converts_for_word() {
    for (name, bytes, expected) in corpus() {
        let Expected::Accepted(..) = expected else { continue };
        let raster = Raster::check(bytes).expect(name);
        let (w, h) = (raster.width_px, raster.height_px);
        let png = raster.to_png().expect(name);
        assert!(png.starts_with(b"\x89PNG"), "{name}: Word gets a PNG");
        let image = Image::photo(raster, name.into(), 120);
        assert!(image.width_mm <= 120 && image.height_mm <= 100, "{name}: printed within the page");
        // The printed aspect is the photo's, within a millimetre of rounding.
        let printed = f64::from(image.width_mm) / f64::from(image.height_mm);
        let actual = f64::from(w) / f64::from(h);
        assert!((printed - actual).abs() / actual < 0.05, "{name}: printed {printed:.2}, photo {actual:.2}");
    }
}

/// Photos with bytes flipped or cut anywhere (as a broken transfer leaves them) are checked
/// without a panic, and whatever is accepted converts for Word.
#[test]
fn mutated_photos_never_panic() {
    let originals =
        [encode(gradient(96, 64), image::ImageFormat::Jpeg), encode(gradient(96, 64), image::ImageFormat::Png)];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut accepted = 0;
    for original in &originals {
        for _ in 0..400 {
            let mut bytes = original.clone();
            for _ in 0..(next() % 6 + 1) {
                let at = (next() as usize) % bytes.len();
                bytes[at] = next() as u8;
            }
            if next() % 4 == 0 {
                bytes.truncate((next() as usize) % bytes.len());
            }
            if let Ok(raster) = Raster::check(bytes) {
                accepted += 1;
                raster.to_png().expect("an accepted photo converts");
            }
        }
    }
    // Some mutants still decode (a flipped bit in pixel data): the check is not "refuse all".
    assert!(accepted > 0, "no mutant was accepted");
}
