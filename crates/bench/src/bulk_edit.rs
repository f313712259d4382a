//! Benchmark 4 (`--bulk-edit`): one text field set on N (1,000) images of a seeded folder.
//!
//! Ours: `image_library` as the app and `bp edit` use it — `plan_bulk_edit` (reads every image,
//! builds the before/after) then `run_plan` (journaled, `IN_FLIGHT` updates at a time).
//! Reference: the official SDK's `image.attributes_update`, one image after the other
//! (benches/sdk_bulk_edit.py). Optionally the `bp edit --all` command line as a whole process.
//! Both timed from the start of the edit to the last write acknowledged, the token fetched
//! beforehand; every run is checked afterwards by listing the folder over plain HTTP: all N
//! images must hold the run's value.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use beproduct::SearchQuery;
use futures::StreamExt;
use image_library::bulk::{BulkEdit, FieldEdit, FieldOp};
use image_library::ImageLibrary;

use crate::child::{number, run_json};
use crate::error::{BenchError, Result};
use crate::report::{load_average, median, write_section, Machine};
use crate::run::{Options, PROCESSING_MS};
use crate::sandbox::{self, Sandbox};

/// A plain Text field of the demo "Prints" schema (the bench folder copies it).
pub const FIELD: &str = "designer";

pub struct OursRun {
    pub secs: f64,
    pub plan_secs: f64,
    pub run_secs: f64,
}

pub struct SdkRun {
    pub secs: f64,
    pub wall: f64,
}

/// A new folder with `n` seeded images; returns its id and the images' ids.
pub async fn seeded_folder(sb: &Sandbox, n: u64) -> Result<(String, Vec<String>)> {
    let folder = sb.create_folder("bp-bench bulk edit").await?;
    sb.seed_images(&folder, n).await?;
    let client = sb.client()?;
    let stream = client.search(SearchQuery::in_folder(&folder), 200);
    futures::pin_mut!(stream);
    let mut ids = Vec::new();
    while let Some(item) = stream.next().await {
        ids.push(
            item.map_err(BenchError::client("listing the bulk-edit folder"))?
                .id,
        );
    }
    if ids.len() as u64 != n {
        return Err(BenchError::Check(format!(
            "the bulk-edit folder lists {} images, expected {n}",
            ids.len()
        )));
    }
    Ok((folder, ids))
}

/// Our bulk edit through the library, as the app's `plan_bulk_edit` + `run_bulk` do it.
pub async fn ours(
    base_url: &str,
    folder: &str,
    ids: &[String],
    value: &str,
    journal: &Path,
) -> Result<OursRun> {
    let client = sandbox::client_for(base_url)?;
    // The token only; the library's schema cache starts empty and its fetch is timed.
    client
        .folders()
        .await
        .map_err(BenchError::client("warming up the token"))?;
    let library = ImageLibrary::new(client);
    let edit = BulkEdit {
        folder_id: folder.to_owned(),
        ids: ids.to_vec(),
        edits: vec![FieldEdit::new(
            FIELD,
            FieldOp::Set(serde_json::Value::String(value.to_owned())),
        )],
        busy: Vec::new(),
    };
    let start = Instant::now();
    let plan = library
        .plan_bulk_edit(&edit)
        .await
        .map_err(|e| BenchError::Check(format!("planning the bulk edit: {e}")))?;
    let plan_secs = start.elapsed().as_secs_f64();
    let result = library
        .run_plan(&plan, journal, None)
        .await
        .map_err(|e| BenchError::Check(format!("running the bulk edit: {e}")))?;
    let secs = start.elapsed().as_secs_f64();
    let counts = result.counts();
    if counts.changed != ids.len() || counts.failed != 0 {
        return Err(BenchError::Check(format!(
            "our bulk edit changed {} of {} images ({} failed, {} skipped, {} unchanged)",
            counts.changed,
            ids.len(),
            counts.failed,
            counts.skipped,
            counts.unchanged
        )));
    }
    Ok(OursRun {
        secs,
        plan_secs,
        run_secs: secs - plan_secs,
    })
}

/// The SDK loop (benches/sdk_bulk_edit.py) over the ids written to `ids_file`.
pub fn sdk(
    python: &Path,
    script: &Path,
    base_url: &str,
    ids_file: &Path,
    value: &str,
    n: usize,
) -> Result<SdkRun> {
    let mut cmd = Command::new(python);
    cmd.arg(script)
        .args(["--api", base_url, "--field", FIELD, "--value", value])
        .arg("--ids-file")
        .arg(ids_file);
    let (wall, json) = run_json(cmd, "sdk_bulk_edit.py")?;
    let count = number(&json, "count", "sdk_bulk_edit.py")? as usize;
    if count != n {
        return Err(BenchError::Check(format!(
            "the SDK loop updated {count} of {n} images"
        )));
    }
    Ok(SdkRun {
        secs: number(&json, "secs", "sdk_bulk_edit.py")?,
        wall,
    })
}

