//! `cargo xtask …`: the page's build, server and browser tests.
//!
//! ```text
//! cargo xtask build-web [--no-opt]        wasm + page + model into dist/
//! cargo xtask serve [--port P] [--no-build]   build, then serve dist/ on 127.0.0.1 (P = 0: any free port)
//! cargo xtask test-web [--no-build]       build, serve on a free port, run tests/browser/ in Chromium
//! ```

mod budget;
mod build;
mod serve;

use std::path::PathBuf;
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: cargo xtask build-web [--no-opt]
       cargo xtask serve [--port P] [--no-build]
       cargo xtask test-web [--no-build]";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<(), String> {
    let (command, flags) = args.split_first().ok_or(USAGE)?;
    let mut flags = Flags(flags.to_vec());
    match command.as_str() {
        "build-web" => {
            let optimize = !flags.take_switch("--no-opt");
            flags.done()?;
            build::build_web(optimize)
        }
        "serve" => {
            let port = flags.take_value("--port")?.unwrap_or_else(|| "8080".into());
            let port: u16 = port
                .parse()
                .map_err(|_| format!("--port: `{port}` is not a port"))?;
            let build = !flags.take_switch("--no-build");
            flags.done()?;
            if build {
                build::build_web(true)?;
            }
            let server = serve::Server::start(&build::dist_dir(), port)?;
            println!("Serving dist/ at {}  (Ctrl-C to stop)", server.url());
            server.wait();
            Ok(())
        }
        "test-web" => {
            let build = !flags.take_switch("--no-build");
            flags.done()?;
            if build {
                build::build_web(true)?;
            }
            test_web()
        }
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n{USAGE}")),
    }
}

/// Serves dist/ on a free port, runs the browser tests against it, stops the server.
fn test_web() -> Result<(), String> {
    let root = build::root();
    let server = serve::Server::start(&build::dist_dir(), 0)?;
    println!("Serving dist/ at {} for the browser tests", server.url());
    let status = Command::new("node")
        .args(["--test", "--test-concurrency=1", "tests/browser/"])
        .env("TINY_REASONER_URL", server.url())
        .current_dir(&root)
        .status()
        .map_err(|e| format!("node: {e} (run scripts/setup.sh)"))?;
    server.stop();
    if status.success() {
        Ok(())
    } else {
        Err(format!("browser tests failed ({status})"))
    }
}

/// Command-line flags after the command: `--name value` pairs and switches, each used once.
struct Flags(Vec<String>);

impl Flags {
    fn take_switch(&mut self, name: &str) -> bool {
        let found = self.0.iter().position(|a| a == name);
        found.map(|i| self.0.remove(i)).is_some()
    }

    fn take_value(&mut self, name: &str) -> Result<Option<String>, String> {
        let prefix = format!("{name}=");
        if let Some(i) = self.0.iter().position(|a| a.starts_with(&prefix)) {
            return Ok(Some(self.0.remove(i)[prefix.len()..].to_string()));
        }
        match self.0.iter().position(|a| a == name) {
            None => Ok(None),
            Some(i) if i + 1 < self.0.len() => {
                self.0.remove(i);
                Ok(Some(self.0.remove(i)))
            }
            Some(_) => Err(format!("{name} needs a value")),
        }
    }

    fn done(self) -> Result<(), String> {
        match self.0.first() {
            None => Ok(()),
            Some(extra) => Err(format!("unexpected argument `{extra}`\n{USAGE}")),
        }
    }
}

/// Runs a command to completion, echoing it first; a failure names the command.
fn run_command(command: &mut Command, hint: &str) -> Result<(), String> {
    let shown = format!("{command:?}").replace('"', "");
    println!("> {shown}");
    let status = command
        .status()
        .map_err(|e| format!("{shown}: {e}{hint}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown}: {status}{hint}"))
    }
}

/// The target directory cargo builds into (respects CARGO_TARGET_DIR).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| build::root().join("target"))
}
