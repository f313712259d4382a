//! Command-line arguments, parsed by hand (no parser dependency for six options).

use std::path::PathBuf;
use std::time::Duration;

/// The usage text, naming the command as it was called (`bp upload` or `bp-upload`).
pub fn usage(program: &str) -> String {
    USAGE.replacen("{program}", program, 1)
}

const USAGE: &str = "\
Usage: {program} --journal PATH [--folder ID [--rules FILE]] [--resume [--send-again]] [--concurrency N] [--processing-secs N] [PATH...]

Uploads image files (and the images inside folders) into a BeProduct image folder, one new
image per file, numbered after the file name. Every step is written to the journal first, so
a run that is interrupted (crash, kill, power cut) is finished by `--resume` without sending
anything twice.

  --journal PATH      the upload journal (SQLite); created if missing. Keep one per batch or reuse.
  --folder ID         the BeProduct image folder to create the images in (needed with PATHs)
  --rules FILE        number, name and fields of each new image from a naming rule and the
                      files' embedded metadata (a folder's intake settings as JSON, as the app
                      saves them; the format is in crates/cli/README.md); a file the rule or
                      the folder's fields refuse is not sent, with the reason (`bp upload` only)
  --resume            also finish what the journal holds unfinished: interrupted jobs, failed
                      ones that may succeed now, and files that may have landed (checked
                      again first)
  --send-again        with --resume: files that may have landed and still do not show on
                      BeProduct are sent again (only after you looked: they may be on their way)
  --concurrency N     uploads at once, 1-16 (default 3)
  --processing-secs N the longest BeProduct may take to process a file (default 900): an upload
                      whose answer was lost is watched for this long before it is reported as
                      'may have landed' (never sent again by itself)
  -h, --help          this text

Credentials come from the environment: BEPRODUCT_COMPANY_DOMAIN, BEPRODUCT_CLIENT_ID,
BEPRODUCT_CLIENT_SECRET, BEPRODUCT_REFRESH_TOKEN, and optionally BEPRODUCT_API_URL and
BEPRODUCT_TOKEN_URL.

Exit status: 0 when every file landed (or was already uploaded before; with --resume: every
file of the journal), 1 when some file was not uploaded (each is listed with the reason),
2 when the command could not run at all (bad options, credentials, a journal in use).";

#[derive(Debug, Clone, PartialEq)]
pub struct Args {
    pub journal: PathBuf,
    pub folder: Option<String>,
    pub resume: bool,
    pub send_again: bool,
    pub concurrency: usize,
    pub processing: Option<Duration>,
    pub rules: Option<PathBuf>,
    pub paths: Vec<PathBuf>,
}

/// What the command line asks for.
#[derive(Debug, PartialEq)]
pub enum Parsed {
    Run(Args),
    Help,
}

