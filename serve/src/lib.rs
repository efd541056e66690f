//! `azpath serve`: the scenario library in a browser, for a class.
//!
//! A small local web application over `azpath-engine`: the library (lessons grouped by topic),
//! a lesson in quiz mode (each answer hidden until the student commits a guess), the topology
//! diagram with a trace drawn on it hop by hop, what-if (a fix beside the scenario it changes)
//! and an editor that checks a scenario as it is typed. Pages are rendered on the server from
//! the engine's typed answers (askama templates, checked at compile time); the browser runs a
//! little plain JavaScript for the quiz, stepping and the editor. Every asset is compiled into
//! the binary, so the class needs no network.
//!
//! Safety: only `.ron` files under the folders (or files) given are served, a path with `..` or
//! one that leaves a folder through a symbolic link is refused, request bodies are bounded, and
//! nothing is written to disk except when the user presses Save in the editor (only over an
//! existing scenario file under a given folder).

#![deny(clippy::print_stdout, clippy::print_stderr)]

mod files;
mod pages;
mod views;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

pub use files::Roots;

/// The largest request body accepted (the editor's scenario text): the engine's own bound on a
/// scenario file.
pub const MAX_BODY: usize = azpath_engine::scenario::MAX_FILE_BYTES;

/// What to serve.
#[derive(Debug, Clone)]
pub struct Config {
    /// Folders or files of scenarios.
    pub paths: Vec<PathBuf>,
    /// Where to listen.
    pub addr: SocketAddr,
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A path given does not exist or cannot be read.
    #[error("{0}")]
    Path(String),
    /// The address could not be bound or the server failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The application: every page and endpoint, with request bodies bounded.
pub fn app(roots: Roots) -> Router {
    let state = Arc::new(roots);
    Router::new()
        .route("/", get(pages::library))
        .route("/lesson/{*path}", get(pages::lesson))
        .route("/whatif/{*path}", get(pages::whatif))
        .route("/edit/{*path}", get(pages::editor))
        .route("/api/lesson/{*path}", get(pages::lesson_json))
        .route("/api/check/{*path}", post(pages::check))
        .route("/api/save/{*path}", post(pages::save))
        .route("/assets/app.js", get(pages::script))
        .route("/assets/app.css", get(pages::stylesheet))
        .fallback(pages::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_BODY))
        .with_state(state)
}

/// Serves `config` until the process is stopped; `ready` is called with the bound address
/// (the caller prints it) once the socket listens.
pub fn run(config: Config, ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    let roots = Roots::new(&config.paths).map_err(ServeError::Path)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.addr).await?;
        ready(listener.local_addr()?);
        axum::serve(listener, app(roots)).await?;
        Ok(())
    })
}
