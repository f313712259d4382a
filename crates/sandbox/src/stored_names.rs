//! File names as the real service stores them (`--rewrite-file-names`). Captured origins end in
//! `----.png` and `----%20-1-.png`: the stem replaced by dashes, the extension kept, and a
//! repeated name numbered like " (1)" with the brackets turned into dashes. The uploaded name is
//! therefore not a marker a client can find its upload by.

/// The stored name for `uploaded`, different from every name in `taken` (the image's files).
pub fn rewritten(uploaded: &str, taken: &[String]) -> String {
    let (stem, ext) = match uploaded.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (uploaded, String::new()),
    };
    let masked = "-".repeat(stem.chars().count().max(1));
    let mut name = format!("{masked}{ext}");
    let mut n = 1;
    while taken.contains(&name) {
        name = format!("{masked} -{n}-{ext}");
        n += 1;
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_masked_and_repeats_numbered_like_the_captured_ones() {
        assert_eq!(rewritten("logo.png", &[]), "----.png");
        let taken = vec!["----.png".to_owned()];
        assert_eq!(rewritten("abcd.png", &taken), "---- -1-.png");
        let taken = vec!["----.png".to_owned(), "---- -1-.png".to_owned()];
        assert_eq!(rewritten("wxyz.png", &taken), "---- -2-.png");
        assert_eq!(rewritten("Ünïcode name.jpeg", &[]), "------------.jpeg");
        assert_eq!(rewritten("README", &[]), "------");
    }
}
