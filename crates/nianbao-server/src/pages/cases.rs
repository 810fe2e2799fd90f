//! Case studies: a school writes them with photos; photos are served only within scope.

#[allow(unused_imports)]
use super::*;

// ----- case studies -----

#[derive(Debug)]
pub(crate) struct CaseView {
    id: i64,
    title: String,
    body: String,
    paragraphs: Vec<String>,
    section: String,
    section_title: String,
    photos: Vec<(i64, String)>,
    updated_by: String,
    updated_at: String,
    /// The stored stamp the edit form was made with (an edit of a stale page is refused).
    stamp: String,
}

#[derive(Template)]
#[template(path = "cases.html")]
pub(crate) struct CasesPage {
    chrome: Chrome,
    org_id: String,
    org_name: String,
    year: i32,
    cases: Vec<CaseView>,
    editable: bool,
    /// Why the cases cannot be changed now (the return is submitted or approved).
    locked_note: String,
    /// The chapters of the school's report a case can be placed after.
    places: Vec<(String, String)>,
    max_photos: usize,
}

pub async fn cases(
    State(state): State<AppState>,
    User(user): User,
    lang: Lang,
    Path(org): Path<String>,
    Query(notice): Query<Notice>,
) -> Result<Html<String>, AppError> {
    let access = state.access(&user);
    let index = access.check(&org, Action::Read)?;
    let year = state.config.year;
    let unit = state.tree.unit(index);
    let places = crate::render::case_places(crate::render::template_for(&unit.id, unit.level));
    let title_of = |key: &str| places.iter().find(|(k, _)| k == key).map(|(_, t)| t.clone()).unwrap_or_default();
    let people = access.people().await?;
    let cases = access
        .cases(&org, year)
        .await?
        .into_iter()
        .map(|case| CaseView {
            id: case.id,
            paragraphs: crate::render::case_paragraphs(&case.body),
            section_title: title_of(&case.section),
            section: case.section,
            title: case.title,
            body: case.body,
            photos: case.photos.into_iter().map(|p| (p.photo_id, p.caption)).collect(),
            updated_by: people.name(&case.updated_by),
            updated_at: lang.time(&case.updated_at),
            stamp: case.updated_at,
        })
        .collect();
    let status = access.submission(&org, year).await?.status;
    let may_enter = access.may(index, Action::Enter);
    let editable = may_enter && status.school_may_edit();
    let locked_note = if may_enter && !editable {
        lang.t(
            "本年度填报已提交或已审核通过，案例随填报一并锁定；如需修改，请审核人员退回或解锁。",
            "The return is submitted or approved: its case studies are locked with it until a reviewer returns or reopens it.",
        )
        .to_string()
    } else {
        String::new()
    };
    render(&CasesPage {
        chrome: Chrome::new(lang, lang.t("案例", "Case studies"), Some(&user)).with_flash(notice_text(lang, &notice)),
        org_id: unit.id.clone(),
        org_name: unit.name.clone(),
        year,
        cases,
        editable,
        locked_note,
        places,
        max_photos: crate::access::MAX_CASE_PHOTOS,
    })
}

/// Why an uploaded photo cannot be used, in the reader's language, naming the field.
pub(crate) fn photo_problem(lang: Lang, field: &str, error: &nianbao_report::document::PhotoError) -> String {
    let reason = error.message(lang.language());
    if lang.is_en() { format!("{field}: {reason}") } else { format!("{field}：{reason}") }
}