pub fn parse(args: impl IntoIterator<Item = std::ffi::OsString>) -> Result<Parsed, String> {
    let mut journal = None;
    let mut folder = None;
    let mut resume = false;
    let mut send_again = false;
    let mut concurrency = 3usize;
    let mut processing = None;
    let mut rules = None;
    let mut paths = Vec::new();
    let mut only_paths = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy().into_owned();
        if only_paths || !text.starts_with('-') || text == "-" {
            paths.push(PathBuf::from(arg));
            continue;
        }
        // `--name=value` and `--name value` are both accepted.
        let (name, inline) = match text.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (text.clone(), None),
        };
        let mut value = |what: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| args.next().map(|v| v.to_string_lossy().into_owned()))
                .filter(|v| !v.is_empty())
                .ok_or_else(|| format!("{name} needs {what}"))
        };
        match name.as_str() {
            "--" => only_paths = true,
            "-h" | "--help" => return Ok(Parsed::Help),
            "--journal" => journal = Some(PathBuf::from(value("a file path")?)),
            "--folder" => {
                let id = value("a folder id")?.trim().to_owned();
                if !beproduct::is_guid(&id) {
                    return Err(format!(
                        "--folder needs a BeProduct folder id such as 3fa85f64-5717-4562-b3fc-2c963f66afa6, not '{id}'"
                    ));
                }
                folder = Some(id);
            }
            "--rules" => rules = Some(PathBuf::from(value("a settings file")?)),
            "--resume" => resume = true,
            "--send-again" => send_again = true,
            "--concurrency" => {
                let v = value("a number")?;
                concurrency = v
                    .parse()
                    .ok()
                    .filter(|n| (1..=16).contains(n))
                    .ok_or_else(|| {
                        format!("--concurrency must be a whole number from 1 to 16, not '{v}'")
                    })?;
            }
            "--processing-secs" => {
                let v = value("a number of seconds")?;
                let secs: u64 = v.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                    format!(
                        "--processing-secs must be a whole number of seconds above 0, not '{v}'"
                    )
                })?;
                processing = Some(Duration::from_secs(secs));
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    let journal =
        journal.ok_or("--journal PATH is required (the file that records the uploads)")?;
    if paths.is_empty() && !resume {
        return Err("nothing to do: name files or folders to upload, or --resume".into());
    }
    if send_again && !resume {
        return Err(
            "--send-again goes with --resume (it decides about files of the journal)".into(),
        );
    }
    if rules.is_some() && paths.is_empty() {
        return Err("--rules applies to the files named: name files or folders to upload".into());
    }
    if !paths.is_empty() && folder.is_none() {
        return Err(
            "--folder ID is required to upload files (the image folder to put them in)".into(),
        );
    }
    Ok(Parsed::Run(Args {
        journal,
        folder,
        resume,
        send_again,
        concurrency,
        processing,
        rules,
        paths,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Parsed, String> {
        parse(args.iter().map(std::ffi::OsString::from))
    }

    #[test]
    fn reads_options_and_paths() {
        let Parsed::Run(a) = run(&[
            "--journal",
            "j.sqlite",
            "--folder=3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "a.jpg",
            "--concurrency",
            "5",
            "dir",
            "--processing-secs=3",
            "--",
            "--odd-name.png",
        ])
        .unwrap() else {
            panic!("not a run")
        };
        assert_eq!(a.journal, PathBuf::from("j.sqlite"));
        assert_eq!(
            a.folder.as_deref(),
            Some("3fa85f64-5717-4562-b3fc-2c963f66afa6")
        );
        assert_eq!(a.concurrency, 5);
        assert_eq!(a.processing, Some(Duration::from_secs(3)));
        assert!(!a.resume && !a.send_again);
        let names: Vec<_> = a.paths.iter().map(|p| p.to_str().unwrap()).collect();
        assert_eq!(names, ["a.jpg", "dir", "--odd-name.png"]);
        assert_eq!(
            run(&["--resume", "--journal", "j", "--send-again"]).unwrap(),
            {
                Parsed::Run(Args {
                    journal: "j".into(),
                    folder: None,
                    resume: true,
                    send_again: true,
                    concurrency: 3,
                    processing: None,
                    rules: None,
                    paths: vec![],
                })
            }
        );
        assert_eq!(run(&["-h"]).unwrap(), Parsed::Help);
    }

    #[test]
    fn refuses_what_cannot_work() {
        assert!(
            run(&["a.jpg", "--folder", "3fa85f64-5717-4562-b3fc-2c963f66afa6"])
                .unwrap_err()
                .contains("--journal")
        );
        assert!(run(&["--journal", "j", "--folder", "../x", "a.jpg"])
            .unwrap_err()
            .contains("not '../x'"));
        assert!(run(&["--journal", "j", "a.jpg"])
            .unwrap_err()
            .contains("--folder"));
        assert!(run(&["--journal", "j"])
            .unwrap_err()
            .contains("nothing to do"));
        assert!(run(&["--journal", "j", "--resume", "--concurrency", "0"])
            .unwrap_err()
            .contains("1 to 16"));
        assert!(run(&["--journal"]).unwrap_err().contains("needs"));
        assert!(run(&["--journal", "j", "--send-again", "a.jpg"])
            .unwrap_err()
            .contains("goes with --resume"));
        assert!(
            run(&["--journal", "j", "--resume", "--processing-secs", "0"])
                .unwrap_err()
                .contains("above 0")
        );
        assert!(run(&["--journal", "j", "--bogus"])
            .unwrap_err()
            .contains("unknown option --bogus"));
    }
}
