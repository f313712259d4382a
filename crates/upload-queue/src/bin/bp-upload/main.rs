//! `bp-upload`: the earlier name of `bp upload`, kept as an alias for one release. The same
//! options, output and exit status: both run `upload_queue::cli::main`.

fn main() -> std::process::ExitCode {
    upload_queue::cli::main(
        "bp-upload",
        Some(upload_queue::cli::BP_UPLOAD_NOTE),
        std::env::args_os().skip(1),
    )
}
