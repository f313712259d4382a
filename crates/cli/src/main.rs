//! `bp`: the BeProduct Images command line. Uploads (`bp upload`, the journaled upload queue's
//! command line, shared with `bp-upload`), spreadsheet export and import (as a journaled bulk
//! edit), and resume/undo of such edits. See `bp --help` and the crate README.

mod commands;
mod connect;
mod edit;
mod error;
mod report;
mod rules;
mod watch;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use image_library::sheet::{Format, Source};

use error::CliError;

#[derive(Parser)]
#[command(
    name = "bp",
    version,
    about = "BeProduct Images from the command line: upload images, export and import spreadsheets, resume and undo bulk edits.",
    after_help = "Credentials come from the environment: BEPRODUCT_COMPANY_DOMAIN, BEPRODUCT_CLIENT_ID, \
BEPRODUCT_CLIENT_SECRET, BEPRODUCT_REFRESH_TOKEN, and optionally BEPRODUCT_API_URL and BEPRODUCT_TOKEN_URL.\n\n\
Exit status: 0 done; 1 some images failed (each is listed with the reason; `bp resume JOURNAL` tries \
them again); 2 nothing was done (bad options, credentials, unreadable file, cells invalid for the schema)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Csv,
    Xlsx,
}

#[derive(Subcommand)]
enum Command {
    /// Upload image files and folders as new images, journaled and resumable (was `bp-upload`).
    ///
    /// `bp upload --help` lists its options and exit status (those of `bp-upload`, its earlier
    /// name, kept as an alias for one release).
    #[command(disable_help_flag = true)]
    Upload {
        /// Options and paths, as `bp upload --help` describes them.
        #[arg(
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "OPTIONS AND PATHS"
        )]
        args: Vec<OsString>,
    },
    /// Export a folder, a quick search or chosen images to CSV (UTF-8 with BOM) or XLSX.
    Export {
        /// The image folder's id.
        #[arg(long)]
        folder: String,
        /// Only images whose number or name contains TEXT.
        #[arg(long, value_name = "TEXT", conflicts_with = "ids")]
        search: Option<String>,
        /// Only these images (ids, comma-separated).
        #[arg(long, value_name = "ID,...", value_delimiter = ',')]
        ids: Option<Vec<String>>,
        /// The file format (default: from -o's extension, else csv).
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
        /// Where to write (default: CSV to standard output).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Bulk edit a folder's images: prints the preview, then applies it as a journaled edit.
    Edit {
        /// The image folder's id.
        #[arg(long)]
        folder: String,
        /// These images (ids, comma-separated).
        #[arg(long, value_name = "ID,...", value_delimiter = ',', conflicts_with_all = ["search", "all"])]
        ids: Option<Vec<String>>,
        /// Images whose number or name contains TEXT.
        #[arg(long, value_name = "TEXT", conflicts_with = "all")]
        search: Option<String>,
        /// Every image of the folder.
        #[arg(long)]
        all: bool,
        /// Give FIELD (id or name) this value, typed as in a sheet cell. Repeatable.
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        set: Vec<String>,
        /// Empty FIELD. Repeatable.
        #[arg(long = "clear", value_name = "FIELD")]
        clear: Vec<String>,
        /// Add items (separated by , or ;) to a multi-value FIELD. Repeatable.
        #[arg(long = "add", value_name = "FIELD=ITEMS")]
        add: Vec<String>,
        /// Remove items from a multi-value FIELD. Repeatable.
        #[arg(long = "remove", value_name = "FIELD=ITEMS")]
        remove: Vec<String>,
        /// Print the preview only; send nothing.
        #[arg(long)]
        dry_run: bool,
        /// The journal to write (default: bp-edit-<UTC time>.jsonl in the current folder).
        #[arg(long, value_name = "PATH")]
        journal: Option<PathBuf>,
    },
    /// Import an edited CSV or XLSX: prints the diff, then applies it as a journaled bulk edit.
    Import {
        /// The sheet (.csv or .xlsx), matched to images by the Image Number column.
        file: PathBuf,
        /// The image folder's id.
        #[arg(long)]
        folder: String,
        /// Print the diff only; send nothing.
        #[arg(long)]
        dry_run: bool,
        /// The journal to write (default: next to FILE, named after it and the time).
        #[arg(long, value_name = "PATH")]
        journal: Option<PathBuf>,
    },
    /// Finish an interrupted edit and retry its failed images (each is checked first).
    Resume {
        /// The journal `bp import` printed.
        journal: PathBuf,
    },
    /// Watch a local folder and upload every image that appears in it (a hot folder), until
    /// Ctrl+C. Files are taken once completely written; with --rules, numbered and filled in
    /// by the naming rule and embedded metadata, and refused files move to DIR/_rejected with
    /// a note. Restarting with the same journal uploads nothing twice.
    Watch {
        /// The local folder to watch.
        dir: PathBuf,
        /// The image folder's id.
        #[arg(long)]
        folder: String,
        /// Intake settings (naming rule and metadata mapping) as JSON; see crates/cli/README.md.
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
        /// Move uploaded files to DIR/_uploaded.
        #[arg(long)]
        move_uploaded: bool,
        /// The upload journal (SQLite); the hot folder's own journal goes beside it.
        #[arg(long, value_name = "PATH")]
        journal: PathBuf,
    },
    /// Put back the previous values of every image an edit changed.
    Undo {
        /// The journal of the edit to revert.
        journal: PathBuf,
        /// The undo's own journal (default: JOURNAL's name with `.undo`).
        #[arg(long = "journal", value_name = "PATH")]
        undo_journal: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    // `bp upload` reads its arguments exactly as `bp-upload` does (clap would eat a leading
    // `--`): the same options, output and exit status, from one implementation.
    if std::env::args_os().nth(1).is_some_and(|a| a == "upload") {
        return upload_queue::cli::main_with_rules(
            "bp upload",
            None,
            std::env::args_os().skip(2),
            Some(rules::planner()),
        );
    }
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("bp: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("bp: {e}");
            ExitCode::from(2)
        }
    }
}

