//! The public portal: published reports (HTML view and DOCX, PDF, XLSX downloads) and trend
//! pages per indicator with charts, by city, county and school. Only published material is shown:
//! everything comes through [`crate::access::PublicAccess`].

use crate::auth::MaybeUser;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::pages::{Chrome, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use nianbao_core::{OrgLevel, Value};
use nianbao_report::chart::{Chart, Series};
use nianbao_store::PublicationFile;
use serde::Deserialize;

#[derive(Debug)]
struct ReportEntry {
    id: i64,
    org_id: String,
    org_name: String,
    year: i32,
    version: i64,
    title: String,
    published_at: String,
    change_note: String,
    latest: bool,
}

#[derive(Template)]
#[template(path = "portal_index.html")]
struct IndexPage {
    chrome: Chrome,
    reports: Vec<ReportEntry>,
}

pub async fn index(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    lang: Lang,
) -> Result<Html<String>, AppError> {
    let publications = state.public().publications().await?;
    let mut seen = std::collections::HashSet::new();
    let reports = publications
        .into_iter()
        .filter_map(|p| {
            let org = state.tree.find(&p.org_id)?;
            let latest = seen.insert((p.org_id.clone(), p.year));
            Some(ReportEntry {
                id: p.id,
                org_id: p.org_id,
                org_name: state.tree.unit(org).name.clone(),
                year: p.year,
                version: p.version,
                title: p.title,
                published_at: p.published_at.get(..10).unwrap_or("").to_string(),
                change_note: p.change_note,
                latest,
            })
        })
        .collect();
    render(&IndexPage {
        chrome: Chrome::new(lang, lang.t("公开报告", "Published reports"), user.as_ref()), reports
    })
}

/// The published HTML as stored, with a bar above it: version, date, change note, downloads, and
/// a notice when a newer version exists.
pub async fn report_html(State(state): State<AppState>, lang: Lang, Path(id): Path<i64>) -> Result<Response, AppError> {
    let public = state.public();
    let publication = public.publication(id).await?;
    let html = String::from_utf8_lossy(&public.publication_file(id, PublicationFile::Html).await?).into_owned();
    let newest = public
        .publications()
        .await?
        .into_iter()
        .find(|p| p.org_id == publication.org_id && p.year == publication.year)
        .filter(|p| p.id != publication.id);
    let escape = nianbao_report::render::html::escape;
    let mut bar = format!(
        "<nav class=\"publication-bar\" style=\"font:14px sans-serif;background:#eef3fa;border-bottom:1px solid #c9d6e8;padding:8px 16px\">\
         <a href=\"/\">{}</a> · v{} · {} · {} · <a href=\"/reports/{id}/report.pdf\">PDF</a> <a href=\"/reports/{id}/report.docx\">DOCX</a> \
         <a href=\"/reports/{id}/report.xlsx\">XLSX</a> · <a href=\"/data/{}\">{}</a>",
        lang.t("公开报告", "Published reports"),
        publication.version,
        escape(publication.published_at.get(..10).unwrap_or("")),
        escape(&publication.change_note),
        escape(&publication.org_id),
        lang.t("数据", "Data"),
    );
    if let Some(newest) = newest {
        bar.push_str(&format!(
            " · <strong>{} <a href=\"/reports/{}\">v{}</a></strong>",
            lang.t("此版本已被更正，最新版本：", "Superseded; the latest version is"),
            newest.id,
            newest.version
        ));
    }
    bar.push_str("</nav>");
    let html = match html.find("<body>") {
        Some(at) => format!("{}{bar}{}", &html[..at + 6], &html[at + 6..]),
        None => format!("{bar}{html}"),
    };
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}

pub async fn report_file(
    State(state): State<AppState>,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let extension = file.rsplit_once('.').map(|(_, e)| e).unwrap_or(&file);
    let kind = PublicationFile::from_extension(extension).ok_or(AppError::NotFound)?;
    let public = state.public();
    let publication = public.publication(id).await?;
    let bytes = public.publication_file(id, kind).await?;
    let name = format!("{}-{}-v{}.{extension}", publication.org_id, publication.year, publication.version);
    Ok((
        [
            (header::CONTENT_TYPE, kind.content_type().to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Debug)]
struct DataRow {
    indicator_id: String,
    label: String,
    depth: usize,
    unit: String,
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "portal_org.html")]
struct OrgPage {
    chrome: Chrome,
    org_id: String,
    org_name: String,
    org_path: String,
    years: Vec<i32>,
    tables: Vec<(String, String, bool)>,
    rows: Vec<DataRow>,
    children: Vec<(String, String)>,
}

#[derive(Debug, Deserialize, Default)]
pub struct TableQuery {
    #[serde(default)]
    table: Option<String>,
}

pub async fn org_data(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    lang: Lang,
    Path(org): Path<String>,
    Query(query): Query<TableQuery>,
) -> Result<Html<String>, AppError> {
    let index = state.tree.find(&org).ok_or(AppError::NotFound)?;
    let framework = &state.framework;
    let (years, values) = state.public().public_values(index).await?;
    let table_at = query.table.as_deref().and_then(|id| framework.tables.iter().position(|t| t.id == id)).unwrap_or(0);
    let table = &framework.tables[table_at];
    let rows = if years.is_empty() {
        Vec::new()
    } else {
        table
            .rows
            .iter()
            .map(|&row| {
                let indicator = framework.indicator(row);
                DataRow {
                    indicator_id: indicator.id.clone(),
                    label: indicator.printed_label(),
                    depth: framework.depth(row),
                    unit: indicator.printed_unit().to_string(),
                    cells: years
                        .iter()
                        .map(|&y| {
                            values
                                .get(&(y, indicator.id.clone()))
                                .map(|v| v.format(indicator.decimals))
                                .unwrap_or_default()
                        })
                        .collect(),
                }
            })
            .collect()
    };
    let unit = state.tree.unit(index);
    render(&OrgPage {
        chrome: Chrome::new(lang, unit.name.clone(), user.as_ref()),
        org_id: unit.id.clone(),
        org_name: unit.name.clone(),
        org_path: state.tree.path_name(index),
        years,
        tables: crate::pages::table_links(lang, framework, &table.id),
        rows,
        children: state
            .tree
            .children(index)
            .into_iter()
            .map(|child| (state.tree.unit(child).id.clone(), state.tree.unit(child).name.clone()))
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "portal_trend.html")]
struct TrendPage {
    chrome: Chrome,
    org_id: String,
    org_name: String,
    label: String,
    unit: String,
    points: Vec<(i32, String)>,
    chart_svg: String,
    /// One page of the schools below: (name, latest public year, figure or “—”).
    compare: Vec<(String, String, String)>,
    /// Schools below with a public year, on all pages.
    compare_total: usize,
    page: usize,
    pages: usize,
    /// `&per=N` when not the default, for the page links.
    per: String,
}

/// Schools per page a trend page's comparison offers; the first is the default.
pub const COMPARE_PAGE_SIZES: [usize; 4] = [50, 10, 20, 100];

/// A trend page's comparison page (1-based) and schools per page; anything else is the default.
#[derive(Debug, Deserialize, Default)]
pub struct TrendQuery {
    #[serde(default)]
    page: String,
    #[serde(default)]
    per: String,
}

impl TrendQuery {
    fn per_page(&self) -> usize {
        self.per.trim().parse().ok().filter(|n| COMPARE_PAGE_SIZES.contains(n)).unwrap_or(COMPARE_PAGE_SIZES[0])
    }

    /// The 1-based page asked for, within `pages`.
    fn page(&self, pages: usize) -> usize {
        self.page.trim().parse::<usize>().ok().filter(|&p| p >= 1).unwrap_or(1).min(pages)
    }
}

pub async fn indicator_trend(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    lang: Lang,
    Path((org, indicator_id)): Path<(String, String)>,
    Query(query): Query<TrendQuery>,
) -> Result<Html<String>, AppError> {
    let index = state.tree.find(&org).ok_or(AppError::NotFound)?;
    let at = state.framework.lookup(&indicator_id).ok_or(AppError::NotFound)?;
    let indicator = state.framework.indicator(at);
    let public = state.public();
    let (years, values) = public.public_values(index).await?;
    let points: Vec<(i32, Option<&Value>)> =
        years.iter().map(|&y| (y, values.get(&(y, indicator_id.clone())))).collect();
    let numbers: Vec<(i32, rust_decimal::Decimal)> =
        points.iter().filter_map(|(y, v)| Some((*y, v.and_then(|v| v.number())?))).collect();
    let chart_svg = if numbers.is_empty() {
        String::new()
    } else {
        nianbao_report::chart::line(&Chart {
            title: format!("{} {}", state.tree.unit(index).name, indicator.printed_label()),
            categories: numbers.iter().map(|(y, _)| format!("{y}")).collect(),
            series: vec![Series {
                name: indicator.printed_label(),
                values: numbers.iter().map(|(_, n)| *n).collect(),
                unit: indicator.printed_unit().to_string(),
                decimals: indicator.decimals,
            }],
        })
    };
    // The same indicator for the schools below, in their latest public (approved) year: a page
    // of them at a time, so a province or the nation reads one page's figures.
    let (compare, compare_total, pages) = if state.tree.unit(index).level == OrgLevel::School {
        (Vec::new(), 0, 1)
    } else {
        let public_schools = public.latest_public_years(&state.tree.schools_within(index)).await?;
        let per_page = query.per_page();
        let pages = public_schools.len().div_ceil(per_page).max(1);
        let page = query.page(pages);
        let shown: Vec<(usize, i32)> =
            public_schools.iter().copied().skip((page - 1) * per_page).take(per_page).collect();
        let rows = public
            .public_school_values(&shown, &indicator_id)
            .await?
            .into_iter()
            .map(|(school, year, value)| {
                let shown = value.map(|v| v.format(indicator.decimals)).unwrap_or_else(|| "—".to_string());
                (state.tree.unit(school).name.clone(), format!("{year}"), shown)
            })
            .collect();
        (rows, public_schools.len(), pages)
    };
    let page = query.page(pages);
    let per =
        if query.per_page() == COMPARE_PAGE_SIZES[0] { String::new() } else { format!("&per={}", query.per_page()) };
    render(&TrendPage {
        chrome: Chrome::new(lang, indicator.printed_label(), user.as_ref()),
        org_id: org.clone(),
        org_name: state.tree.unit(index).name.clone(),
        label: indicator.printed_label(),
        unit: indicator.printed_unit().to_string(),
        points: points.iter().map(|(y, v)| (*y, v.map(|v| v.format(indicator.decimals)).unwrap_or_default())).collect(),
        chart_svg,
        compare,
        compare_total,
        page,
        pages,
        per,
    })
}
