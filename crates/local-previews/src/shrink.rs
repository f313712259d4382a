//! Shrinking while reading: rows go in one at a time and are averaged straight into the
//! preview, so a 30,000-pixel-tall file never has to be held whole.

use image::{DynamicImage, RgbImage};

/// The size that fits `w × h` within `max_side` on its longest side, keeping the aspect ratio
/// (never enlarging, never collapsing a side to zero).
pub(crate) fn fit_within(w: u32, h: u32, max_side: u32) -> (u32, u32) {
    let long = w.max(h);
    if long <= max_side {
        return (w, h);
    }
    let scale = |side: u32| {
        let scaled =
            (u64::from(side) * u64::from(max_side) + u64::from(long) / 2) / u64::from(long);
        (scaled as u32).clamp(1, max_side)
    };
    (scale(w), scale(h))
}

/// A box filter fed row by row with 8-bit RGB rows of the source. Each source pixel adds to
/// exactly one output pixel; an output pixel is the mean of the source pixels that land in it.
pub(crate) struct RowShrinker {
    src_h: u32,
    out_w: u32,
    out_h: u32,
    /// Output column of each source column.
    column: Vec<u32>,
    /// Sums for the output row being filled, 3 per output pixel.
    sums: Vec<u32>,
    /// Source pixels summed into each output pixel of that row.
    counts: Vec<u32>,
    out_row: u32,
    rows_in: u32,
    out: Vec<u8>,
}

impl RowShrinker {
    pub fn new(src_w: u32, src_h: u32, max_side: u32) -> Self {
        let (out_w, out_h) = fit_within(src_w, src_h, max_side);
        let column = (0..src_w)
            .map(|x| (u64::from(x) * u64::from(out_w) / u64::from(src_w)) as u32)
            .collect();
        RowShrinker {
            src_h,
            out_w,
            out_h,
            column,
            sums: vec![0; out_w as usize * 3],
            counts: vec![0; out_w as usize],
            out_row: 0,
            rows_in: 0,
            out: Vec::with_capacity(out_w as usize * out_h as usize * 3),
        }
    }

    /// Adds the next source row (`src_w * 3` bytes of RGB). Rows past the image's height are
    /// ignored rather than trusted.
    pub fn push_row(&mut self, rgb: &[u8]) {
        if self.rows_in >= self.src_h {
            return;
        }
        let target =
            (u64::from(self.rows_in) * u64::from(self.out_h) / u64::from(self.src_h)) as u32;
        while self.out_row < target {
            self.flush_row();
        }
        for (x, px) in rgb.chunks_exact(3).enumerate().take(self.column.len()) {
            let ox = self.column[x] as usize;
            self.sums[ox * 3] += u32::from(px[0]);
            self.sums[ox * 3 + 1] += u32::from(px[1]);
            self.sums[ox * 3 + 2] += u32::from(px[2]);
            self.counts[ox] += 1;
        }
        self.rows_in += 1;
    }

    /// Writes the output row being summed and starts the next one.
    fn flush_row(&mut self) {
        for (sum, &count) in self.sums.chunks_exact_mut(3).zip(&self.counts) {
            let n = count.max(1);
            for s in sum.iter_mut() {
                self.out.push(((*s + n / 2) / n) as u8);
                *s = 0;
            }
        }
        self.counts.iter_mut().for_each(|c| *c = 0);
        self.out_row += 1;
    }

    pub fn finish(mut self) -> DynamicImage {
        while self.out_row < self.out_h {
            self.flush_row();
        }
        let image = RgbImage::from_raw(self.out_w, self.out_h, self.out)
            .expect("the shrinker writes exactly out_w * out_h pixels");
        DynamicImage::ImageRgb8(image)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_the_longest_side_and_keeps_the_aspect_ratio() {
        assert_eq!(fit_within(6000, 3000, 512), (512, 256));
        assert_eq!(fit_within(3000, 6000, 512), (256, 512));
        assert_eq!(fit_within(100, 50, 512), (100, 50));
        assert_eq!(fit_within(100_000, 1, 100), (100, 1));
    }

    #[test]
    fn averages_blocks_of_rows_and_columns() {
        // 4×4: left half black, right half white → 2×2: one black column, one white.
        let mut s = RowShrinker::new(4, 4, 2);
        let row = [0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255];
        for _ in 0..4 {
            s.push_row(&row);
        }
        let out = s.finish().into_rgb8();
        assert_eq!(out.dimensions(), (2, 2));
        assert_eq!(out.get_pixel(0, 1).0, [0, 0, 0]);
        assert_eq!(out.get_pixel(1, 1).0, [255, 255, 255]);
    }

    #[test]
    fn a_short_source_still_fills_every_output_row() {
        let mut s = RowShrinker::new(2, 4, 4);
        s.push_row(&[9; 6]);
        let out = s.finish().into_rgb8();
        assert_eq!(out.dimensions(), (2, 4));
        assert_eq!(out.get_pixel(1, 0).0, [9, 9, 9]);
    }
}