/// Saves a new case study or, with `id`, an edited one: title, text, chapter, the captions of
/// the photos kept (`caption:<photo id>`; `remove:<photo id>` drops one) and new photos
/// (`photo1`…, each with `caption1`…).
pub async fn case_save(
    State(state): State<AppState>,
    User(user): User,
    Path(org): Path<String>,
    mut multipart: Multipart,
) -> Result<Redirect, AppError> {
    let access = state.access(&user);
    let index = access.check(&org, Action::Enter)?;
    let parts = read_upload(&mut multipart, state.config.max_photo_bytes).await?;
    let text = |name: &str| {
        parts
            .get(name)
            .map(|(_, bytes)| String::from_utf8_lossy(bytes).replace("\r\n", "\n").trim().to_string())
            .unwrap_or_default()
    };
    let (title, body, section) = (text("title"), text("body"), text("section"));
    if title.is_empty() || body.is_empty() {
        return Err(AppError::invalid("案例须有标题和正文", "a case study needs a title and a text"));
    }
    if title.chars().count() > 200 || body.chars().count() > 20_000 {
        return Err(AppError::invalid(
            "标题（最多 200 字）或正文（最多 20000 字）过长",
            "the title (200) or text (20,000) is too long",
        ));
    }
    let unit = state.tree.unit(index);
    let places = crate::render::case_places(crate::render::template_for(&unit.id, unit.level));
    if !section.is_empty() && !places.iter().any(|(key, _)| *key == section) {
        return Err(AppError::invalid("未知的章节", "unknown chapter"));
    }
    let id: i64 = match text("id") {
        id if id.is_empty() => 0,
        id => id.parse().map_err(|_| AppError::invalid("无效的案例编号", "bad case id"))?,
    };
    if id != 0 && text("was").is_empty() {
        return Err(AppError::invalid(
            "修改案例的表单不完整，请重新打开案例页后再修改。",
            "the edit form is incomplete: open the case page again",
        ));
    }
    let year = state.config.year;
    // The photos of the stored case that stay, in their order, with their edited captions.
    let mut kept = Vec::new();
    if id != 0 {
        let existing = access.cases(&org, year).await?.into_iter().find(|c| c.id == id).ok_or(AppError::NotFound)?;
        for photo in existing.photos {
            if parts.contains_key(&format!("remove:{}", photo.photo_id)) {
                continue;
            }
            let caption = match parts.get(&format!("caption:{}", photo.photo_id)) {
                Some(_) => text(&format!("caption:{}", photo.photo_id)),
                None => photo.caption,
            };
            kept.push(nianbao_store::CasePhoto { photo_id: photo.photo_id, caption });
        }
    }
    let mut uploads = Vec::new();
    for n in 1..=crate::access::MAX_CASE_PHOTOS {
        let Some((_, bytes)) =
            parts.get(&format!("photo{n}")).or_else(|| (n == 1).then(|| parts.get("photo")).flatten())
        else {
            continue;
        };
        if bytes.is_empty() {
            continue;
        }
        let caption =
            if n == 1 && !parts.contains_key("caption1") { text("caption") } else { text(&format!("caption{n}")) };
        uploads.push((n, bytes.clone(), caption));
    }
    if kept.iter().map(|p| &p.caption).chain(uploads.iter().map(|u| &u.2)).any(|c| c.chars().count() > 200) {
        return Err(AppError::invalid("图题过长（最多 200 字）", "a caption is too long (at most 200)"));
    }
    // Every photo is decoded whole before anything is stored: a damaged one is refused here, not
    // found later when a report cannot be built.
    let checked = tokio::task::spawn_blocking(move || {
        uploads
            .into_iter()
            .map(|(n, bytes, caption)| {
                nianbao_report::document::Raster::check(bytes)
                    .map(|raster| (raster.kind.mime().to_string(), raster.bytes, caption))
                    .map_err(|error| (n, error))
            })
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|e| AppError::Internal(format!("photo check: {e}")))?;
    let new_photos = match checked {
        Ok(photos) => photos,
        Err((n, error)) => {
            return Err(AppError::invalid(
                photo_problem(Lang::Zh, &format!("第 {n} 张新照片"), &error),
                photo_problem(Lang::En, &format!("new photo {n}"), &error),
            ));
        }
    };
    let case = CaseStudy {
        id,
        org_id: org.clone(),
        year,
        title,
        body,
        photos: kept,
        section,
        updated_by: String::new(),
        // An edit is made only on the version the form was made with.
        updated_at: if id == 0 { String::new() } else { text("was") },
    };
    let saved = access.save_case(case, new_photos).await?;
    Ok(Redirect::to(&format!("/app/cases/{org}?msg=case#case-{saved}")))
}

#[derive(Debug, Deserialize)]
pub struct CaseDeleteForm {
    id: i64,
}

/// Deletes a case study (until the return is submitted).
pub async fn case_delete(
    State(state): State<AppState>,
    User(user): User,
    Path(org): Path<String>,
    Form(form): Form<CaseDeleteForm>,
) -> Result<Redirect, AppError> {
    state.access(&user).delete_case(&org, form.id).await?;
    Ok(Redirect::to(&format!("/app/cases/{org}?msg=case_deleted")))
}

pub async fn photo(State(state): State<AppState>, User(user): User, Path(id): Path<i64>) -> Result<Response, AppError> {
    let photo = state.access(&user).photo(id).await?;
    Ok((
        [(header::CONTENT_TYPE, photo.content_type), (header::CACHE_CONTROL, "private, max-age=600".into())],
        photo.bytes,
    )
        .into_response())
}
