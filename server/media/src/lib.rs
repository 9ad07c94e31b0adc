//! Pictures staff upload for messages, checked the way LINE will check
//! them (JPEG or PNG, original ≤ 10 MB, preview ≤ 1 MB) before anything is
//! stored, and given a smaller preview when the original is too big to be
//! its own.

use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use model::line_limits::{image_content_type, image_size, IMAGE_ORIGINAL_MAX_BYTES, IMAGE_PREVIEW_MAX_BYTES};
use std::io::Cursor;

/// Larger than any phone camera takes; bigger ones are refused before they
/// are decoded, so a crafted file cannot make the server allocate gigabytes.
pub const MAX_SIDE: u32 = 10_000;
/// At most this many pixels (40 MP; a phone camera takes 12–50): a small
/// PNG can declare a huge picture, and decoding it takes 4 bytes a pixel.
pub const MAX_PIXELS: u64 = 40_000_000;
/// Decodes running at once in this process. Each may hold up to
/// `MAX_PIXELS` × 4 bytes, so a burst of uploads waits its turn instead of
/// taking the server's memory.
pub const MAX_PARALLEL_DECODES: usize = 2;
/// The longest side of a generated preview.
const PREVIEW_SIDE: u32 = 1024;

/// A counting gate for decodes (the callers are blocking threads).
struct DecodeGate {
    running: std::sync::Mutex<usize>,
    freed: std::sync::Condvar,
    #[cfg(test)]
    peak: std::sync::atomic::AtomicUsize,
}

static DECODES: DecodeGate = DecodeGate {
    running: std::sync::Mutex::new(0),
    freed: std::sync::Condvar::new(),
    #[cfg(test)]
    peak: std::sync::atomic::AtomicUsize::new(0),
};

struct DecodeTurn;

impl DecodeGate {
    fn enter(&'static self) -> DecodeTurn {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        while *running >= MAX_PARALLEL_DECODES {
            running = self.freed.wait(running).unwrap_or_else(|e| e.into_inner());
        }
        *running += 1;
        #[cfg(test)]
        self.peak.fetch_max(*running, std::sync::atomic::Ordering::SeqCst);
        DecodeTurn
    }
}

impl Drop for DecodeTurn {
    fn drop(&mut self) {
        let mut running = DECODES.running.lock().unwrap_or_else(|e| e.into_inner());
        *running -= 1;
        DECODES.freed.notify_one();
    }
}

/// A picture ready to store.
#[derive(Debug)]
pub struct Picture {
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
    /// A JPEG preview; `None` when the original is small enough to be its
    /// own preview.
    pub preview: Option<Vec<u8>>,
}

/// Why a file cannot go out as a LINE image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    Empty,
    /// Not a JPEG or PNG (GIF, HEIC, PDF…).
    NotJpegOrPng,
    /// Over LINE's 10 MB.
    TooLarge {
        bytes: usize,
    },
    /// Wider or taller than `MAX_SIDE`, or more than `MAX_PIXELS` in all.
    TooManyPixels {
        width: u32,
        height: u32,
    },
    /// Says JPEG/PNG but cannot be read (cut short, damaged).
    Damaged,
}

impl Refusal {
    /// The code the product's error catalogue knows.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Empty => "image_empty",
            Refusal::NotJpegOrPng => "image_type",
            Refusal::TooLarge { .. } => "image_too_large",
            Refusal::TooManyPixels { .. } => "image_too_many_pixels",
            Refusal::Damaged => "image_damaged",
        }
    }
}

/// Checks an upload and makes its preview.
pub fn prepare(bytes: &[u8]) -> Result<Picture, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    let content_type = image_content_type(bytes).ok_or(Refusal::NotJpegOrPng)?;
    if bytes.len() > IMAGE_ORIGINAL_MAX_BYTES {
        return Err(Refusal::TooLarge { bytes: bytes.len() });
    }
    let (width, height) = image_size(bytes).ok_or(Refusal::Damaged)?;
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Refusal::TooManyPixels { width, height });
    }
    // Decoding the whole file proves it is not cut short or damaged, which
    // the header alone cannot: LINE would show a broken picture.
    let _turn = DECODES.enter();
    let picture = decode(bytes, content_type)?;
    let preview = if bytes.len() <= IMAGE_PREVIEW_MAX_BYTES {
        None
    } else {
        Some(preview_of(&picture))
    };
    Ok(Picture {
        content_type,
        width,
        height,
        preview,
    })
}

fn decode(bytes: &[u8], content_type: &str) -> Result<DynamicImage, Refusal> {
    let format = if content_type == "image/png" {
        ImageFormat::Png
    } else {
        ImageFormat::Jpeg
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    // The decoded picture (4 bytes a pixel) and a little working room.
    limits.max_alloc = Some(MAX_PIXELS * 4 + 32 * 1024 * 1024);
    reader.limits(limits);
    reader.decode().map_err(|_| Refusal::Damaged)
}

/// A JPEG of at most `PREVIEW_SIDE` on its longest side, transparent parts
/// on white (as LINE's chat shows them), made smaller until it fits 1 MB.
fn preview_of(picture: &DynamicImage) -> Vec<u8> {
    let mut side = PREVIEW_SIDE;
    loop {
        let small = picture.thumbnail(side, side).to_rgba8();
        let mut rgb = image::RgbImage::new(small.width(), small.height());
        for (to, from) in rgb.pixels_mut().zip(small.pixels()) {
            let a = u16::from(from[3]);
            for c in 0..3 {
                to[c] = ((u16::from(from[c]) * a + 255 * (255 - a)) / 255) as u8;
            }
        }
        let mut out = Vec::new();
        let encoded = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80).encode_image(&rgb);
        if encoded.is_ok() && (out.len() <= IMAGE_PREVIEW_MAX_BYTES || side <= 128) {
            return out;
        }
        side /= 2;
    }
}

