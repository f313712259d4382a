//! The demo tenant's color library, the choices of ColorDropDown fields. A ColorDropDown value
//! is the library's whole color object (beproduct-api.md §9: `hex`, `rgb_*`, `cmyk_*`, ...).

use serde_json::{json, Value};

pub struct Color {
    pub id: &'static str,
    pub number: &'static str,
    pub name: &'static str,
    /// Six hex digits, no `#`.
    pub hex: &'static str,
}

pub const PALETTE: &[Color] = &[
    Color {
        id: "95352a0d-a779-43df-a5bf-f20ac87e33da",
        number: "18-1662 TCX",
        name: "Flame Scarlet",
        hex: "CD212A",
    },
    Color {
        id: "cf08eac7-3212-4140-8d11-898e3c107066",
        number: "19-4052 TCX",
        name: "Classic Blue",
        hex: "0F4C81",
    },
    Color {
        id: "89205d24-2363-479e-bbb4-d5d669d54b3a",
        number: "15-0343 TCX",
        name: "Greenery",
        hex: "88B04B",
    },
    Color {
        id: "66d68c02-ac7a-4950-b752-2a9b215dcffb",
        number: "13-0647 TCX",
        name: "Illuminating",
        hex: "F5DF4D",
    },
    Color {
        id: "2e1e42c2-da6a-41d0-87e8-8ab09d168d09",
        number: "16-1546 TCX",
        name: "Living Coral",
        hex: "FF6F61",
    },
    Color {
        id: "f1324dff-3a2f-4cec-be1a-c2a679ee3be1",
        number: "19-3938 TCX",
        name: "Very Peri",
        hex: "6667AB",
    },
    Color {
        id: "d95856c4-b7ff-4628-a085-74b256d4eb52",
        number: "11-0601 TCX",
        name: "Bright White",
        hex: "F4F5F0",
    },
    Color {
        id: "fdd04985-dac8-4a6c-ab0f-874a98cb7eff",
        number: "19-4005 TCX",
        name: "Jet Black",
        hex: "2D2C2F",
    },
];

impl Color {
    fn rgb(&self) -> [u8; 3] {
        let channel = |i: usize| u8::from_str_radix(&self.hex[i..i + 2], 16).unwrap_or(0);
        [channel(0), channel(2), channel(4)]
    }

    /// The stored and served value of a ColorDropDown set to this color.
    pub fn field_value(&self) -> Value {
        let [r, g, b] = self.rgb();
        let (rf, gf, bf) = (r as f64 / 255.0, g as f64 / 255.0, b as f64 / 255.0);
        let k = 1.0 - rf.max(gf).max(bf);
        let part = |c: f64| {
            if k >= 1.0 {
                0.0
            } else {
                ((1.0 - c - k) / (1.0 - k) * 100.0).round()
            }
        };
        json!({
            "id": self.id,
            "color_number": self.number,
            "color_name": self.name,
            "hex": self.hex,
            "rgb_r": r, "rgb_g": g, "rgb_b": b,
            "cmyk_c": part(rf), "cmyk_m": part(gf), "cmyk_y": part(bf),
            "cmyk_k": (k * 100.0).round(),
        })
    }
}

/// A color by id, number, name or hex (with or without `#`), case-insensitive.
pub fn find_color(wanted: &str) -> Option<&'static Color> {
    let w = wanted.trim().trim_start_matches('#');
    PALETTE.iter().find(|c| {
        c.id.eq_ignore_ascii_case(w)
            || c.number.eq_ignore_ascii_case(w)
            || c.name.eq_ignore_ascii_case(w)
            || c.hex.eq_ignore_ascii_case(w)
    })
}
