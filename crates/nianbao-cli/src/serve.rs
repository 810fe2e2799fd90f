//! `nianbao serve` and `nianbao user`: run the web application, manage accounts and API tokens.

use crate::database::{Location, runtime};
use anyhow::{Context, Result, anyhow, bail};
use nianbao_server::{AppState, ServerConfig};
use nianbao_store::{Account, Role, Store};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

async fn open(location: &Location) -> Result<Arc<dyn Store>> {
    Ok(Arc::from(crate::database::open(location).await?))
}

/// Options of `nianbao serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub location: Location,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "NIANBAO_BIND")]
    pub bind: SocketAddr,
    /// The year open for data entry (default: the latest year holding values).
    #[arg(long)]
    pub year: Option<i32>,
    /// Mark cookies Secure (when served over HTTPS).
    #[arg(long)]
    pub secure_cookies: bool,
    /// A reverse proxy in front of the server (repeatable): from this address, the client is read
    /// from `X-Forwarded-For`, so sign-in back-off applies per client, not to the proxy.
    #[arg(long = "trusted-proxy", value_name = "IP")]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Start from a fresh demonstration database (sample data, demo accounts) at --db or
    /// out/serve-demo.sqlite.
    #[arg(long)]
    pub demo: bool,
    /// Log format: text or json.
    #[arg(long, default_value = "text")]
    pub log_format: String,
}

fn init_logging(format: &str) -> Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("NIANBAO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        "json" => builder.json().try_init().map_err(|e| anyhow!("{e}")),
        "text" => builder.try_init().map_err(|e| anyhow!("{e}")),
        other => bail!("unknown log format {other:?}: text or json"),
    }
}

pub fn serve(mut args: ServeArgs) -> Result<ExitCode> {
    init_logging(&args.log_format)?;
    let framework = crate::database::framework(&args.location)?;
    // The server uses every core; the other commands share the CLI's small runtime.
    let server_runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")?;
    server_runtime.block_on(async {
        if args.demo && args.location.database_url.is_none() {
            let db = args.location.db.clone().unwrap_or_else(|| PathBuf::from("out/serve-demo.sqlite"));
            if let Some(parent) = db.parent() {
                std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
            }
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
            }
            args.location.db = Some(db);
        }
        let store = open(&args.location).await?;
        if args.demo {
            let accounts = nianbao_server::demo::seed(
                store.as_ref(),
                &framework,
                &crate::bundled::resolve(Path::new("datasets/ganzhou-sample")),
                2023,
            )
            .await
            .map_err(|e| anyhow!("seeding the demo: {e}"))?;
            eprintln!(
                "demo: {} accounts, password {:?} (sample only), e.g. admin, ganzhou-editor, yudu-reviewer, yudu-s1",
                accounts.len(),
                nianbao_server::demo::DEMO_PASSWORD
            );
        }
        let year = match args.year {
            Some(year) => year,
            None => {
                let dataset = store.read_dataset(&framework, nianbao_store::ReadLayer::Reported).await?;
                *dataset.years().last().context("the database holds no values: give --year")?
            }
        };
        let mut config = ServerConfig::for_year(year);
        config.secure_cookies = args.secure_cookies;
        config.trusted_proxies = args.trusted_proxies.clone();
        let state = AppState::new(store, framework, config).await?;
        tracing::info!(
            year,
            backend = args.location.describe_for_open().split("://").next().unwrap_or(""),
            "open year"
        );
        // The review list's checks of every return, made in the background while serving.
        let warming = state.clone();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            match nianbao_server::access::warm_review_cache(&warming).await {
                Ok(checked) => {
                    tracing::info!(checked, seconds = started.elapsed().as_secs_f64(), "review list checks ready")
                }
                Err(error) => tracing::warn!(%error, "review list checks not made ahead (made on first view)"),
            }
        });
        nianbao_server::serve(state, args.bind).await.context("serving")?;
        Ok(ExitCode::SUCCESS)
    })
}

/// `nianbao user add`: creates or updates an account; the password comes from
/// NIANBAO_PASSWORD or the first line of standard input.
pub fn add_user(location: &Location, username: &str, role: &str, org: &str, name: Option<&str>) -> Result<ExitCode> {
    let role = Role::from_name(role).ok_or_else(|| anyhow!("unknown role {role:?}: admin, city, county or school"))?;
    if username.is_empty()
        || username.len() > 64
        || !username.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        bail!("user names are 1–64 ASCII letters, digits, '-', '_' or '.'");
    }
    let password = match std::env::var("NIANBAO_PASSWORD") {
        Ok(password) => password,
        Err(_) => {
            eprintln!("password for {username} (one line on standard input):");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).context("reading the password")?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    let display_name = name.unwrap_or(username);
    if let Err(problem) = nianbao_server::password::check_new_password(&password, username, display_name) {
        bail!("{}", problem.message_en());
    }
    let hash = nianbao_server::auth::hash_password(&password).map_err(|e| anyhow!("{e}"))?;
    runtime()?.block_on(async {
        let store = open(location).await?;
        store
            .add_account(&Account {
                username: username.to_string(),
                password_hash: hash,
                role,
                org_id: org.to_string(),
                display_name: display_name.to_string(),
                created_at: String::new(),
                must_change_password: false,
                password_changed_at: String::new(),
            })
            .await?;
        // A new password for an existing account ends its sessions.
        let ended = store.delete_sessions_of(username).await?;
        if ended > 0 {
            println!("{ended} session(s) of {username} ended");
        }
        println!("account {username}: {} of {org}", role.as_str());
        Ok(ExitCode::SUCCESS)
    })
}

/// `nianbao user token`: prints a new API token (only its hash is stored).
pub fn token(location: &Location, username: &str, label: &str) -> Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(location).await?;
        let token =
            nianbao_server::demo::create_token(store.as_ref(), username, label).await.map_err(|e| anyhow!(e))?;
        println!("{token}");
        Ok(ExitCode::SUCCESS)
    })
}

/// `nianbao user revoke`: revokes every API token of an account (servers forget cached tokens
/// within a minute).
pub fn revoke(location: &Location, username: &str) -> Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(location).await?;
        let revoked = store.revoke_api_tokens(username).await?;
        println!("revoked {revoked} API token(s) of {username}");
        Ok(ExitCode::SUCCESS)
    })
}

/// `nianbao user list`.
pub fn list(location: &Location) -> Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(location).await?;
        for account in store.accounts().await? {
            println!(
                "{:<24} {:<7} {:<20} {}",
                account.username,
                account.role.as_str(),
                account.org_id,
                account.display_name
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}
