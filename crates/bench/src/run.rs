//! Options and the order of the whole run: fixtures, sandbox, the three benchmarks, report.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use beproduct::{FieldUpdate, SearchQuery};

use crate::error::{BenchError, Result};
use crate::report::{load_average, median, write_section, Machine};
use crate::sandbox::Sandbox;
use crate::{bigfile, bulk, fixtures, listing};

pub const PROCESSING_MS: u64 = 1500;

pub struct Options {
    pub quick: bool,
    /// `--bulk-edit`: only the bulk-edit benchmark (its own section).
    pub bulk_edit: bool,
    pub edit_images: u64,
    /// `--bp-bin PATH`: also time `bp edit --all` as a whole process.
    pub bp_bin: Option<PathBuf>,
    pub runs: usize,
    pub sdk_bulk_runs: usize,
    pub files: usize,
    pub big_mb: u64,
    pub list_images: u64,
    pub sandbox_bin: PathBuf,
    pub python: PathBuf,
    pub benches: PathBuf,
    pub work: PathBuf,
    pub out: PathBuf,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options> {
        let quick = args.iter().any(|a| a == "--quick");
        let bulk_edit = args.iter().any(|a| a == "--bulk-edit");
        let exe_dir = std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        let mut o = Options {
            quick,
            bulk_edit,
            edit_images: 1000,
            bp_bin: None,
            runs: 3,
            sdk_bulk_runs: 1,
            files: if quick { 20 } else { 200 },
            big_mb: if quick { 200 } else { 1024 },
            list_images: 10_000,
            sandbox_bin: exe_dir.join("bp-sandbox"),
            python: ".venv/bin/python".into(),
            benches: "benches".into(),
            work: std::env::temp_dir().join("bp-bench-work"),
            out: "BENCHMARKS.md".into(),
        };
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            if flag == "--quick" || flag == "--bulk-edit" {
                continue;
            }
            let value = it
                .next()
                .ok_or_else(|| BenchError::Usage(format!("{flag} needs a value")))?;
            let num = || {
                value
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| BenchError::Usage(format!("{flag} needs a positive number")))
            };
            match flag.as_str() {
                "--runs" => o.runs = num()? as usize,
                "--sdk-bulk-runs" => o.sdk_bulk_runs = num()? as usize,
                "--files" => o.files = num()? as usize,
                "--big-mb" => o.big_mb = num()?,
                "--list-images" => o.list_images = num()?,
                "--edit-images" => o.edit_images = num()?,
                "--bp-bin" => o.bp_bin = Some(value.into()),
                "--sandbox-bin" => o.sandbox_bin = value.into(),
                "--python" => o.python = value.into(),
                "--benches" => o.benches = value.into(),
                "--work" => o.work = value.into(),
                "--out" => o.out = value.into(),
                other => return Err(BenchError::Usage(format!("unknown option {other}"))),
            }
        }
        Ok(o)
    }

    pub fn mode(&self) -> &'static str {
        if self.quick {
            "quick"
        } else {
            "full"
        }
    }
}

