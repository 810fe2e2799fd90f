//! nianbao-server: the web application — school data entry, review and approval, the city
//! editor, the public portal and the JSON API — over one [`nianbao_store::Store`].
//!
//! Layering inside the crate: handlers (`pages`, `editor`, `portal`, `api`) never touch the store.
//! They authenticate through the extractors in [`auth`] and reach data only through
//! [`access::Access`], which checks the caller's role and org scope before every read or write.
//! A handler that forgets a check therefore cannot leak another school's data.

pub mod access;
pub mod accounts;
pub mod api;
pub mod audit;
pub mod auth;
pub mod demo;
pub mod editor;
pub mod error;
pub mod exchange;
pub mod i18n;
pub mod pages;
pub mod password;
pub mod portal;
pub mod render;
pub mod state;
pub mod tree;

pub use state::{AppState, ServerConfig};

use axum::Router;
use axum::routing::{get, post, put};
use std::net::SocketAddr;
use std::sync::Arc;

/// Every route of the application. The list is also what the authorisation matrix test walks.
pub fn router(state: AppState) -> Router {
    Router::new()
        // Public portal.
        .route("/", get(portal::index))
        .route("/reports/{id}", get(portal::report_html))
        .route("/reports/{id}/{file}", get(portal::report_file))
        .route("/data/{org}", get(portal::org_data))
        .route("/data/{org}/{indicator}", get(portal::indicator_trend))
        .route("/assets/{file}", get(pages::asset))
        .route("/lang/{lang}", get(pages::switch_language))
        // Sign-in.
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        // The workspace.
        .route("/app", get(pages::home))
        .route("/app/account", get(accounts::account))
        .route("/app/account/password", post(accounts::change_password))
        .route("/app/accounts", get(accounts::accounts))
        .route("/app/accounts/{username}/reset", post(accounts::reset_password))
        .route("/app/entry/{org}", get(pages::entry_first_table))
        .route("/app/entry/{org}/{table}", get(pages::entry).post(pages::entry_save))
        .route("/app/explain/{org}", post(pages::explain))
        .route("/app/submit/{org}", post(pages::submit))
        .route("/app/excel/{org}/template.xlsx", get(pages::excel_template))
        .route("/app/excel/{org}", post(pages::excel_upload))
        .route("/app/cases/{org}", get(pages::cases).post(pages::case_save))
        .route("/app/cases/{org}/delete", post(pages::case_delete))
        .route("/app/photos/{id}", get(pages::photo))
        .route("/app/history/{org}/{indicator}", get(pages::value_history))
        .route("/app/audit", get(audit::audit_form).post(audit::audit_upload))
        .route("/app/review", get(pages::review_list))
        .route("/app/export/{file}", get(pages::review_export))
        .route("/app/approve-many", get(pages::approve_many).post(pages::approve_many))
        .route("/app/approve-many/confirm", post(pages::approve_many_confirmed))
        .route("/app/review/deadlines", post(pages::set_deadlines))
        .route("/app/reminders.csv", get(pages::reminders_csv))
        .route("/app/review/{org}", get(pages::review_school))
        .route("/app/review/{org}/{action}", post(pages::review_action))
        .route("/app/editor/{org}", get(editor::editor))
        .route("/app/editor/{org}/aggregate", post(editor::aggregate))
        .route("/app/editor/{org}/choose", post(editor::choose))
        .route("/app/editor/{org}/cases", post(editor::pick_cases))
        .route("/app/editor/{org}/narrative", post(editor::save_narratives))
        .route("/app/editor/{org}/preview", post(editor::preview))
        .route("/app/editor/{org}/draft.html", get(editor::draft))
        .route("/app/editor/{org}/publish", post(editor::publish))
        // JSON API.
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/api/v1/orgs", get(api::orgs))
        .route("/api/v1/orgs/{org}/years/{year}/values", get(api::values))
        .route("/api/v1/orgs/{org}/years/{year}/values/{indicator}", put(api::put_value))
        .route("/api/v1/orgs/{org}/years/{year}/values/{indicator}/history", get(api::history))
        .route("/api/v1/orgs/{org}/years/{year}/findings", get(api::findings))
        .route("/api/v1/orgs/{org}/years/{year}/submission", get(api::submission))
        .route("/api/v1/orgs/{org}/years/{year}/explanations", post(api::explanations))
        .route("/api/v1/orgs/{org}/years/{year}/{action}", post(api::workflow))
        .route("/api/v1/publications", get(api::publications))
        // Anything else: the API's JSON error under /api, the error page elsewhere.
        .fallback(not_found)
        .layer(axum::extract::DefaultBodyLimit::max(state.config.max_upload_bytes + (1 << 20)))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::csrf_guard))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::security_headers))
        .with_state(state)
}

async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        error::ApiError(error::AppError::NotFound).into_response()
    } else {
        error::AppError::NotFound.into_response()
    }
}

/// Serves until Ctrl-C or SIGTERM, then lets requests in flight finish.
pub async fn serve(state: AppState, address: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(address).await?;
    tracing::info!(address = %listener.local_addr()?, "nianbao serving");
    eprintln!("nianbao: serving on http://{}", listener.local_addr()?);
    serve_on(listener, state, shutdown_signal()).await
}

/// Serves on `listener` until `shutdown` completes, then finishes the requests in flight (at
/// most 30 s). A connection that does not send its request headers within
/// [`state::ServerConfig::header_timeout`] (a half-open or slow one, or one idle that long
/// between requests) is closed; beyond [`state::ServerConfig::max_connections`] at once, new
/// connections are closed as they arrive.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use tower::{Service, ServiceExt};
    let (header_timeout, max_connections) = (state.config.header_timeout, state.config.max_connections);
    let connections = Arc::new(tokio::sync::Semaphore::new(max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut make_service = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(header_timeout);
    builder.http2().timer(TokioTimer::new()).keep_alive_interval(Some(header_timeout));
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(%error, "accepting a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            tracing::warn!(%remote, max_connections, "too many connections: closed");
            drop(stream);
            continue;
        };
        let Ok(service) = make_service.call(remote).await;
        let hyper_service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
            service.clone().oneshot(request.map(axum::body::Body::new))
        });
        let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), hyper_service).into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%remote, %error, "connection ended");
            }
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(std::time::Duration::from_secs(30), graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still in flight after 30 s: stopping anyway");
    }
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
    eprintln!("nianbao: shutting down");
}
