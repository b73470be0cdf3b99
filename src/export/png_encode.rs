//! PNG encoding of an opaque figure through the `png` crate: RGB rows, adaptive filters and
//! strong compression.
//!
//! The renderer's own encoder favours speed over size and writes a 12-lead page at 150 dpi as
//! ~6 MB. ECG paper is mostly rows identical to an earlier row, which filtering turns into
//! zeros and deflate into long matches: a fraction of that size.

use crate::error::{Error, Result};

/// A PNG file of `width` × `height` RGB pixels taken from premultiplied RGBA `rgba` (opaque),
/// with the density `pixels_per_metre` recorded.
pub(crate) fn encode_rgb_png(
    rgba: &[u8],
    width: u32,
    height: u32,
    pixels_per_metre: u32,
) -> Result<Vec<u8>> {
    let rgb: Vec<u8> = rgba
        .chunks_exact(4)
        .flat_map(|px| [px[0], px[1], px[2]])
        .collect();
    let fail = |e: png::EncodingError| Error::Invalid(format!("PNG encoding: {e}"));
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Best);
    encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
    encoder.set_pixel_dims(Some(png::PixelDimensions {
        xppu: pixels_per_metre,
        yppu: pixels_per_metre,
        unit: png::Unit::Meter,
    }));
    let mut writer = encoder.write_header().map_err(fail)?;
    writer.write_image_data(&rgb).map_err(fail)?;
    writer.finish().map_err(fail)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> (png::OutputInfo, Vec<u8>, Option<png::PixelDimensions>) {
        let mut reader = png::Decoder::new(bytes).read_info().unwrap();
        let dims = reader.info().pixel_dims;
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        (info, buf, dims)
    }

    #[test]
    fn round_trips_through_a_png_decoder() {
        let (w, h) = (97u32, 61u32);
        let mut rgba = Vec::new();
        for y in 0..h {
            for x in 0..w {
                // Runs, repeats and noise, so literals, short and long matches all occur.
                let noise = ((x * 7919 + y * 104_729) % 251) as u8;
                let v = if y.is_multiple_of(10) {
                    noise
                } else {
                    (x / 5 * 40) as u8
                };
                rgba.extend_from_slice(&[v, v.wrapping_add(3), 255 - v, 255]);
            }
        }
        let png = encode_rgb_png(&rgba, w, h, 5906).unwrap();
        let (info, pixels, dims) = decode(&png);
        assert_eq!((info.width, info.height), (w, h));
        assert_eq!(info.color_type, png::ColorType::Rgb);
        assert_eq!(dims.unwrap().xppu, 5906);
        let want: Vec<u8> = rgba.chunks_exact(4).flat_map(|p| p[..3].to_vec()).collect();
        assert_eq!(pixels, want);
    }
}