pub async fn all(o: Options) -> Result<()> {
    if o.bulk_edit {
        return crate::bulk_edit::mode(o).await;
    }
    let machine = Machine::probe();
    eprintln!(
        "bp-bench {} mode on {} × {} (load {})",
        o.mode(),
        machine.nproc,
        machine.model,
        machine.load_start
    );
    std::fs::create_dir_all(&o.work).map_err(|e| BenchError::io("creating", &o.work, e))?;
    eprintln!(
        "generating {} noisy JPEGs and a {} MiB file…",
        o.files, o.big_mb
    );
    let jpegs = fixtures::noisy_jpegs(&o.work, o.files)?;
    let jpeg_mb = jpegs
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len() as f64)
        .sum::<f64>()
        / jpegs.len() as f64
        / 1e6;
    let big = fixtures::big_file(&o.work.join(format!("big-{}.bin", o.big_mb)), o.big_mb)?;

    let data = o.work.join(format!("sandbox-data-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let mut sandbox = Sandbox::start(&o.sandbox_bin, &data, PROCESSING_MS, o.big_mb + 64).await?;
    eprintln!("sandbox pid {} at {}", sandbox.pid(), sandbox.base_url);
    let outcome = benchmarks(&o, &sandbox, &jpegs, &big).await;
    sandbox.stop();
    let _ = std::fs::remove_dir_all(&data);
    let r = outcome?;

    let body = render(&o, &machine, &r, jpeg_mb);
    println!("{body}");
    write_section(&o.out, o.mode(), &body)?;
    eprintln!("wrote the {} section of {}", o.mode(), o.out.display());
    Ok(())
}

struct Results {
    ours_c3: Vec<f64>,
    ours_c6: Vec<f64>,
    sdk_bulk: Vec<f64>,
    sdk_bulk_wall: Vec<f64>,
    ours_big: Vec<bigfile::UploadRun>,
    curl_big: Vec<f64>,
    sdk_big: Vec<bigfile::UploadRun>,
    list_200: Vec<listing::ListRun>,
    list_30: Vec<listing::ListRun>,
    list_sdk: Vec<listing::ListRun>,
    list_total: u64,
    load_end: String,
}

async fn benchmarks(o: &Options, sb: &Sandbox, jpegs: &[PathBuf], big: &Path) -> Result<Results> {
    let client = sb.client()?;
    let folders = client
        .folders()
        .await
        .map_err(BenchError::client("listing folders"))?;
    let (Some(upload_folder), Some(list_folder)) = (folders.first(), folders.get(1)) else {
        return Err(BenchError::Sandbox(
            "the sandbox has fewer than two Image folders".into(),
        ));
    };
    let python = &o.python;
    let bulk_script = o.benches.join("sdk_bulk_upload.py");
    let list_script = o.benches.join("sdk_listing.py");
    let mut r = Results {
        ours_c3: vec![],
        ours_c6: vec![],
        sdk_bulk: vec![],
        sdk_bulk_wall: vec![],
        ours_big: vec![],
        curl_big: vec![],
        sdk_big: vec![],
        list_200: vec![],
        list_30: vec![],
        list_sdk: vec![],
        list_total: 0,
        load_end: String::new(),
    };

    for run in 0..o.runs {
        for (conc, out) in [(3, &mut r.ours_c3), (6, &mut r.ours_c6)] {
            let tag = format!("p{}r{run}c{conc}", std::process::id());
            let files = fixtures::renamed_copies(jpegs, &o.work.join(&tag), &tag)?;
            let journal = o.work.join(format!("{tag}.journal.sqlite"));
            let secs =
                bulk::ours(client.clone(), &files, &upload_folder.id, conc, &journal).await?;
            eprintln!("bulk ours c={conc} run {run}: {secs:.2} s");
            out.push(secs);
            let _ = std::fs::remove_dir_all(o.work.join(&tag));
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(o.work.join(format!("{tag}.journal.sqlite{suffix}")));
            }
        }
    }
    for run in 0..o.sdk_bulk_runs {
        let dir = jpegs[0].parent().unwrap_or(Path::new("."));
        let (secs, wall) = bulk::sdk(
            python,
            &bulk_script,
            &sb.base_url,
            &upload_folder.id,
            dir,
            jpegs.len(),
        )?;
        eprintln!("bulk SDK run {run}: {secs:.2} s (wall {wall:.2} s)");
        r.sdk_bulk.push(secs);
        r.sdk_bulk_wall.push(wall);
    }

    let name = [FieldUpdate::new("header_name", "bp-bench big file")];
    let image = client
        .create_image(&upload_folder.id, &name, false)
        .await
        .map_err(BenchError::client("creating the big-file image"))?;
    let token = sb.access_token().await?;
    for run in 0..o.runs {
        let ours = bigfile::ours(&sb.base_url, &image.id, big)?;
        let curl = bigfile::curl(&sb.base_url, &token, &image.id, big)?;
        let sdk = bigfile::sdk(python, &bulk_script, &sb.base_url, &image.id, big)?;
        eprintln!(
            "big file run {run}: ours {:.2} s / {} KiB, curl {curl:.2} s, SDK {:.2} s / {} KiB",
            ours.secs, ours.peak_rss_kib, sdk.secs, sdk.peak_rss_kib
        );
        r.ours_big.push(ours);
        r.curl_big.push(curl);
        r.sdk_big.push(sdk);
    }

    sb.seed_images(&list_folder.id, o.list_images).await?;
    r.list_total = client
        .search_page(&SearchQuery::in_folder(&list_folder.id), 1, 0)
        .await
        .map_err(BenchError::client("counting the listing folder"))?
        .total;
    for run in 0..o.runs {
        let a = listing::ours(&client, &list_folder.id, 200, r.list_total).await?;
        let b = listing::ours(&client, &list_folder.id, 30, r.list_total).await?;
        let c = listing::sdk(
            python,
            &list_script,
            &sb.base_url,
            &list_folder.id,
            r.list_total,
        )?;
        eprintln!(
            "listing run {run}: ours/200 {:.2} s, ours/30 {:.2} s, SDK {:.2} s",
            a.secs, b.secs, c.secs
        );
        r.list_200.push(a);
        r.list_30.push(b);
        r.list_sdk.push(c);
    }
    r.load_end = load_average();
    Ok(r)
}

fn secs_of(runs: &[listing::ListRun], first: bool) -> Vec<f64> {
    runs.iter()
        .map(|r| if first { r.first_secs } else { r.secs })
        .collect()
}

fn fmt_runs(v: &[f64]) -> String {
    fmt_runs_prec(v, 2)
}

