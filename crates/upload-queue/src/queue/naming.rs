//! Names derived from what the user dropped: the file name shown, and the image number
//! (`<stem>`, or `<stem>-<8 chars of job id>` when the stem is taken).

use crate::job::Source;

/// "front print" from "front print.png"; "image" when nothing is left.
pub(crate) fn stem_of(file_name: &str) -> String {
    let stem = std::path::Path::new(file_name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let collapsed = stem.split_whitespace().collect::<Vec<_>>().join(" ");
    let trimmed: String = collapsed.chars().take(60).collect();
    if trimmed.is_empty() {
        "image".into()
    } else {
        trimmed
    }
}

pub(crate) fn suffixed_number(stem: &str, job_id: &str) -> String {
    format!("{stem}-{}", &job_id[..8.min(job_id.len())])
}

pub(crate) fn file_name_of(source: &Source) -> String {
    match source {
        Source::Path { path } => path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string()),
        // The client's one rule (percent-decoded last segment), so the name shown, the
        // number given and the name the server stores agree.
        Source::Url { url } => beproduct::url_file_name(url),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_come_from_the_file_name() {
        assert_eq!(stem_of("front  print.final.png"), "front print.final");
        assert_eq!(stem_of(".png"), ".png");
        assert_eq!(stem_of(""), "image");
        assert_eq!(suffixed_number("logo", "0123456789abcdef"), "logo-01234567");
        let url = Source::Url {
            url: "https://cdn.example/a/b/front%20print.jpg?sig=1".into(),
        };
        assert_eq!(file_name_of(&url), "front print.jpg");
        assert_eq!(stem_of(&file_name_of(&url)), "front print");
        let bare = Source::Url {
            url: "https://cdn.example/".into(),
        };
        assert_eq!(file_name_of(&bare), "upload");
    }
}
