//! The database commands: `db init`, `load`, `aggregate`, and reading tables from a database.

use anyhow::{Context, Result, anyhow, bail};
use nianbao_core::aggregate::{differences, roll_up};
use nianbao_io::LoadedDataset;
use nianbao_store::{LoadOptions, Provenance, ReadLayer, ReadScope, Store};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Where the database is: a SQLite file (the default) or a PostgreSQL URL.
#[derive(clap::Args, Debug, Clone)]
pub struct Location {
    /// SQLite database file (created if missing).
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// PostgreSQL URL, e.g. postgres://user@host/db (also NIANBAO_DATABASE_URL).
    #[arg(long, env = "NIANBAO_DATABASE_URL", conflicts_with = "db")]
    pub database_url: Option<String>,
    /// The framework the stored values follow.
    #[arg(long, default_value = "frameworks/zhongzhi-2024.toml")]
    pub framework: PathBuf,
}

/// The default SQLite file when neither --db nor --database-url is given.
pub const DEFAULT_DB: &str = "nianbao.sqlite";

impl Location {
    /// What `nianbao_store::open` takes: the URL or the SQLite path.
    pub fn describe_for_open(&self) -> String {
        match (&self.database_url, &self.db) {
            (Some(url), _) => url.clone(),
            (None, Some(path)) => path.display().to_string(),
            (None, None) => DEFAULT_DB.to_string(),
        }
    }

    fn describe(&self) -> String {
        match (&self.database_url, &self.db) {
            (Some(url), _) => redact(url),
            (None, Some(path)) => path.display().to_string(),
            (None, None) => DEFAULT_DB.to_string(),
        }
    }
}

/// A URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme + 3], &credentials[..colon], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")
}

pub async fn open(location: &Location) -> Result<Box<dyn Store>> {
    let store: Box<dyn Store> = match (&location.database_url, &location.db) {
        (Some(url), _) => Box::new(
            nianbao_store::PostgresStore::connect(url).await.with_context(|| format!("opening {}", redact(url)))?,
        ),
        (None, path) => {
            let path = path.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_DB));
            Box::new(
                nianbao_store::SqliteStore::open(&path).await.with_context(|| format!("opening {}", path.display()))?,
            )
        }
    };
    Ok(store)
}

pub fn framework(location: &Location) -> Result<nianbao_core::Framework> {
    nianbao_io::load_framework_file(&crate::bundled::resolve(&location.framework))
        .map_err(|problems| anyhow!("cannot load framework {}:\n{problems}", location.framework.display()))
}

pub fn init(location: &Location) -> Result<ExitCode> {
    let framework = framework(location)?;
    runtime()?.block_on(async {
        let store = open(location).await?;
        store.bind_framework(&framework).await?;
        println!(
            "{} database ready at {} (framework {} {})",
            store.backend(),
            location.describe(),
            framework.id,
            framework.version
        );
        Ok(ExitCode::SUCCESS)
    })
}

pub fn set_year_closed(location: &Location, year: i32, closed: bool) -> Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(location).await?;
        store.set_year_closed(year, closed).await?;
        println!("{year} is now {}", if closed { "closed" } else { "open" });
        Ok(ExitCode::SUCCESS)
    })
}

pub fn status(location: &Location) -> Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(location).await?;
        let (reported, aggregated, history) = store.counts().await?;
        let orgs = store.org_units().await?.len();
        println!("{} at {}: {orgs} org units, {reported} reported values, {aggregated} aggregated values, {history} history entries", store.backend(), location.describe());
        Ok(ExitCode::SUCCESS)
    })
}

pub fn load(directory: &Path, location: &Location) -> Result<ExitCode> {
    let loaded = crate::load_raw(directory)?;
    let stored_framework = framework(location)?;
    if stored_framework.id != loaded.framework.id || stored_framework.version != loaded.framework.version {
        return Err(anyhow!(
            "{} follows framework {} {}, the database {} {}",
            directory.display(),
            loaded.framework.id,
            loaded.framework.version,
            stored_framework.id,
            stored_framework.version
        ));
    }
    let total = loaded.dataset.value_count();
    runtime()?.block_on(async {
        let store = open(location).await?;
        let options = LoadOptions {
            provenance: Provenance::Imported,
            actor: std::env::var("USER").unwrap_or_else(|_| "nianbao".into()),
            reason: format!("nianbao load {}", directory.display()),
        };
        let progress = |done: usize, all: usize| {
            if all >= 100_000 {
                eprint!("\rloading {done}/{all} values");
                if done == all {
                    eprintln!();
                }
            }
        };
        let report = store.load(&loaded.framework, &loaded.dataset, &options, &progress).await?;
        println!(
            "loaded {} into {}: {} org units added, {} values inserted, {} updated, {} unchanged (of {total})",
            directory.display(),
            location.describe(),
            report.orgs_added,
            report.values_inserted,
            report.values_updated,
            report.values_unchanged
        );
        Ok(ExitCode::SUCCESS)
    })
}

