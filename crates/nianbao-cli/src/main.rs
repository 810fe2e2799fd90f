//! The `nianbao` command line: a thin layer over the nianbao crates.

use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand};
use nianbao_core::table_view::TableView;
use nianbao_io::LoadedDataset;
use nianbao_report::table_output::{self, TableFormat};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod audit;
mod bundled;
mod database;
mod exchange;
mod report;
mod serve;

#[derive(Parser, Debug)]
#[command(name = "nianbao", version, about = "职业教育质量年度报告 — indicator framework, data and reports")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Work with indicator framework files.
    Framework {
        #[command(subcommand)]
        command: FrameworkCommand,
    },
    /// Print one table of a dataset (e.g. a1 for 附表 1).
    Table {
        /// Table id (t1, t2, a1 … a6, facts).
        table: String,
        #[command(flatten)]
        selection: Selection,
    },
    /// Print every printed table of a dataset, in printed order.
    Tables {
        #[command(flatten)]
        selection: Selection,
        /// Also print tables of figures that the report only states in its text.
        #[arg(long)]
        include_unprinted: bool,
    },
    /// Generate a synthetic school-level sample whose roll-up reproduces published totals.
    ///
    /// Reads the sample's org tree from OUT/orgs.csv and the published figures of ORG from
    /// PUBLISHED, and writes OUT/values.csv (the published figures as entered values of ORG, and
    /// every school's generated figures).
    Sample {
        /// Dataset with the published figures.
        #[arg(long, default_value = "datasets/ganzhou")]
        published: PathBuf,
        /// Sample dataset folder (its dataset.toml and orgs.csv must exist).
        #[arg(long, default_value = "datasets/ganzhou-sample")]
        out: PathBuf,
        /// The org unit whose figures are split over the schools below it.
        #[arg(long, default_value = "ganzhou")]
        org: String,
        #[arg(long, default_value_t = 2024)]
        seed: u64,
    },
    /// Write the generated corpus of messy and hostile workbooks (made from a school's real
    /// template and its county's multi-school workbook) to OUT, with `expected.tsv` saying what
    /// the import must do with each: store exactly the changes listed, or refuse naming the places.
    Corpus {
        #[arg(long, default_value = "datasets/ganzhou-sample")]
        dataset: PathBuf,
        #[arg(long, default_value = "xingguo-s1")]
        school: String,
        #[arg(long, default_value_t = 2024)]
        year: i32,
        #[arg(short = 'o', long)]
        out: PathBuf,
    },
    /// Build a report from a template and write it as HTML, Markdown, DOCX and PDF.
    Report {
        #[command(flatten)]
        source: Source,
        /// Output folder.
        #[arg(long, default_value = "out/report")]
        out: PathBuf,
        /// Comma-separated formats: html, md, docx, pdf, xlsx (the tables).
        #[arg(long = "format", default_value = "html,md,docx,pdf,xlsx")]
        formats: String,
        /// Report template (default: the city template, or the school template for a school).
        #[arg(long)]
        template: Option<PathBuf>,
        /// Exit non-zero, building nothing, when returns under the org unit are not approved or
        /// the report's figures fail a rule.
        #[arg(long)]
        strict: bool,
        /// From a database: include the schools' unreviewed returns (the report says so).
        #[arg(long)]
        drafts: bool,
        /// The PDF's page: official (GB/T 9704 style margins, “— 7 —” page numbers) or plain (A4,
        /// 25 mm margins).
        #[arg(long, default_value = "official", value_parser = ["official", "plain"])]
        page: String,
    },
    /// Audit published reports (PDF, DOCX, text, Markdown, or folders of them): rebuild their
    /// data against the framework and report what does not add up, each at its place. Exits 1
    /// when errors are found.
    Audit(audit::AuditArgs),
    /// Build the demo database from the bundled data and write the Ganzhou 2024 report in every format.
    Demo {
        /// Output folder.
        #[arg(long, default_value = "out/demo")]
        out: PathBuf,
    },
    /// Write an Excel fill-in template for a school and year (or, with --multi, a workbook with one
    /// row per school below an org unit).
    Template {
        /// The school (or, with --multi, the county or city).
        #[arg(long)]
        school: String,
        #[arg(long)]
        year: i32,
        /// Output .xlsx file.
        #[arg(short = 'o', long)]
        out: PathBuf,
        #[arg(long)]
        multi: bool,
        #[command(flatten)]
        location: database::Location,
    },
    /// Import a filled-in template or a multi-school workbook into the database: all or nothing;
    /// every problem is reported at sheet!cell; the validation engine's findings follow.
    Import {
        file: PathBuf,
        /// The school a template must be for (required for school templates); a template of
        /// another school is refused, naming both.
        #[arg(long)]
        school: Option<String>,
        /// The year being imported; values of any other year are refused.
        #[arg(long)]
        year: i32,
        /// Let figures from a file without versions (a CSV, a hand-made workbook) write over
        /// different stored figures; without it those are reported as conflicts and left alone.
        #[arg(long)]
        overwrite: bool,
        #[command(flatten)]
        location: database::Location,
        /// Message language: zh or en.
        #[arg(long, default_value = "zh")]
        lang: String,
    },
    /// Export every table (xlsx), the long-format values (csv) or SDMX-CSV of a year.
    Export {
        #[command(flatten)]
        source: Source,
        /// xlsx, csv or sdmx.
        #[arg(long, default_value = "xlsx")]
        format: String,
        #[arg(short = 'o', long)]
        out: PathBuf,
    },
    /// Create or inspect the database.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Run the web application: data entry, review, the editor, the public portal, the JSON API.
    Serve(serve::ServeArgs),
    /// Accounts and API tokens.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Load a dataset folder (org tree and values) into the database: all or nothing; loading the
    /// same data twice changes nothing.
    Load {
        /// Dataset folder.
        dataset: PathBuf,
        #[command(flatten)]
        location: database::Location,
    },
    /// Aggregate the schools' values up the org tree for a year and store the results beside the
    /// entered figures; reports where entered and aggregated figures differ.
    Aggregate {
        #[arg(long)]
        year: i32,
        /// Only this org unit and the units below it (reads its subtree only); the units above
        /// it are marked for re-aggregation where its figures changed. Default: the whole tree.
        #[arg(long)]
        org: Option<String>,
        #[command(flatten)]
        location: database::Location,
    },
    /// Check a dataset's values for one year against every rule; exit status 1 when errors are found.
    Validate {
        /// Dataset folder.
        #[arg(long, default_value = "datasets/ganzhou")]
        dataset: PathBuf,
        /// Year to check (its previous year is used for year-over-year checks).
        #[arg(long)]
        year: i32,
        /// Only this org unit (default: every unit holding values for the year).
        #[arg(long)]
        org: Option<String>,
        /// text or json.
        #[arg(long, default_value = "text")]
        format: String,
        /// Message language: zh or en.
        #[arg(long, default_value = "zh")]
        lang: String,
    },
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Create or update an account; the password is read from NIANBAO_PASSWORD or standard input.
    Add {
        username: String,
        /// admin, city, county or school.
        #[arg(long)]
        role: String,
        /// The org unit the account is scoped to (with everything below it).
        #[arg(long)]
        org: String,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        location: database::Location,
    },
    /// Print a new API token for an account.
    Token {
        username: String,
        #[arg(long, default_value = "api")]
        label: String,
        #[command(flatten)]
        location: database::Location,
    },
    /// Revoke every API token of an account.
    Revoke {
        username: String,
        #[command(flatten)]
        location: database::Location,
    },
    /// List the accounts.
    List {
        #[command(flatten)]
        location: database::Location,
    },
}

