//! The upload command line, shared by `bp upload` (crates/cli) and `bp-upload` (this crate's
//! binary, its earlier name, kept as an alias for one release): the same options, output and
//! exit status, from one implementation. Uploads files or folders into a BeProduct image folder
//! without the app: headless, journaled and resumable (see `--help` and the crate README).

mod args;
mod report;

use crate::{JobRequest, JobState, JobSummary, Queue, QueueConfig, Target};
use args::{Args, Parsed};
use beproduct::Client;
use futures::future::BoxFuture;
use report::Reporter;
use std::collections::HashSet;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use args::usage;

/// What `bp-upload --help` adds below the options: the name is an alias now.
pub const BP_UPLOAD_NOTE: &str = "\
bp-upload is the earlier name of `bp upload` (the `bp` command line) and stays as an alias for
one release: the same options, output and exit status. Use `bp upload` from now on.";

/// The help text `program` prints for `--help`: `usage(program)`, then `note` if any.
pub fn help(program: &str, note: Option<&str>) -> String {
    match note {
        Some(note) => format!("{}\n\n{note}", usage(program)),
        None => usage(program),
    }
}

/// Why a run stopped early; printed as `{program}: {message}` with exit status 2.
struct Fatal(String);

impl<E: std::fmt::Display> From<E> for Fatal {
    fn from(e: E) -> Self {
        Fatal(e.to_string())
    }
}

/// How `--rules FILE` turns files into jobs: given the client, the folder id, the settings file
/// and the files found (folders expanded), each file's job or why it is not sent. `Err` stops
/// the run (an unreadable or invalid settings file). The rules live above this crate (the image
/// library), so only `bp upload` has them; `bp-upload` refuses `--rules`.
pub type RulesPlanner = Arc<
    dyn Fn(
            Client,
            String,
            PathBuf,
            Vec<PathBuf>,
        )
            -> BoxFuture<'static, Result<Vec<Result<JobRequest, (PathBuf, String)>>, String>>
        + Send
        + Sync,
>;

/// Runs the upload command: `program` is how it was called (`bp upload`, `bp-upload`; it names
/// itself so in messages), `args` its arguments without the program name, `help_note` what
/// `--help` adds below the options. Exit status: 0 every file landed, 1 some file was not
/// uploaded (each listed with the reason), 2 the command could not run at all.
pub fn main(
    program: &str,
    help_note: Option<&str>,
    args: impl IntoIterator<Item = OsString>,
) -> ExitCode {
    main_with_rules(program, help_note, args, None)
}

