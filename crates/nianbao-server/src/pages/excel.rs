//! The Excel template of a school's return and its upload, checked cell by cell before anything is stored.

#[allow(unused_imports)]
use super::*;

// ----- Excel -----

pub async fn excel_template(
    State(state): State<AppState>,
    User(user): User,
    Path(org): Path<String>,
) -> Result<Response, AppError> {
    let access = state.access(&user);
    let index = access.check(&org, Action::Read)?;
    let year = state.config.year;
    let values = access.values(&org, year - 1, year).await?;
    let (dataset, at) = crate::access::dataset_of(&state, index, &values);
    // The template carries the version of every reported value it shows.
    let versions: HashMap<String, i64> = values
        .iter()
        .filter(|v| v.layer == nianbao_store::Layer::Reported && v.year == year)
        .map(|v| (v.indicator_id.clone(), v.stored.version))
        .collect();
    let version =
        |indicator: nianbao_core::IndicatorIndex| versions.get(&state.framework.indicator(indicator).id).copied();
    let bytes = nianbao_io::excel::write_template(&state.framework, &dataset, at, year, &version)
        .map_err(|e| AppError::Internal(format!("template: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{org}-{year}.xlsx\"")),
        ],
        bytes,
    )
        .into_response())
}

pub(crate) async fn read_upload(
    multipart: &mut Multipart,
    limit: usize,
) -> Result<HashMap<String, (String, Vec<u8>)>, AppError> {
    let mut parts = HashMap::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::invalid("上传中断或格式有误，请重新上传。", format!("upload: {e}")))?
    {
        let name = field.name().unwrap_or("").to_string();
        let content_type = field.content_type().unwrap_or("").to_string();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| AppError::invalid("上传中断或格式有误，请重新上传。", format!("upload: {e}")))?;
        if bytes.len() > limit {
            return Err(AppError::invalid(
                format!("文件过大（{} 字节，上限 {limit} 字节），请缩小后重新上传", bytes.len()),
                format!("the file is too large ({} bytes, at most {limit})", bytes.len()),
            ));
        }
        parts.insert(name, (content_type, bytes.to_vec()));
    }
    Ok(parts)
}

pub async fn excel_upload(
    State(state): State<AppState>,
    User(user): User,
    lang: Lang,
    Path(org): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let access = state.access(&user);
    let index = access.check(&org, Action::Enter)?;
    let year = state.config.year;
    let parts = read_upload(&mut multipart, state.config.max_upload_bytes).await?;
    let (_, bytes) = parts.get("file").ok_or_else(|| AppError::invalid("没有上传文件", "no file"))?;
    let values = access.values(&org, year - 1, year).await?;
    let (dataset, at) = crate::access::dataset_of(&state, index, &values);
    // A school's template holds a few hundred cells: a school upload is bounded far below a
    // county's workbook, so that no upload can take more than a few tens of MB.
    let limits = nianbao_io::excel::Limits {
        max_file_bytes: state.config.max_upload_bytes as u64,
        max_unpacked_bytes: 64 << 20,
        max_cells: 100_000,
        ..Default::default()
    };
    // Reading is CPU work on untrusted input: off the async workers, bounded by the limits.
    let framework = state.framework.clone();
    let bytes = bytes.clone();
    let expected = nianbao_io::excel::Expected { org: Some(at), year: Some(year), within: None };
    let imported = tokio::task::spawn_blocking(move || {
        nianbao_io::excel::import(&bytes, &framework, &dataset, &expected, &limits)
    })
    .await
    .map_err(|e| AppError::Internal(format!("import: {e}")))?;
    let line = |p: &nianbao_io::import_problem::Problem| if lang.is_en() { p.line_en() } else { p.line_zh() };
    let mut problems: Vec<String> = imported.problems.iter().map(line).collect();
    if problems.is_empty() {
        let org_id = |_: usize| org.clone();
        let writes = crate::exchange::writes_for_import(
            &state.framework,
            &org_id,
            &imported,
            crate::exchange::Unversioned::CreateOnly,
            "",
            "Excel",
        );
        let plain: Vec<ValueWrite> = writes.iter().map(|(w, _)| w.clone()).collect();
        match access.save_cells(&org, year, plain).await {
            Ok(outcomes) => {
                let summary = crate::exchange::ImportSummary::of(&state.framework, &writes, &outcomes);
                access
                    .record_import(
                        &org,
                        year,
                        &format!(
                            "Excel：写入 {} 项，清空 {} 项，冲突 {} 项",
                            summary.written,
                            summary.cleared,
                            summary.conflicts.len()
                        ),
                    )
                    .await?;
                let mut lines: Vec<String> =
                    summary.conflicts.iter().map(|c| lang.t(&c.line_zh(), &c.line_en()).to_string()).collect();
                lines.extend(imported.notes.iter().map(line));
                let flash = if lang.is_en() {
                    format!(
                        "Workbook imported: {} value(s) written, {} cleared, {} unchanged cell(s) skipped, {} conflict(s).",
                        summary.written,
                        summary.cleared,
                        imported.cells.len() - writes.len() + summary.unchanged,
                        summary.conflicts.len()
                    )
                } else {
                    format!(
                        "已导入：写入 {} 项，清空 {} 项，未改动的 {} 项未写入，冲突 {} 项。",
                        summary.written,
                        summary.cleared,
                        imported.cells.len() - writes.len() + summary.unchanged,
                        summary.conflicts.len()
                    )
                };
                let data = access.school_year(&org, year).await?;
                let status = if summary.conflicts.is_empty() { StatusCode::OK } else { StatusCode::CONFLICT };
                let html = entry_page(&state, &access, lang, &data, 0, &HashMap::new(), lines, Some(flash)).await?;
                return Ok((status, html).into_response());
            }
            Err(error @ (AppError::Conflict { .. } | AppError::Invalid { .. } | AppError::Store(_))) => {
                problems.push(error.message(lang))
            }
            Err(error) => return Err(error),
        }
    }
    let data = access.school_year(&org, year).await?;
    let html = entry_page(&state, &access, lang, &data, 0, &HashMap::new(), problems, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
}
