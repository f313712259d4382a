//! `bp-bench`: our Rust stack against the official Python SDK, side by side, on one local
//! bp-sandbox. Run through `scripts/bench.sh` (not part of the test command).

mod bigfile;
mod bulk;
mod bulk_edit;
mod child;
mod error;
mod fixtures;
mod listing;
mod report;
mod run;
mod sandbox;

use std::path::PathBuf;

use error::{BenchError, Result};

const HELP: &str = "bp-bench [--quick] [--runs N] [--sdk-bulk-runs N] [--files N] [--big-mb N]
         [--list-images N] [--sandbox-bin PATH] [--python PATH] [--benches DIR] [--work DIR]
         [--out BENCHMARKS.md]
bp-bench --bulk-edit [--edit-images N] [--runs N] [--bp-bin PATH] [--sandbox-bin PATH]
         [--python PATH] [--benches DIR] [--work DIR] [--out BENCHMARKS.md]
         (one field set on N images: ours vs the SDK's attributes_update loop; its own section)
bp-bench upload-one --api URL --image-id ID --file PATH   (child mode: one upload, prints JSON)";

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = if args.first().map(String::as_str) == Some("upload-one") {
        upload_one(&args[1..]).await
    } else if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{HELP}");
        Ok(())
    } else {
        match run::Options::parse(&args) {
            Ok(opts) => run::all(opts).await,
            Err(e) => Err(e),
        }
    };
    if let Err(e) = outcome {
        eprintln!("bp-bench: {e}");
        std::process::exit(1);
    }
}

async fn upload_one(args: &[String]) -> Result<()> {
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
            .ok_or_else(|| BenchError::Usage(format!("upload-one needs {name}")))
    };
    let file = PathBuf::from(value("--file")?);
    bigfile::upload_one(&value("--api")?, &value("--image-id")?, &file).await
}
