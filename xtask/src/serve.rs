//! A static file server for dist/ on 127.0.0.1: tower-http's `ServeDir` (MIME types from the file
//! extension, above all `application/wasm`, which `WebAssembly.instantiateStreaming` insists on;
//! `..` refused; a folder means its index.html) behind axum, on a small tokio runtime in a
//! background thread.
//!
//! (It used tiny_http until a browser test caught a page load hanging: tiny_http's connection pool
//! can leave a new connection queued behind idle keep-alive ones — its `spawn` counts a waiting
//! thread that an earlier connection has already claimed — and browsers open several at once.)

use std::path::Path;
use std::thread::JoinHandle;

use axum::http::{header, HeaderValue};
use axum::Router;
use tokio::sync::oneshot;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

pub struct Server {
    port: u16,
    stop: oneshot::Sender<()>,
    thread: JoinHandle<()>,
}

impl Server {
    /// Serves `root` on 127.0.0.1:`port` (0: any free port) from a background thread.
    pub fn start(root: &Path, port: u16) -> Result<Server, String> {
        if !root.join("index.html").is_file() {
            return Err(format!(
                "{}: no index.html (run `cargo xtask build-web`)",
                root.display()
            ));
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the server's runtime: {e}"))?;
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))
            .map_err(|e| {
                format!("cannot listen on 127.0.0.1:{port}: {e} (--port 0 picks a free port)")
            })?;
        let port = listener
            .local_addr()
            .map_err(|e| format!("the server has no address: {e}"))?
            .port();
        // `no-cache`: the browser asks again each time (a rebuilt page is never stale);
        // `nosniff`: files are only what their type says.
        let app = Router::new()
            .fallback_service(ServeDir::new(root))
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-cache"),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ));
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let served = runtime.block_on(async {
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await
            });
            if let Err(e) = served {
                eprintln!("serve: {e}");
            }
        });
        Ok(Server { port, stop, thread })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Blocks while the server runs (until the process is stopped).
    pub fn wait(self) {
        let _ = self.thread.join();
    }

    pub fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.thread.join();
    }
}