#[derive(Subcommand, Debug)]
enum DbCommand {
    /// Create the database (SQLite file or PostgreSQL schema) and record the framework.
    Init {
        #[command(flatten)]
        location: database::Location,
    },
    /// Close a year: its values can no longer be changed.
    CloseYear {
        year: i32,
        #[command(flatten)]
        location: database::Location,
    },
    /// Reopen a closed year.
    OpenYear {
        year: i32,
        #[command(flatten)]
        location: database::Location,
    },
    /// Counts of stored values and history entries.
    Status {
        #[command(flatten)]
        location: database::Location,
    },
    /// Write a consistent copy of the SQLite database to a new file while it is in use (restore:
    /// stop the server and put the copy in place). For PostgreSQL use `pg_dump` (docs/deploy.md).
    Backup {
        /// The new file to write.
        #[arg(long)]
        to: PathBuf,
        #[command(flatten)]
        location: database::Location,
    },
}

#[derive(Subcommand, Debug)]
enum FrameworkCommand {
    /// Check a framework file and summarise it; every problem is reported with file:line:column.
    Check { file: PathBuf },
}

#[derive(clap::Args, Debug, Clone)]
struct Source {
    /// Dataset folder (holding dataset.toml, orgs.csv, values.csv); the default source.
    #[arg(long, default_value = "datasets/ganzhou", conflicts_with_all = ["db", "database_url"])]
    dataset: PathBuf,
    /// Read from this SQLite database instead of a dataset folder.
    #[arg(long)]
    db: Option<PathBuf>,
    /// Read from this PostgreSQL database instead of a dataset folder.
    #[arg(long)]
    database_url: Option<String>,
    /// With a database: the framework the stored values follow.
    #[arg(long, default_value = "frameworks/zhongzhi-2024.toml")]
    framework: PathBuf,
    /// With a database: reported, aggregated, or combined (reported values, aggregated ones where nothing was reported).
    #[arg(long, default_value = "combined")]
    layer: String,
    /// Report year; the previous year is shown beside it. Defaults to the latest year with data.
    #[arg(long)]
    year: Option<i32>,
    /// Org unit id; defaults to the highest-level unit holding values.
    #[arg(long)]
    org: Option<String>,
}

