//! A static file server for dist/ on 127.0.0.1, with the MIME types a page needs (above all
//! `application/wasm`, which `WebAssembly.instantiateStreaming` insists on).

use std::fs::File;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use tiny_http::{Header, Method, Request, Response};

/// Enough threads that the model's files download side by side.
const THREADS: usize = 4;

pub struct Server {
    http: Arc<tiny_http::Server>,
    port: u16,
    threads: Vec<JoinHandle<()>>,
}

impl Server {
    /// Serves `root` on 127.0.0.1:`port` (0: any free port) from background threads.
    pub fn start(root: &Path, port: u16) -> Result<Server, String> {
        if !root.join("index.html").is_file() {
            return Err(format!(
                "{}: no index.html (run `cargo xtask build-web`)",
                root.display()
            ));
        }
        let http = tiny_http::Server::http(("127.0.0.1", port)).map_err(|e| {
            format!("cannot listen on 127.0.0.1:{port}: {e} (--port 0 picks a free port)")
        })?;
        let port = http
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .ok_or("the server has no IP address")?;
        let http = Arc::new(http);
        let threads = (0..THREADS)
            .map(|_| {
                let (http, root) = (http.clone(), root.to_path_buf());
                std::thread::spawn(move || {
                    for request in http.incoming_requests() {
                        handle(&root, request);
                    }
                })
            })
            .collect();
        Ok(Server {
            http,
            port,
            threads,
        })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Blocks while the server runs (until the process is stopped).
    pub fn wait(self) {
        for thread in self.threads {
            let _ = thread.join();
        }
    }

    pub fn stop(self) {
        // Each unblock releases one thread waiting for a request.
        for _ in 0..THREADS {
            self.http.unblock();
        }
        for thread in self.threads {
            let _ = thread.join();
        }
    }
}

fn handle(root: &Path, request: Request) {
    let result = match request.method() {
        Method::Get | Method::Head => match resolve(root, request.url()) {
            Some(path) => match File::open(&path) {
                Ok(file) => {
                    let response = Response::from_file(file)
                        .with_header(header("Content-Type", content_type(&path)))
                        .with_header(header("Cache-Control", "no-cache"))
                        .with_header(header("X-Content-Type-Options", "nosniff"));
                    request.respond(response)
                }
                Err(_) => request.respond(text(404, "not found")),
            },
            None => request.respond(text(404, "not found")),
        },
        _ => request.respond(text(405, "method not allowed")),
    };
    if let Err(e) = result {
        eprintln!("serve: {e}");
    }
}

/// The file a URL names inside `root`: query and fragment dropped, `%XX` decoded, `..` refused,
/// a folder means its index.html.
fn resolve(root: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next()?;
    let decoded = percent_decode(path)?;
    let relative = Path::new(decoded.trim_start_matches('/'));
    if !relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let mut full = root.join(relative);
    if full.is_dir() {
        full.push("index.html");
    }
    full.is_file().then_some(full)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let s = String::from_utf8(out).ok()?;
    (!s.contains(['\\', '\0'])).then_some(s)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "txt" | "md" | "jinja" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header is valid")
}

fn text(status: u16, body: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_string(body)
        .with_status_code(status)
        .with_header(header("Content-Type", "text/plain; charset=utf-8"))
}