/// `bp edit --folder F --all --set designer=VALUE` as one process; its wall time (process start,
/// token, listing the folder, plan, run).
pub fn cli(bp: &Path, base_url: &str, folder: &str, value: &str, journal: &Path) -> Result<f64> {
    let mut cmd = Command::new(bp);
    cmd.args(["edit", "--folder", folder, "--all", "--set"])
        .arg(format!("{FIELD}={value}"))
        .arg("--journal")
        .arg(journal)
        .env("BEPRODUCT_COMPANY_DOMAIN", sandbox::COMPANY)
        .env("BEPRODUCT_CLIENT_ID", sandbox::CLIENT_ID)
        .env("BEPRODUCT_CLIENT_SECRET", sandbox::CLIENT_SECRET)
        .env("BEPRODUCT_REFRESH_TOKEN", sandbox::REFRESH_TOKEN)
        .env("BEPRODUCT_API_URL", base_url)
        .env(
            "BEPRODUCT_TOKEN_URL",
            format!("{base_url}/ids/connect/token"),
        );
    let start = Instant::now();
    let out = cmd
        .output()
        .map_err(|e| BenchError::io("starting bp (build bp-cli first)", bp, e))?;
    let secs = start.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(BenchError::Child(format!(
            "bp edit exited with {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(secs)
}

/// Checks through the API (plain HTTP, not our client) that the folder lists exactly `n`
/// images and every one holds `value` in the field.
pub async fn verify(sb: &Sandbox, folder: &str, value: &str, n: usize) -> Result<()> {
    let values = sb.field_values(folder, FIELD).await?;
    let holding = values
        .iter()
        .filter(|v| v.as_deref() == Some(value))
        .count();
    if values.len() != n || holding != n {
        return Err(BenchError::Check(format!(
            "after the edit to {value:?}: {holding} of {} listed images hold it (expected {n} of {n})",
            values.len()
        )));
    }
    Ok(())
}

pub fn write_ids(dir: &Path, ids: &[String]) -> Result<PathBuf> {
    let path = dir.join(format!("bulk-edit-ids-{}.txt", std::process::id()));
    std::fs::write(&path, ids.join("\n")).map_err(|e| BenchError::io("writing", &path, e))?;
    Ok(path)
}

/// `bp-bench --bulk-edit`: fresh sandbox, one seeded folder, `runs` rounds of ours / SDK /
/// (optionally) `bp edit`, each with its own value and checked; writes the `bulk-edit` section.
pub async fn mode(o: Options) -> Result<()> {
    let machine = Machine::probe();
    eprintln!(
        "bp-bench bulk-edit on {} × {} (load {})",
        machine.nproc, machine.model, machine.load_start
    );
    std::fs::create_dir_all(&o.work).map_err(|e| BenchError::io("creating", &o.work, e))?;
    let data = o
        .work
        .join(format!("sandbox-data-edit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let mut sb = Sandbox::start(&o.sandbox_bin, &data, PROCESSING_MS, 64).await?;
    eprintln!("sandbox pid {} at {}", sb.pid(), sb.base_url);
    let outcome = rounds(&o, &sb).await;
    sb.stop();
    let _ = std::fs::remove_dir_all(&data);
    let r = outcome?;
    let body = render(&o, &machine, &r);
    println!("{body}");
    write_section(&o.out, "bulk-edit", &body)?;
    eprintln!("wrote the bulk-edit section of {}", o.out.display());
    Ok(())
}

struct Rounds {
    n: usize,
    ours: Vec<OursRun>,
    sdk: Vec<SdkRun>,
    cli: Vec<f64>,
    load_end: String,
}

async fn rounds(o: &Options, sb: &Sandbox) -> Result<Rounds> {
    let (folder, ids) = seeded_folder(sb, o.edit_images).await?;
    let n = ids.len();
    eprintln!("bulk edit: {n} images seeded in folder {folder}");
    let ids_file = write_ids(&o.work, &ids)?;
    let script = o.benches.join("sdk_bulk_edit.py");
    let tag = std::process::id();
    let mut r = Rounds {
        n,
        ours: vec![],
        sdk: vec![],
        cli: vec![],
        load_end: String::new(),
    };
    for run in 0..o.runs {
        // A new value each time, so every image really changes on every side.
        let value = format!("bench ours {tag}-{run}");
        let journal = o.work.join(format!("bulk-edit-{tag}-{run}.jsonl"));
        let ours = ours(&sb.base_url, &folder, &ids, &value, &journal).await?;
        verify(sb, &folder, &value, n).await?;
        let _ = std::fs::remove_file(&journal);
        eprintln!(
            "bulk edit ours run {run}: {:.2} s (plan {:.2} s, run {:.2} s), verified",
            ours.secs, ours.plan_secs, ours.run_secs
        );
        r.ours.push(ours);

        let value = format!("bench sdk {tag}-{run}");
        let sdk = sdk(&o.python, &script, &sb.base_url, &ids_file, &value, n)?;
        verify(sb, &folder, &value, n).await?;
        eprintln!(
            "bulk edit SDK run {run}: {:.2} s (wall incl. Python start {:.2} s), verified",
            sdk.secs, sdk.wall
        );
        r.sdk.push(sdk);

        if let Some(bp) = &o.bp_bin {
            let value = format!("bench cli {tag}-{run}");
            let journal = o.work.join(format!("bulk-edit-cli-{tag}-{run}.jsonl"));
            let secs = cli(bp, &sb.base_url, &folder, &value, &journal)?;
            verify(sb, &folder, &value, n).await?;
            let _ = std::fs::remove_file(&journal);
            eprintln!("bulk edit `bp edit` run {run}: {secs:.2} s, verified");
            r.cli.push(secs);
        }
    }
    let _ = std::fs::remove_file(&ids_file);
    r.load_end = load_average();
    Ok(r)
}

fn runs_of(v: &[f64]) -> String {
    v.iter()
        .map(|x| format!("{x:.2}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn render(o: &Options, m: &Machine, r: &Rounds) -> String {
    let mut s = String::new();
    let total: Vec<f64> = r.ours.iter().map(|x| x.secs).collect();
    let plan: Vec<f64> = r.ours.iter().map(|x| x.plan_secs).collect();
    let run: Vec<f64> = r.ours.iter().map(|x| x.run_secs).collect();
    let sdk: Vec<f64> = r.sdk.iter().map(|x| x.secs).collect();
    let sdk_wall: Vec<f64> = r.sdk.iter().map(|x| x.wall).collect();
    let (ours_m, sdk_m) = (median(&total), median(&sdk));
    let mut command = String::from("bash scripts/bench.sh --bulk-edit");
    if o.edit_images != 1000 {
        let _ = write!(command, " --edit-images {}", o.edit_images);
    }
    if o.runs != 3 {
        let _ = write!(command, " --runs {}", o.runs);
    }
    if let Some(bp) = &o.bp_bin {
        let _ = write!(command, " --bp-bin {}", bp.display());
    }
    let _ = writeln!(s, "## bulk edit (`{command}`)\n");
    let _ = writeln!(
        s,
        "Machine: {} × {}; load average at start {}, at end {}. Other engineers' builds share this \
         machine, so the numbers carry that noise. One local bp-sandbox, a folder of {} seeded \
         images; each run sets the Text field `{FIELD}` to a new value on all of them, ours first, \
         then the SDK{}. Medians of {} run(s), raw values in brackets, seconds. Release builds.\n",
        m.nproc,
        m.model,
        m.load_start,
        r.load_end,
        r.n,
        if r.cli.is_empty() {
            ""
        } else {
            ", then `bp edit`"
        },
        o.runs
    );
    let _ = writeln!(s, "| Benchmark | Ours | Reference | SDK/ours |");
    let _ = writeln!(s, "|---|---|---|---|");
    let _ = writeln!(
        s,
        "| Bulk edit, one field on {} images, until the last write is acknowledged | \
         `image-library` plan + run: **{ours_m:.2}** [{}] (reading/planning {:.2} [{}], writing \
         {:.2} [{}], {} updates in flight) | SDK `image.attributes_update` one by one: \
         **{sdk_m:.2}** [{}] (wall incl. Python start {}) | **{:.1}×** |",
        r.n,
        runs_of(&total),
        median(&plan),
        runs_of(&plan),
        median(&run),
        runs_of(&run),
        image_library::bulk::IN_FLIGHT,
        runs_of(&sdk),
        runs_of(&sdk_wall),
        sdk_m / ours_m
    );
    if !r.cli.is_empty() {
        let cli_m = median(&r.cli);
        let _ = writeln!(
            s,
            "| The same edit as `bp edit --folder F --all --set {FIELD}=VALUE`, whole process | \
             **{cli_m:.2}** [{}] (process start, token, listing the folder, plan, run, journal) | \
             SDK wall incl. Python start: {:.2} | {:.1}× |",
            runs_of(&r.cli),
            median(&sdk_wall),
            median(&sdk_wall) / cli_m
        );
    }
    let _ = writeln!(
        s,
        "\nNotes: both sides fetch their token before the clock starts. Ours is what the app's \
         bulk edit and `bp edit` run: `ImageLibrary::plan_bulk_edit` (the folder's schema, then \
         every image read in calls of up to 500 ids, to check the values and keep the previous \
         ones for undo) and `run_plan` (a journal written before and after every update, only \
         changed fields sent). The SDK script only writes (no read, no journal, no undo). After \
         every run the folder is listed over plain HTTP (`Image/Headers`, not our client) and \
         all {} images must hold that run's value, or the benchmark fails.",
        r.n
    );
    s
}