#[derive(clap::Args, Debug)]
struct Selection {
    #[command(flatten)]
    source: Source,
    /// Output format: text, markdown, csv or json.
    #[arg(long, default_value = "text")]
    format: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Framework { command: FrameworkCommand::Check { file } } => framework_check(&file),
        Command::Table { table, selection } => {
            let loaded = load_selection(&selection.source)?;
            let table = loaded
                .framework
                .table(&table)
                .ok_or_else(|| {
                    let known: Vec<&str> = loaded.framework.tables.iter().map(|t| t.id.as_str()).collect();
                    anyhow!("unknown table {table:?}; tables of {}: {}", loaded.framework.id, known.join(", "))
                })?
                .clone();
            print_tables(&loaded, &selection, &[&table])
        }
        Command::Report { source, out, formats, template, strict, drafts, page } => {
            let from_database = source.db.is_some() || source.database_url.is_some();
            let mut loaded = match (from_database, source.org.as_deref(), source.year) {
                // One org unit's report of a year reads its subtree in the two years it prints,
                // not the whole store (a school's report from a national database reads the school).
                (true, Some(org), Some(year)) => {
                    let scope = nianbao_store::ReadScope::subtree(org, &[year - 1, year]);
                    database::read_scoped(&location_of(&source), nianbao_store::ReadLayer::Reported, &scope)?
                }
                // The schools' returns, rolled up afresh below: never a stored aggregate of drafts.
                (true, _, _) => load_selection_raw(&Source { layer: "reported".into(), ..source.clone() })?,
                (false, _, _) => load_selection_raw(&source)?,
            };
            let year = match source.year {
                Some(year) => year,
                None => *loaded.dataset.years().last().context("the dataset holds no values")?,
            };
            let review = if from_database {
                let location = database::Location {
                    db: source.db.clone(),
                    database_url: source.database_url.clone(),
                    framework: source.framework.clone(),
                };
                Some(database::statuses(&location, &loaded.dataset.years())?)
            } else {
                None
            };
            let page = if page == "plain" {
                nianbao_report::render::PageStyle::PlainA4
            } else {
                nianbao_report::render::PageStyle::Official
            };
            let options = report::ReportOptions { org: source.org.as_deref(), year, strict, drafts, page };
            report::report_reviewed(&mut loaded, review.as_ref(), &options, &out, &formats, template.as_deref())
        }
        Command::Demo { out } => report::demo(&out),
        Command::Audit(args) => audit::audit(&args),
        Command::Corpus { dataset, school, year, out } => corpus(&dataset, &school, year, &out),
        Command::Template { school, year, out, multi, location } => {
            exchange::template(&location, &school, year, &out, multi)
        }
        Command::Import { file, school, year, overwrite, location, lang } => {
            exchange::import(&file, school.as_deref(), year, overwrite, &location, &lang)
        }
        Command::Export { source, format, out } => {
            let from_database = source.db.is_some() || source.database_url.is_some();
            let published = matches!(format.as_str(), "xlsx" | "sdmx");
            let mut loaded = if from_database && published {
                load_selection_raw(&Source { layer: "reported".into(), ..source.clone() })?
            } else {
                load_selection_raw(&source)?
            };
            let year = match source.year {
                Some(year) => year,
                None => *loaded.dataset.years().last().context("the dataset holds no values")?,
            };
            // Tables and open data are for publication: from a database, approved returns only.
            // The long-format CSV is the data exchange and carries what is held.
            if from_database && published {
                let location = database::Location {
                    db: source.db.clone(),
                    database_url: source.database_url.clone(),
                    framework: source.framework.clone(),
                };
                let years = loaded.dataset.years();
                let statuses = database::statuses(&location, &years)?;
                let framework = loaded.framework.clone();
                report::printed_view(&framework, &mut loaded.dataset, Some(&statuses), &years, None);
                eprintln!("导出只含已审核通过的学校数据（汇总按其重新计算）。");
            }
            exchange::export(&loaded, source.org.as_deref(), year, &format, &out)
        }
        Command::Serve(args) => serve::serve(args),
        Command::User { command } => match command {
            UserCommand::Add { username, role, org, name, location } => {
                serve::add_user(&location, &username, &role, &org, name.as_deref())
            }
            UserCommand::Token { username, label, location } => serve::token(&location, &username, &label),
            UserCommand::Revoke { username, location } => serve::revoke(&location, &username),
            UserCommand::List { location } => serve::list(&location),
        },
        Command::Db { command } => match command {
            DbCommand::Init { location } => database::init(&location),
            DbCommand::CloseYear { year, location } => database::set_year_closed(&location, year, true),
            DbCommand::OpenYear { year, location } => database::set_year_closed(&location, year, false),
            DbCommand::Status { location } => database::status(&location),
            DbCommand::Backup { to, location } => database::backup(&location, &to),
        },
        Command::Load { dataset, location } => database::load(&dataset, &location),
        Command::Aggregate { year, org, location } => database::aggregate(&location, year, org.as_deref()),
        Command::Sample { published, out, org, seed } => sample(&published, &out, &org, seed),
        Command::Validate { dataset, year, org, format, lang } => {
            validate(&dataset, year, org.as_deref(), &format, &lang)
        }
        Command::Tables { selection, include_unprinted } => {
            let loaded = load_selection(&selection.source)?;
            let tables: Vec<_> =
                loaded.framework.tables.iter().filter(|t| t.printed || include_unprinted).cloned().collect();
            print_tables(&loaded, &selection, &tables.iter().collect::<Vec<_>>())
        }
    }
}

