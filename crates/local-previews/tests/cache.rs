//! The preview cache: keyed by content, so renames hit and edits miss; trimmed to its budget.

mod common;

use std::fs;

use common::*;
use local_previews::{make_preview, PreviewCache};

#[test]
fn a_renamed_file_hits_and_an_edited_one_does_not() {
    let dir = temp_dir();
    let cache = PreviewCache::new(dir.path().join("previews"), 10 * 1024 * 1024).unwrap();
    let original = path_in(&dir, "art.psd");
    red_blue(
        &original,
        400,
        200,
        &["-depth", "8", "-type", "TrueColor", "-compress", "RLE"],
    );

    let first = cache.get_or_make(&original, 128).unwrap();
    assert!(first.starts_with(cache.dir()));
    assert_eq!(
        fs::read(&first).unwrap(),
        make_preview(&original, 128).unwrap().png
    );

    // The same bytes under another name: the same cached preview, not a new one.
    let renamed = path_in(&dir, "art renamed.psd");
    fs::rename(&original, &renamed).unwrap();
    assert_eq!(cache.get_or_make(&renamed, 128).unwrap(), first);
    assert_eq!(previews_in(&cache), 1);

    // Another size is another preview.
    let larger = cache.get_or_make(&renamed, 256).unwrap();
    assert_ne!(larger, first);

    // Edited in place: a new preview showing the new pixels.
    red_blue(
        &renamed,
        400,
        200,
        &[
            "-depth",
            "8",
            "-type",
            "TrueColor",
            "-compress",
            "RLE",
            "-negate",
        ],
    );
    let edited = cache.get_or_make(&renamed, 128).unwrap();
    assert_ne!(edited, first);
    let image = image::open(&edited).unwrap().into_rgb8();
    assert_colour(&image, 0.25, 0.5, [0, 255, 255]); // negated red is cyan
}

#[test]
fn the_folder_is_trimmed_to_its_budget_oldest_first() {
    let dir = temp_dir();
    let sources: Vec<_> = (0..4)
        .map(|i| {
            let path = path_in(&dir, &format!("noise-{i}.png"));
            // Noise does not compress, so each preview has a predictable, sizeable PNG.
            convert(&[
                "-size",
                "300x300",
                "xc:",
                "+noise",
                "Random",
                "-seed",
                &i.to_string(),
                path.to_str().unwrap(),
            ]);
            path
        })
        .collect();
    let one = make_preview(&sources[0], 300).unwrap().png.len() as u64;
    // Room for about two previews.
    let cache = PreviewCache::new(dir.path().join("previews"), one * 5 / 2).unwrap();
    let made: Vec<_> = sources
        .iter()
        .map(|s| cache.get_or_make(s, 300).unwrap())
        .collect();

    let total: u64 = fs::read_dir(cache.dir())
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert!(
        total <= one * 5 / 2,
        "{total} bytes kept, budget {}",
        one * 5 / 2
    );
    assert!(made[3].exists(), "the newest preview is kept");
    assert!(!made[0].exists(), "the oldest preview is evicted");
}

#[test]
fn files_that_are_not_its_previews_are_left_alone() {
    let dir = temp_dir();
    let folder = dir.path().join("previews");
    fs::create_dir_all(&folder).unwrap();
    let bystander = folder.join("notes.png");
    fs::write(&bystander, vec![0u8; 4096]).unwrap();
    let cache = PreviewCache::new(&folder, 1).unwrap();
    let source = path_in(&dir, "a.png");
    red_blue(&source, 40, 20, &[]);
    let made = cache.get_or_make(&source, 64).unwrap();
    assert!(
        made.exists(),
        "the preview just made is kept even over budget"
    );
    assert!(bystander.exists());
}

#[test]
fn a_file_with_no_preview_caches_nothing() {
    let dir = temp_dir();
    let cache = PreviewCache::new(dir.path().join("previews"), 1024 * 1024).unwrap();
    let pdf = path_in(&dir, "plain.pdf");
    write_pdf(&pdf, None, "text");
    assert!(cache.get_or_make(&pdf, 128).is_err());
    assert_eq!(previews_in(&cache), 0);
}

fn previews_in(cache: &PreviewCache) -> usize {
    fs::read_dir(cache.dir()).unwrap().count()
}

#[test]
fn the_cache_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<PreviewCache>();

    let dir = temp_dir();
    let cache = PreviewCache::new(dir.path().join("previews"), 1024 * 1024).unwrap();
    let source = path_in(&dir, "art.png");
    red_blue(&source, 200, 100, &[]);
    // Two blocking workers asking for the same preview at once both get the whole file.
    let paths: Vec<_> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..2)
            .map(|_| s.spawn(|| cache.get_or_make(&source, 64).unwrap()))
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    assert_eq!(paths[0], paths[1]);
    let image = image::open(&paths[0]).unwrap().into_rgb8();
    assert_colour(&image, 0.25, 0.5, RED);
    assert_eq!(previews_in(&cache), 1);
}