/// A PNG of `width` × `height` in `background`, with coloured rectangles
/// (x, y, width, height, colour) drawn over it: the pictures of the demo's
/// rich menu, made without fonts or files.
pub fn tiles_png(width: u32, height: u32, background: [u8; 3], tiles: &[(u32, u32, u32, u32, [u8; 3])]) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        let colour = tiles
            .iter()
            .find(|(tx, ty, tw, th, _)| x >= *tx && x < tx + tw && y >= *ty && y < ty + th)
            .map_or(background, |t| t.4);
        image::Rgb(colour)
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .expect("a PNG is written to memory");
    out
}

/// A QR code as a black-on-white PNG: `dark` holds `width` × `width`
/// modules row by row, each drawn `scale` pixels square inside the quiet
/// zone of four modules the standard asks for.
pub fn qr_png(dark: &[bool], width: usize, scale: u32) -> Vec<u8> {
    const QUIET: u32 = 4;
    let modules = width as u32;
    let side = (modules + 2 * QUIET) * scale;
    let img = image::GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x / scale, y / scale);
        let inside = mx >= QUIET && my >= QUIET && mx < QUIET + modules && my < QUIET + modules;
        let is_dark = inside && dark.get(((my - QUIET) * modules + (mx - QUIET)) as usize).copied().unwrap_or(false);
        image::Luma([if is_dark { 0 } else { 255 }])
    });
    let mut out = Vec::new();
    DynamicImage::ImageLuma8(img)
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .expect("a PNG is written to memory");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32, noisy: bool) -> Vec<u8> {
        let mut seed = 7u32;
        let img = image::RgbaImage::from_fn(width, height, |x, y| {
            if noisy {
                // Noise does not compress: a big file from a modest picture.
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let b = seed.to_be_bytes();
                image::Rgba([b[0], b[1], b[2], 255])
            } else {
                image::Rgba([(x % 256) as u8, (y % 256) as u8, 80, 255])
            }
        });
        let mut out = Vec::new();
        DynamicImage::ImageRgba8(img)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn a_small_png_is_its_own_preview() {
        let p = prepare(&png(640, 480, false)).unwrap();
        assert_eq!((p.content_type, p.width, p.height), ("image/png", 640, 480));
        assert!(p.preview.is_none());
    }

    #[test]
    fn a_big_picture_gets_a_preview_under_one_megabyte() {
        let big = png(1200, 1000, true);
        assert!(big.len() > IMAGE_PREVIEW_MAX_BYTES, "{}", big.len());
        let p = prepare(&big).unwrap();
        let preview = p.preview.expect("a preview");
        assert!(preview.len() <= IMAGE_PREVIEW_MAX_BYTES, "{}", preview.len());
        assert_eq!(image_content_type(&preview), Some("image/jpeg"));
        let (w, h) = image_size(&preview).unwrap();
        assert!(w <= PREVIEW_SIDE && h <= PREVIEW_SIDE && w > h, "{w}×{h}");
    }

    #[test]
    fn refusals() {
        assert_eq!(prepare(b"").unwrap_err(), Refusal::Empty);
        assert_eq!(prepare(b"GIF89a\x01\x00\x01\x00").unwrap_err(), Refusal::NotJpegOrPng);
        let good = png(64, 64, false);
        assert_eq!(prepare(&good[..good.len() / 2]).unwrap_err(), Refusal::Damaged, "cut short");
        let mut huge = good.clone();
        huge.resize(IMAGE_ORIGINAL_MAX_BYTES + 1, 0);
        assert_eq!(
            prepare(&huge).unwrap_err(),
            Refusal::TooLarge {
                bytes: IMAGE_ORIGINAL_MAX_BYTES + 1
            }
        );
        // 9,000 × 9,000 has no side over the limit, but 81 MP in all.
        let mut square = good.clone();
        square[16..20].copy_from_slice(&9_000u32.to_be_bytes());
        square[20..24].copy_from_slice(&9_000u32.to_be_bytes());
        assert_eq!(
            prepare(&square).unwrap_err(),
            Refusal::TooManyPixels {
                width: 9_000,
                height: 9_000
            }
        );
        // A header claiming 20,000 × 20,000 is refused before decoding.
        let mut wide = good.clone();
        wide[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        wide[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        assert_eq!(
            prepare(&wide).unwrap_err(),
            Refusal::TooManyPixels {
                width: 20_000,
                height: 20_000
            }
        );
    }

    #[test]
    fn parallel_uploads_take_turns_to_decode() {
        let big = std::sync::Arc::new(png(1200, 1000, true));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let big = big.clone();
                std::thread::spawn(move || prepare(&big).map(|p| p.width))
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap(), Ok(1200));
        }
        let peak = DECODES.peak.load(std::sync::atomic::Ordering::SeqCst);
        assert!((1..=MAX_PARALLEL_DECODES).contains(&peak), "{peak} decodes ran at once");
    }
}