/// The dataset a table or report command prints: copies (`same_as`) without a value of their
/// own show their primary's.
fn load_selection(selection: &Source) -> Result<LoadedDataset> {
    let mut loaded = load_selection_raw(selection)?;
    nianbao_core::completeness::fill_copies(&loaded.framework, &mut loaded.dataset);
    Ok(loaded)
}

/// The dataset a command reads, exactly as held: a dataset folder, or a database.
/// The database a source names.
fn location_of(source: &Source) -> database::Location {
    database::Location {
        db: source.db.clone(),
        database_url: source.database_url.clone(),
        framework: source.framework.clone(),
    }
}

fn load_selection_raw(selection: &Source) -> Result<LoadedDataset> {
    if selection.db.is_none() && selection.database_url.is_none() {
        return load_raw(&selection.dataset);
    }
    let location = database::Location {
        db: selection.db.clone(),
        database_url: selection.database_url.clone(),
        framework: selection.framework.clone(),
    };
    let layer = match selection.layer.as_str() {
        "reported" => nianbao_store::ReadLayer::Reported,
        "aggregated" => nianbao_store::ReadLayer::Aggregated,
        "combined" => nianbao_store::ReadLayer::Combined,
        other => bail!("unknown layer {other:?}; expected reported, aggregated or combined"),
    };
    database::read(&location, layer)
}

