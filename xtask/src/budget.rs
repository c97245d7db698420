//! The size budget of dist/: what a first visit downloads, printed after every build.
//!
//! Budget (issue: embed and offline): the wasm at most 1 MB gzip, everything a first visit fetches
//! (page, scripts, styles, wasm, the shipped model) at most 6 MB. Sizes are gzip sizes, since a
//! static host sends text and wasm compressed. Going over is reported, not an error: the numbers
//! say how far over, and the build still serves.

use std::fs;
use std::io::Write;
use std::path::Path;

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::build::{files_under, relative_name};

const WASM_GZIP_BUDGET: u64 = 1_000_000;
const FIRST_VISIT_GZIP_BUDGET: u64 = 6_000_000;

/// One row of the report: a kind of file, how many, and their bytes raw and gzipped.
#[derive(Default)]
struct Row {
    files: usize,
    raw: u64,
    gzip: u64,
}

/// The kinds of file the report counts, in its order.
const KINDS: [&str; 6] = ["wasm", "JS", "CSS", "HTML", "other", "model"];

/// Which of [`KINDS`] a file of dist/ is (`name`: its path relative to dist/).
fn kind_of(name: &str) -> usize {
    if name.starts_with("models/") {
        return 5;
    }
    match name.rsplit_once('.').map_or("", |(_, ext)| ext) {
        "wasm" => 0,
        "js" => 1,
        "css" => 2,
        "html" => 3,
        _ => 4,
    }
}

pub fn report(dist: &Path) -> Result<(), String> {
    let mut rows: Vec<Row> = KINDS.iter().map(|_| Row::default()).collect();
    for path in files_under(dist)? {
        let bytes = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let row = &mut rows[kind_of(&relative_name(dist, &path))];
        row.files += 1;
        row.raw += bytes.len() as u64;
        row.gzip += gzip_size(&bytes)?;
    }
    println!("Size budget (bytes; gzip is what a static host sends):");
    println!("  {:<6} {:>5} {:>12} {:>12}", "", "files", "raw", "gzip");
    for (kind, row) in KINDS.iter().zip(&rows) {
        println!(
            "  {kind:<6} {:>5} {:>12} {:>12}",
            row.files,
            group(row.raw),
            group(row.gzip)
        );
    }
    let total: u64 = rows.iter().map(|r| r.gzip).sum();
    let wasm = rows[0].gzip;
    println!(
        "  wasm {} gzip: {} (budget {})",
        group(wasm),
        verdict(wasm, WASM_GZIP_BUDGET),
        group(WASM_GZIP_BUDGET)
    );
    println!(
        "  first visit {} gzip: {} (budget {})",
        group(total),
        verdict(total, FIRST_VISIT_GZIP_BUDGET),
        group(FIRST_VISIT_GZIP_BUDGET)
    );
    Ok(())
}

fn gzip_size(bytes: &[u8]) -> Result<u64, String> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).map_err(|e| e.to_string())?;
    Ok(encoder.finish().map_err(|e| e.to_string())?.len() as u64)
}

fn verdict(bytes: u64, budget: u64) -> String {
    if bytes <= budget {
        "within budget".to_string()
    } else {
        format!("OVER BUDGET by {}", group(bytes - budget))
    }
}

/// 1234567 → "1,234,567".
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
