//! A 200 MB upload streams with flat memory. Alone in its own test binary so nothing else
//! in the process moves the resident-set numbers.

mod common;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use beproduct::FieldUpdate;

const SIZE: u64 = 200 * 1024 * 1024;
const ALLOWED_GROWTH_KB: u64 = 64 * 1024;

fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_200_mb_file_uploads_with_flat_memory() {
    let env = common::start(|c| {
        c.seed = beproduct_sandbox::Seed::Empty;
        c.max_upload_mb = 300;
    })
    .await;
    let prints = common::folder(&env.client, "Prints").await;
    let image = env
        .client
        .create_image(&prints.id, &[FieldUpdate::new("header_name", "Big")], false)
        .await
        .unwrap();

    // A patterned file written in 1 MB blocks (never whole in memory).
    let path = env.dir.path().join("big.tif");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let block: Vec<u8> = (0..1024 * 1024).map(|i| (i % 251) as u8).collect();
        for _ in 0..SIZE / block.len() as u64 {
            f.write_all(&block).unwrap();
        }
    }
    assert_eq!(std::fs::metadata(&path).unwrap().len(), SIZE);

    let baseline = rss_kb();
    let peak = Arc::new(AtomicU64::new(baseline));
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, stop) = (peak.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                peak.fetch_max(rss_kb(), Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let sent = Arc::new(AtomicU64::new(0));
    let sent2 = sent.clone();
    let progress: beproduct::ProgressFn = Arc::new(move |n, _| sent2.store(n, Ordering::SeqCst));
    let started = std::time::Instant::now();
    let upload_id = env
        .client
        .upload_file(&image.id, &path, Some(progress))
        .await
        .unwrap();
    let took = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    sampler.join().unwrap();

    let growth = peak.load(Ordering::SeqCst).saturating_sub(baseline);
    eprintln!("200 MB upload took {took:?}; RSS baseline {baseline} kB, growth {growth} kB");
    assert_eq!(sent.load(Ordering::SeqCst), SIZE);
    assert!(
        growth < ALLOWED_GROWTH_KB,
        "RSS grew by {growth} kB while uploading 200 MB"
    );
    assert!(beproduct::is_guid(&upload_id));
    // Patterned bytes are not an image: the server reports that, which shows it got the file.
    let status = env
        .client
        .wait_for_processing(&upload_id, Duration::from_secs(60))
        .await
        .unwrap();
    assert!(status.finished, "{status:?}");
}