async fn run(command: Command) -> Result<bool, CliError> {
    let library = connect::library_from_env()?;
    match command {
        Command::Upload { .. } => unreachable!("`bp upload` is run by main before clap parses"),
        Command::Export {
            folder,
            search,
            ids,
            format,
            output,
        } => {
            let source = match (search, ids) {
                (Some(text), _) => Source::Search(text),
                (None, Some(ids)) => Source::Ids(ids),
                (None, None) => Source::Folder,
            };
            let format = format.map(|f| match f {
                FormatArg::Csv => Format::Csv,
                FormatArg::Xlsx => Format::Xlsx,
            });
            commands::export(&library, &folder, source, format, output.as_deref()).await
        }
        Command::Edit {
            folder,
            ids,
            search,
            all,
            set,
            clear,
            add,
            remove,
            dry_run,
            journal,
        } => {
            let source = match (ids, search, all) {
                (Some(ids), _, _) => Source::Ids(ids),
                (None, Some(text), _) => Source::Search(text),
                (None, None, true) => Source::Folder,
                (None, None, false) => {
                    return Err(CliError::Usage(
                        "choose the images: --ids ID,..., --search TEXT or --all".into(),
                    ))
                }
            };
            let ops = set
                .into_iter()
                .map(edit::Op::Set)
                .chain(clear.into_iter().map(edit::Op::Clear))
                .chain(add.into_iter().map(edit::Op::Add))
                .chain(remove.into_iter().map(edit::Op::Remove))
                .collect();
            edit::edit(&library, &folder, source, ops, dry_run, journal).await
        }
        Command::Import {
            file,
            folder,
            dry_run,
            journal,
        } => commands::import(&library, &file, &folder, dry_run, journal).await,
        Command::Resume { journal } => commands::resume(&library, &journal).await,
        Command::Undo {
            journal,
            undo_journal,
        } => commands::undo(&library, &journal, undo_journal).await,
        Command::Watch {
            dir,
            folder,
            rules,
            move_uploaded,
            journal,
        } => {
            watch::watch(
                library,
                watch::WatchArgs {
                    dir,
                    folder,
                    rules,
                    move_uploaded,
                    journal,
                },
            )
            .await
        }
    }
}