/// `main`, with `--rules` planned by `rules` (None: `--rules` is refused).
pub fn main_with_rules(
    program: &str,
    help_note: Option<&str>,
    args: impl IntoIterator<Item = OsString>,
    rules: Option<RulesPlanner>,
) -> ExitCode {
    let args = match args::parse(args) {
        Ok(Parsed::Help) => {
            println!("{}", help(program, help_note));
            return ExitCode::SUCCESS;
        }
        Ok(Parsed::Run(a)) if a.rules.is_some() && rules.is_none() => {
            eprintln!("{program}: --rules is an option of `bp upload` (it needs the image library); run bp upload --rules FILE …");
            return ExitCode::from(2);
        }
        Ok(Parsed::Run(a)) => a,
        Err(message) => {
            eprintln!("{program}: {message}\nRun {program} --help for the options.");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{program}: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(args, rules)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(Fatal(message)) => {
            eprintln!("{program}: {message}");
            ExitCode::from(2)
        }
    }
}

/// Runs the batch; `Ok(true)` when every file of this run landed (with `--resume`: every
/// file of the journal).
async fn run(args: Args, rules: Option<RulesPlanner>) -> Result<bool, Fatal> {
    let client = beproduct::env::client_from_env(|name| std::env::var(name).ok()).map_err(Fatal)?;
    check_connection(&client, args.folder.as_deref()).await?;
    let mut config = QueueConfig::new(&args.journal);
    config.concurrency = args.concurrency;
    if let Some(processing) = args.processing {
        config.processing_timeout = processing;
    }
    let queue = Queue::open(config).await?;
    if let Some(notice) = queue.journal_notice() {
        println!("note       {notice}");
    }
    let mut events = queue.subscribe();
    queue.set_client(client.clone());

    let mut reporter = Reporter::default();
    let mut ours: Vec<String> = Vec::new();
    // Files named on the command line that were refused before queueing.
    let mut refused = 0usize;

    if args.resume {
        let picked_up = resume(&queue).await?;
        println!(
            "resuming   {} unfinished file(s) from the journal",
            picked_up.len()
        );
        for job in &picked_up {
            reporter.remember(job);
        }
    } else {
        let held = queue.interrupted().len();
        if held > 0 {
            println!(
                "note       {held} unfinished file(s) from an earlier run stay in the journal; run again with --resume to finish them"
            );
        }
    }

    if !args.paths.is_empty() {
        let folder_id = args.folder.clone().unwrap_or_default();
        let planned = match (&args.rules, rules) {
            (Some(file), Some(plan)) => Some((plan, client.clone(), file.clone())),
            _ => None,
        };
        refused = enqueue(
            &queue,
            &args.paths,
            &folder_id,
            planned,
            &mut reporter,
            &mut ours,
        )
        .await?;
    }

    drain(&queue, &mut events, &mut reporter).await;
    if args.send_again {
        // Checked again above and still not on BeProduct: the user said to send them.
        let undecided: Vec<String> = queue
            .jobs()
            .into_iter()
            .filter(|j| j.state == JobState::MayHaveLanded)
            .map(|j| j.id)
            .collect();
        if !undecided.is_empty() {
            println!(
                "sending    {} file(s) again that still do not show on BeProduct",
                undecided.len()
            );
            for id in &undecided {
                queue.send_again(id)?;
            }
            drain(&queue, &mut events, &mut reporter).await;
        }
    }

    // With --resume the whole journal counts; otherwise the files of this run.
    let counted: Vec<JobSummary> = if args.resume {
        queue.jobs()
    } else {
        ours.iter().filter_map(|id| queue.job(id)).collect()
    };
    let landed_state = |j: &JobSummary| matches!(j.state, JobState::Done | JobState::Duplicate);
    for job in counted.iter().filter(|j| !landed_state(j)) {
        reporter.list(job);
    }
    let landed = counted.iter().filter(|j| landed_state(j)).count();
    let not_landed = refused + counted.len() - landed;
    queue.shutdown().await;
    let why = if not_landed > 0 {
        " (the reasons are listed above)"
    } else {
        ""
    };
    println!("finished   {landed} file(s) uploaded, {not_landed} not uploaded{why}");
    Ok(not_landed == 0)
}

/// Prints events until the queue is idle, with a summary line every few seconds.
async fn drain(
    queue: &Queue,
    events: &mut tokio::sync::broadcast::Receiver<crate::QueueEvent>,
    reporter: &mut Reporter,
) {
    let mut last_totals = Instant::now();
    while !queue.wait_until_idle(Duration::ZERO).await {
        tokio::select! {
            event = events.recv() => match event {
                Ok(e) => reporter.event(&e),
                // Too many events at once: only progress lines were skipped.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            },
            _ = tokio::time::sleep(Duration::from_millis(250)) => {}
        }
        if last_totals.elapsed() >= report::TOTALS_EVERY {
            last_totals = Instant::now();
            println!("{}", report::totals_line(&queue.totals()));
        }
    }
    while let Ok(e) = events.try_recv() {
        reporter.event(&e);
    }
}

/// Picks up what the journal holds unfinished, as the app's Resume, Retry and Check again
/// would: interrupted jobs (checking first what they left on the server), failed jobs that
/// sending again may cure, and files that may have landed (checked again). Returns the
/// jobs picked up.
async fn resume(queue: &Queue) -> Result<Vec<JobSummary>, Fatal> {
    let mut picked_up = queue.resume_interrupted().await?;
    for job in queue.jobs() {
        let again = match &job.state {
            JobState::Failed {
                permanent: false, ..
            } => queue.retry(&job.id).await?,
            JobState::MayHaveLanded => queue.check_again(&job.id)?,
            _ => continue,
        };
        picked_up.push(again);
    }
    Ok(picked_up)
}

/// One request before anything is queued, so wrong credentials, a wrong URL or a wrong
/// folder stop the run with one clear message instead of failing every file.
async fn check_connection(client: &beproduct::Client, folder: Option<&str>) -> Result<(), Fatal> {
    let folders = client.folders().await.map_err(|e| {
        Fatal(format!(
            "cannot use BeProduct: {}. Check the BEPRODUCT_* variables and the network.",
            e.to_string().trim_end_matches('.')
        ))
    })?;
    if let Some(id) = folder {
        if !folders.iter().any(|f| f.id.eq_ignore_ascii_case(id)) {
            return Err(Fatal(format!(
                "folder {id} is not among the {} image folders this account can see; check --folder.",
                folders.len()
            )));
        }
    }
    Ok(())
}

/// Expands and queues the paths; returns how many files were refused: every file refused
/// at enqueue, and paths named on the command line that were skipped (non-images found
/// inside folders are only listed).
async fn enqueue(
    queue: &Queue,
    paths: &[PathBuf],
    folder_id: &str,
    rules: Option<(RulesPlanner, Client, PathBuf)>,
    reporter: &mut Reporter,
    ours: &mut Vec<String>,
) -> Result<usize, Fatal> {
    let started = Instant::now();
    let named: HashSet<&PathBuf> = paths.iter().collect();
    let target = Target::NewImage {
        folder_id: folder_id.to_owned(),
    };
    let mut refused = 0;
    let report = match rules {
        None => queue.enqueue_paths(paths.to_vec(), target).await?,
        Some((plan, client, file)) => {
            let walk = paths.to_vec();
            let expanded = tokio::task::spawn_blocking(move || crate::expand_paths(&walk))
                .await
                .map_err(|e| Fatal(format!("walking the folders stopped: {e}")))?;
            let planned = plan(client, folder_id.to_owned(), file, expanded.files)
                .await
                .map_err(Fatal)?;
            let mut requests = Vec::new();
            for outcome in planned {
                match outcome {
                    Ok(request) => requests.push(request),
                    Err((path, reason)) => {
                        refused += 1;
                        println!("not sent   {}: {reason}", path.display());
                    }
                }
            }
            let report = queue.enqueue(requests).await?;
            crate::queue::PathsReport {
                batch_id: report.batch_id,
                accepted: report.accepted,
                rejected: report.rejected,
                skipped: expanded.skipped,
            }
        }
    };
    for skipped in &report.skipped {
        // Inside folders, non-images are expected and only listed.
        let explicit = named.contains(&skipped.path);
        refused += usize::from(explicit);
        let label = if explicit { "not sent " } else { "skipped  " };
        println!("{label}  {}", skipped.reason);
    }
    for rejected in &report.rejected {
        refused += 1;
        println!("not sent   {}", rejected.reason);
    }
    for job in &report.accepted {
        reporter.remember(job);
        if job.state == JobState::Duplicate {
            if let Some(line) = report::state_line(job) {
                println!("{line}");
            }
        }
        ours.push(job.id.clone());
    }
    println!(
        "queued     {} file(s) for folder {folder_id} in {} ms",
        report.accepted.len(),
        started.elapsed().as_millis()
    );
    Ok(refused)
}