/// A dataset folder as its tables print it: a copy (`same_as`) without a value of its own shows
/// its primary's.
fn load(directory: &Path) -> Result<LoadedDataset> {
    let mut loaded = load_raw(directory)?;
    nianbao_core::completeness::fill_copies(&loaded.framework, &mut loaded.dataset);
    Ok(loaded)
}

/// A dataset folder exactly as its files hold it.
fn load_raw(directory: &Path) -> Result<LoadedDataset> {
    let directory = &bundled::resolve(directory);
    nianbao_io::load_dataset_dir(directory).map_err(|problems| {
        anyhow!("cannot load dataset {} ({} problem(s)):\n{problems}", directory.display(), problems.error_count())
    })
}

fn framework_check(file: &Path) -> Result<ExitCode> {
    match nianbao_io::load_framework_file(file) {
        Ok(framework) => {
            let declared = framework.indicators.iter().filter(|i| i.companion_of.is_none()).count();
            let companions = framework.indicators.len() - declared;
            println!("{}: ok", file.display());
            println!("  framework {} version {} ({})", framework.id, framework.version, framework.notice);
            println!(
                "  {} tables, {} indicators (+{} survey companions), {} appendix rows",
                framework.tables.len(),
                declared,
                companions,
                framework.appendix_row_count()
            );
            for table in &framework.tables {
                let number = table.number.as_deref().unwrap_or("（正文）");
                println!("  {:<8} {} {} — {} rows", table.id, number, table.caption, table.rows.len());
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(problems) => {
            eprint!("{problems}");
            eprintln!("{}: {} error(s)", file.display(), problems.error_count());
            Ok(ExitCode::FAILURE)
        }
    }
}

fn print_tables(loaded: &LoadedDataset, selection: &Selection, tables: &[&nianbao_core::Table]) -> Result<ExitCode> {
    let format = TableFormat::from_name(&selection.format).ok_or_else(|| {
        anyhow!("unknown format {:?}; expected one of {}", selection.format, TableFormat::NAMES.join(", "))
    })?;
    let dataset = &loaded.dataset;
    let org = match &selection.source.org {
        Some(id) => dataset
            .org_index(id)
            .with_context(|| format!("unknown org unit {id:?} in {}", loaded.directory.display()))?,
        None => {
            let org = dataset.default_org().context("the dataset has no org units")?;
            dataset.org_index(&org.id).context("default org")?
        }
    };
    let year = match selection.source.year {
        Some(year) => year,
        None => *dataset.years().last().context("the dataset holds no values")?,
    };
    if !dataset.years().contains(&year) {
        bail!("the dataset holds no values for {year} (years present: {:?})", dataset.years());
    }
    let views: Vec<TableView> =
        tables.iter().map(|table| TableView::build(&loaded.framework, dataset, table, org, year)).collect();
    let output = table_output::render(&views, format);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(output.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn validate(directory: &Path, year: i32, org: Option<&str>, format: &str, lang: &str) -> Result<ExitCode> {
    use nianbao_core::validation::{RuleSet, Summary};
    use nianbao_report::validation_output::{self, Language};
    let language = Language::from_name(lang).ok_or_else(|| anyhow!("unknown language {lang:?}; expected zh or en"))?;
    if !matches!(format, "text" | "json") {
        bail!("unknown format {format:?}; expected text or json");
    }
    let loaded = load(directory)?;
    let rules = RuleSet::for_framework(&loaded.framework);
    let mut summary = Summary::default();
    let findings = match org {
        Some(id) => {
            let index = loaded.dataset.org_index(id).with_context(|| format!("unknown org unit {id:?}"))?;
            rules.evaluate(&loaded.framework, &loaded.dataset, index, year, &mut summary)
        }
        None => rules.evaluate_year(&loaded.framework, &loaded.dataset, year, &mut summary),
    };
    if summary.evaluated + summary.skipped == 0 {
        bail!("the dataset holds no values for {year} (years present: {:?})", loaded.dataset.years());
    }
    let output = if format == "json" {
        let mut text = serde_json::to_string_pretty(&validation_output::json(&findings, &summary, rules.rules.len()))?;
        text.push('\n');
        text
    } else {
        let title = match language {
            Language::Chinese => format!("{} {year} 年数据校验", loaded.dataset.name),
            Language::English => format!("Validation of {} for {year}", loaded.dataset.name),
        };
        validation_output::text(&loaded.framework, &title, &findings, &summary, rules.rules.len(), language)
    };
    std::io::stdout().lock().write_all(output.as_bytes())?;
    Ok(if summary.errors > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn corpus(dataset: &Path, school: &str, year: i32, out: &Path) -> Result<ExitCode> {
    use nianbao_io::corpus::{Expect, cases};
    let loaded = load_raw(dataset)?;
    let index = loaded.dataset.org_index(school).with_context(|| format!("unknown school {school:?}"))?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut expected = String::from("file\toutcome\tdetail\n");
    let all = cases(&loaded.framework, &loaded.dataset, index, year);
    for case in &all {
        let file = format!("{}.{}", case.name, case.extension);
        std::fs::write(out.join(&file), &case.bytes).with_context(|| format!("writing {file}"))?;
        let (outcome, detail) = match &case.expect {
            Expect::Stored(changes) => (
                "stored",
                changes.iter().map(|(id, org, value)| format!("{org} {id}={value}")).collect::<Vec<_>>().join("; "),
            ),
            Expect::Refused(places) => ("refused", places.join("; ")),
        };
        expected.push_str(&format!("{file}\t{outcome}\t{detail}\n"));
    }
    std::fs::write(out.join("expected.tsv"), expected).context("writing expected.tsv")?;
    println!("wrote {} workbooks and expected.tsv to {}", all.len(), out.display());
    Ok(ExitCode::SUCCESS)
}

fn sample(published: &Path, out: &Path, org: &str, seed: u64) -> Result<ExitCode> {
    use nianbao_core::OrgLevel;
    use nianbao_core::synthetic::Random;
    let source = load_raw(published)?;
    let values_path = out.join("values.csv");
    std::fs::write(&values_path, "org,year,indicator,value,note\n")
        .with_context(|| format!("writing {}", values_path.display()))?;
    let mut target = load_raw(out)?;
    let framework = &source.framework;
    if target.framework.id != framework.id || target.framework.version != framework.version {
        bail!("{} and {} follow different frameworks", published.display(), out.display());
    }
    let from = source.dataset.org_index(org).with_context(|| format!("{org:?} is not in {}", published.display()))?;
    let to = target.dataset.org_index(org).with_context(|| format!("{org:?} is not in {}/orgs.csv", out.display()))?;
    let years = source.dataset.years();
    for &year in &years {
        for index in 0..framework.indicators.len() {
            let indicator = nianbao_core::IndicatorIndex(index);
            let value = source.dataset.get(from, year, indicator).clone();
            if !value.is_missing() {
                target.dataset.set(to, year, indicator, value);
                if let Some(note) = source.dataset.note(from, year, indicator) {
                    target.dataset.set_note(to, year, indicator, note.to_string());
                }
            }
        }
    }
    // Schools below the org unit, with deterministic sizes (public schools larger).
    let below = |school: usize| {
        let mut current = target.dataset.orgs[school].parent;
        while let Some(parent) = current {
            if parent == to {
                return true;
            }
            current = target.dataset.orgs[parent].parent;
        }
        false
    };
    let schools: Vec<usize> = (0..target.dataset.orgs.len())
        .filter(|&o| target.dataset.orgs[o].level == OrgLevel::School && below(o))
        .collect();
    let weights: Vec<rust_decimal::Decimal> = schools
        .iter()
        .map(|&school| {
            let unit = &target.dataset.orgs[school];
            let hash = unit.id.bytes().fold(seed, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
            let mut random = Random::new(hash);
            let size = match unit.ownership {
                Some(nianbao_core::Ownership::Public) => random.between(1500, 5000),
                _ => random.between(300, 2500),
            };
            rust_decimal::Decimal::from(size)
        })
        .collect();
    nianbao_core::disaggregate::disaggregate(framework, &mut target.dataset, to, &schools, &weights, &years, seed);
    std::fs::write(&values_path, nianbao_io::values_csv(framework, &target.dataset))
        .with_context(|| format!("writing {}", values_path.display()))?;
    eprintln!(
        "wrote {} ({} schools, years {:?}, {} values)",
        values_path.display(),
        schools.len(),
        years,
        target.dataset.value_count()
    );
    Ok(ExitCode::SUCCESS)
}