fn fmt_runs_prec(v: &[f64], digits: usize) -> String {
    v.iter()
        .map(|x| format!("{x:.digits$}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn render(o: &Options, m: &Machine, r: &Results, jpeg_mb: f64) -> String {
    let mut s = String::new();
    let mb = o.big_mb as f64 * 1024.0 * 1024.0 / 1e6;
    let c3 = median(&r.ours_c3);
    let c6 = median(&r.ours_c6);
    let sdk = median(&r.sdk_bulk);
    let ours_big: Vec<f64> = r.ours_big.iter().map(|u| u.secs).collect();
    let sdk_big: Vec<f64> = r.sdk_big.iter().map(|u| u.secs).collect();
    let ours_rss: Vec<f64> = r.ours_big.iter().map(|u| u.peak_rss_kib / 1024.0).collect();
    let sdk_rss: Vec<f64> = r.sdk_big.iter().map(|u| u.peak_rss_kib / 1024.0).collect();
    let ours_tp = mb / median(&ours_big);
    let curl_tp = mb / median(&r.curl_big);
    let sdk_tp = mb / median(&sdk_big);
    let l200 = secs_of(&r.list_200, false);
    let l30 = secs_of(&r.list_30, false);
    let lsdk = secs_of(&r.list_sdk, false);
    let _ = writeln!(
        s,
        "## {} mode (`bash scripts/bench.sh{}`)\n",
        o.mode(),
        if o.quick { " --quick" } else { "" }
    );
    let _ = writeln!(
        s,
        "Machine: {} × {}; load average at start {}, at end {}. Other engineers' builds share this \
         machine, so the load is real and the numbers carry that noise. Medians of {} run(s) \
         (the SDK bulk loop: {} run(s), it is slow by design); raw values in brackets, seconds \
         unless marked. Sandbox `--processing-ms {PROCESSING_MS}`, release builds.\n",
        m.nproc, m.model, m.load_start, r.load_end, o.runs, o.sdk_bulk_runs
    );
    let _ = writeln!(s, "| Benchmark | Ours | Reference | Ratio | Target |");
    let _ = writeln!(s, "|---|---|---|---|---|");
    let _ = writeln!(
        s,
        "| Bulk upload, {} JPEGs × {jpeg_mb:.2} MB into new images, until processed | queue c=3: **{c3:.2}** [{}]; c=6: {c6:.2} [{}] | SDK loop: **{sdk:.2}** [{}] (wall incl. Python start {}) | SDK/ours c=3: **{:.1}×** (c=6: {:.1}×) | ≥ 10× |",
        o.files, fmt_runs(&r.ours_c3), fmt_runs(&r.ours_c6), fmt_runs(&r.sdk_bulk), fmt_runs(&r.sdk_bulk_wall), sdk / c3, sdk / c6
    );
    let _ = writeln!(
        s,
        "| Big file, one {} MiB upload: throughput | **{ours_tp:.0} MB/s** [{}] | curl: **{curl_tp:.0} MB/s** [{}]; SDK: {sdk_tp:.0} MB/s [{}] | ours/curl: **{:.2}×** | ≥ 0.8× |",
        o.big_mb, fmt_runs(&ours_big), fmt_runs(&r.curl_big), fmt_runs(&sdk_big), ours_tp / curl_tp
    );
    let _ = writeln!(
        s,
        "| Big file: peak RSS of the uploading process (VmHWM) | **{:.1} MiB** [{}] | SDK: **{:.1} MiB** [{}] | ours/SDK: {:.2}× | flat (streamed) |",
        median(&ours_rss), fmt_runs(&ours_rss), median(&sdk_rss), fmt_runs(&sdk_rss), median(&ours_rss) / median(&sdk_rss)
    );
    let _ = writeln!(
        s,
        "| Listing {} images: all items | page 200: **{:.2}** [{}]; page 30: {:.2} [{}] | SDK `attributes_list` (page 30): **{:.2}** [{}] | SDK/ours: {:.1}× (page 200), {:.1}× (page 30) | — |",
        r.list_total, median(&l200), fmt_runs(&l200), median(&l30), fmt_runs(&l30), median(&lsdk), fmt_runs(&lsdk), median(&lsdk) / median(&l200), median(&lsdk) / median(&l30)
    );
    let f200 = secs_of(&r.list_200, true);
    let f30 = secs_of(&r.list_30, true);
    let fsdk = secs_of(&r.list_sdk, true);
    let _ = writeln!(
        s,
        "| Listing: time to the first item | page 200: **{:.3}** [{}]; page 30: {:.3} [{}] | SDK: **{:.3}** [{}] | — | — |",
        median(&f200), fmt_runs_prec(&f200, 3), median(&f30), fmt_runs_prec(&f30, 3), median(&fsdk), fmt_runs_prec(&fsdk, 3)
    );
    let _ = writeln!(
        s,
        "\nNotes: the bulk times run from enqueue (ours) or the script's loop start (SDK) until every \
         file is processed; the SDK follows its documented loop (`attributes_create`, \
         `attributes_upload`, then `raw_api.upload_status` every 3 s). Big-file times start after \
         the token is fetched (ours and SDK); curl's time is its whole process with a token fetched \
         beforehand. Peak RSS is each child's own `VmHWM` at the end of its upload. Listing times \
         start after a warm-up call that fetches the token."
    );
    s
}