pub fn aggregate(location: &Location, year: i32, org: Option<&str>) -> Result<ExitCode> {
    let framework = framework(location)?;
    runtime()?.block_on(async {
        let store = open(location).await?;
        store.bind_framework(&framework).await?;
        let scope = match org {
            Some(root) => ReadScope::subtree(root, &[year]),
            None => ReadScope::everything(),
        };
        let mut dataset = store.read_scoped(&framework, ReadLayer::Reported, &scope).await?;
        nianbao_core::completeness::fill_copies(&framework, &mut dataset);
        let rolled = match org {
            Some(root) => {
                let Some(index) = dataset.org_index(root) else { bail!("unknown org unit {root:?}") };
                nianbao_core::aggregate::roll_up_within(&framework, &dataset, year, index)
            }
            None => roll_up(&framework, &dataset, year),
        };
        let outcome = store.replace_aggregates(&framework, &dataset, &rolled, "nianbao aggregate").await?;
        println!("aggregated {year}: {} values for {} org units above the schools", outcome.written, outcome.units);
        if !outcome.marked_stale.is_empty() {
            println!(
                "marked for re-aggregation (their schools' figures changed below them): {}",
                outcome.marked_stale.join(", ")
            );
        }
        // A sum beyond an exact decimal's range gives no aggregate: named here, and the exit says so.
        for &(org, index) in &rolled.overflows {
            let indicator = framework.indicator(index);
            eprintln!(
                "  {} {year}「{}」({}): the schools' figures add up beyond what can be computed exactly; no aggregate was stored — check the schools' values",
                dataset.orgs[org].name,
                indicator.printed_label(),
                indicator.id
            );
        }
        let found = differences(&framework, &dataset, &rolled);
        if found.is_empty() {
            println!("every figure entered above the schools equals the aggregate of its schools");
        } else {
            println!("{} figure(s) entered above the schools differ from the aggregate of their schools:", found.len());
            for difference in &found {
                let indicator = framework.indicator(difference.indicator);
                let (reporting, schools) = rolled.coverage(difference.org, difference.indicator);
                println!(
                    "  {} {}「{}」{}: entered {}, aggregated {} ({reporting}/{schools} schools)",
                    dataset.orgs[difference.org].name,
                    year,
                    indicator.printed_label(),
                    indicator.printed_unit(),
                    difference.entered.format(indicator.decimals),
                    difference.aggregated.format(indicator.decimals)
                );
            }
        }
        Ok(if rolled.overflows.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
    })
}

/// Reads the stored values as a dataset, for the table commands.
pub fn read(location: &Location, layer: ReadLayer) -> Result<LoadedDataset> {
    read_scoped(location, layer, &ReadScope::everything())
}

/// Reads the stored values of one subtree and some years (the whole org tree, always).
pub fn read_scoped(location: &Location, layer: ReadLayer, scope: &ReadScope) -> Result<LoadedDataset> {
    let framework = framework(location)?;
    runtime()?.block_on(async {
        let store = open(location).await?;
        store.bind_framework(&framework).await?;
        let mut dataset = store.read_scoped(&framework, layer, scope).await?;
        dataset.name = format!("{} ({})", location.describe(), store.backend());
        Ok(LoadedDataset {
            framework,
            framework_path: location.framework.clone(),
            dataset,
            directory: PathBuf::from(location.describe()),
        })
    })
}

/// The workflow status of every school-year recorded in the database, for `years`.
pub fn statuses(
    location: &Location,
    years: &[i32],
) -> Result<std::collections::HashMap<(String, i32), nianbao_store::SubmissionStatus>> {
    runtime()?.block_on(async {
        let store = open(location).await?;
        let mut statuses = std::collections::HashMap::new();
        for &year in years {
            for submission in store.submissions(year).await? {
                statuses.insert((submission.org_id, year), submission.status);
            }
        }
        Ok(statuses)
    })
}

/// Marks every school's return of `years` approved (the demo's sample data), recording `comment`.
pub fn approve_every_school(location: &Location, years: &[i32], comment: &str) -> Result<()> {
    use nianbao_store::{SubmissionStatus, Transition};
    runtime()?.block_on(async {
        let store = open(location).await?;
        for unit in store.org_units().await?.iter().filter(|u| u.level == nianbao_core::OrgLevel::School) {
            for &year in years {
                store
                    .transition(&Transition {
                        org_id: &unit.id,
                        year,
                        from: &[SubmissionStatus::NotStarted, SubmissionStatus::Draft, SubmissionStatus::Submitted],
                        to: SubmissionStatus::Approved,
                        actor: "nianbao demo",
                        comment,
                        action: "approve",
                        expected_revision: None,
                    })
                    .await?;
            }
        }
        Ok(())
    })
}

/// `nianbao db backup`: a consistent copy of a SQLite database, taken while it is in use.
pub fn backup(location: &Location, to: &Path) -> Result<ExitCode> {
    if location.database_url.is_some() {
        return Err(anyhow!(
            "a PostgreSQL database is backed up with pg_dump (see docs/deploy.md), e.g. pg_dump --format=custom --file=nianbao.dump \"$NIANBAO_DATABASE_URL\""
        ));
    }
    let path = location.db.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_DB));
    if !path.exists() {
        return Err(anyhow!("no database at {}", path.display()));
    }
    runtime()?.block_on(async {
        let store = nianbao_store::SqliteStore::open(&path).await?;
        store.backup_to(to).await?;
        println!("backed up {} to {}", path.display(), to.display());
        Ok(ExitCode::SUCCESS)
    })
}
