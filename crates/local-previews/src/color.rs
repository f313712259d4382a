//! Colour conversions to sRGB for pixels the webview cannot show as they are.
//!
//! These are the device-independent textbook formulas, not ICC transforms: embedded profiles
//! are not applied, so a preview's colours are close, not proof-accurate (it is a preview).

/// CMYK with 0 = no ink and 255 = full ink (TIFF's convention) to RGB.
pub(crate) fn cmyk_to_rgb(c: u8, m: u8, y: u8, k: u8) -> [u8; 3] {
    let white = 255 - u32::from(k);
    let channel = |ink: u8| ((255 - u32::from(ink)) * white / 255) as u8;
    [channel(c), channel(m), channel(y)]
}

/// CIE L*a*b* (D50, as PSD and TIFF store it) to sRGB. `l` is 0..=100, `a` and `b` about
/// -128..=127.
pub(crate) fn lab_to_rgb(l: f32, a: f32, b: f32) -> [u8; 3] {
    let fy = (l + 16.0) / 116.0;
    let fx = fy + a / 500.0;
    let fz = fy - b / 200.0;
    let finv = |t: f32| {
        if t > 6.0 / 29.0 {
            t * t * t
        } else {
            3.0 * (6.0f32 / 29.0).powi(2) * (t - 4.0 / 29.0)
        }
    };
    // D50 white point.
    let (x, y, z) = (0.9642 * finv(fx), finv(fy), 0.8249 * finv(fz));
    // XYZ (D50) to linear sRGB, Bradford-adapted to D65.
    let r = 3.1339 * x - 1.6169 * y - 0.4906 * z;
    let g = -0.9788 * x + 1.9161 * y + 0.0335 * z;
    let bl = 0.0719 * x - 0.2290 * y + 1.4052 * z;
    [encode_srgb(r), encode_srgb(g), encode_srgb(bl)]
}

/// JPEG/TIFF full-range YCbCr (ITU-R BT.601) to RGB.
pub(crate) fn ycbcr_to_rgb(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    let (y, cb, cr) = (f32::from(y), f32::from(cb) - 128.0, f32::from(cr) - 128.0);
    let clamp = |v: f32| v.round().clamp(0.0, 255.0) as u8;
    [
        clamp(y + 1.402 * cr),
        clamp(y - 0.344_136 * cb - 0.714_136 * cr),
        clamp(y + 1.772 * cb),
    ]
}

fn encode_srgb(linear: f32) -> u8 {
    let v = linear.clamp(0.0, 1.0);
    let v = if v <= 0.003_130_8 {
        12.92 * v
    } else {
        1.055 * v.powf(1.0 / 2.4) - 0.055
    };
    (v * 255.0).round() as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_magenta_and_yellow_ink_is_red() {
        assert_eq!(cmyk_to_rgb(0, 255, 255, 0), [255, 0, 0]);
        assert_eq!(cmyk_to_rgb(0, 0, 0, 255), [0, 0, 0]);
        assert_eq!(cmyk_to_rgb(0, 0, 0, 0), [255, 255, 255]);
    }

    #[test]
    fn lab_white_black_and_red() {
        assert_eq!(lab_to_rgb(100.0, 0.0, 0.0), [255, 255, 255]);
        assert_eq!(lab_to_rgb(0.0, 0.0, 0.0), [0, 0, 0]);
        // sRGB red is about L 54, a 81, b 70 in D50 Lab.
        let [r, g, b] = lab_to_rgb(54.3, 80.8, 69.9);
        assert!(r > 240 && g < 20 && b < 20, "{r} {g} {b}");
    }

    #[test]
    fn ycbcr_grey_and_red() {
        assert_eq!(ycbcr_to_rgb(128, 128, 128), [128, 128, 128]);
        let [r, g, b] = ycbcr_to_rgb(76, 85, 255);
        assert!(r > 250 && g < 5 && b < 5, "{r} {g} {b}");
    }
}
