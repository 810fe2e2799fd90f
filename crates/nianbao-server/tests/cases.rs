//! Case studies flow up: a school writes, edits and deletes its cases until it submits; the
//! editors above pick approved schools' cases into their reports, which number them; a report at
//! every level (school, county, city, province) is built from its bundled template.

use crate::support::*;
use axum::body::Body;
use axum::http::{StatusCode, header};

fn tiny_jpeg() -> Vec<u8> {
    let image = image::RgbImage::from_fn(64, 40, |x, y| image::Rgb([(x * 4) as u8, (y * 6) as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Jpeg).expect("jpeg");
    out.into_inner()
}

async fn save_case(
    deployment: &Deployment,
    user: &str,
    school: &str,
    fields: &[(&str, &str, &[u8])],
) -> (StatusCode, String) {
    let (kind, body) = multipart(fields);
    let response = deployment
        .send(
            deployment
                .request(Some(user), "POST", &format!("/app/cases/{school}"))
                .header(header::CONTENT_TYPE, kind)
                .body(body)
                .expect("r"),
        )
        .await;
    let status = response.status();
    (status, body_text(response).await)
}

async fn post_form(deployment: &Deployment, user: &str, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let response = deployment
        .send(
            deployment
                .request(Some(user), "POST", path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form(fields))
                .expect("r"),
        )
        .await;
    let status = response.status();
    (status, body_text(response).await)
}

async fn get(deployment: &Deployment, user: &str, path: &str) -> (StatusCode, String) {
    let response = deployment.send(deployment.request(Some(user), "GET", path).body(Body::empty()).expect("r")).await;
    let status = response.status();
    (status, body_text(response).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_school_edits_and_deletes_its_cases_until_it_submits() {
    let deployment = Deployment::new().await;
    let photo = tiny_jpeg();
    let (status, text) = save_case(
        &deployment,
        SCHOOL,
        "yudu-s1",
        &[
            ("title", "", "样例案例甲".as_bytes()),
            ("body", "", "第一段。\r\n第二段。\r\n\r\n第三段。".as_bytes()),
            ("section", "", b"industry"),
            ("photo1", "a.jpg", &photo),
            ("caption1", "", "样例图一".as_bytes()),
            ("photo2", "b.jpg", &photo),
            ("caption2", "", "样例图二".as_bytes()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{text}");
    let case = deployment.store.cases("yudu-s1", 2024).await.expect("cases").remove(0);
    assert_eq!((case.section.as_str(), case.photos.len()), ("industry", 2));
    // The page shows one paragraph per line.
    let (_, page) = get(&deployment, SCHOOL, "/app/cases/yudu-s1").await;
    for paragraph in ["<p>第一段。</p>", "<p>第二段。</p>", "<p>第三段。</p>"] {
        assert!(page.contains(paragraph), "{paragraph} is not its own paragraph");
    }
    // Edited: new title, the first photo dropped, the second's caption changed.
    let id = case.id.to_string();
    let (first, second) = (case.photos[0].photo_id.to_string(), case.photos[1].photo_id.to_string());
    let (status, text) = save_case(
        &deployment,
        SCHOOL,
        "yudu-s1",
        &[
            ("id", "", id.as_bytes()),
            ("was", "", case.updated_at.as_bytes()),
            ("title", "", "样例案例甲（修订）".as_bytes()),
            ("body", "", "正文。".as_bytes()),
            ("section", "", b"talent"),
            (&format!("remove:{first}"), "", b"1"),
            (&format!("caption:{second}"), "", "样例图二（改）".as_bytes()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{text}");
    let edited = deployment.store.case_study(case.id).await.expect("read").expect("present");
    assert_eq!(edited.title, "样例案例甲（修订）");
    assert_eq!(edited.photos.len(), 1);
    assert_eq!(
        (edited.photos[0].photo_id, edited.photos[0].caption.as_str()),
        (case.photos[1].photo_id, "样例图二（改）")
    );
    // A second session saving from the page it opened before that edit is refused, naming the
    // case's change, and the first edit stands.
    let (status, text) = save_case(
        &deployment,
        SCHOOL,
        "yudu-s1",
        &[
            ("id", "", id.as_bytes()),
            ("was", "", case.updated_at.as_bytes()),
            ("title", "", "样例案例甲（旧页面）".as_bytes()),
            ("body", "", "旧页面的正文。".as_bytes()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{text}");
    assert!(text.contains("已被他人修改"), "{text}");
    let after = deployment.store.case_study(case.id).await.expect("read").expect("present");
    assert_eq!((after.title.as_str(), after.photos.len()), ("样例案例甲（修订）", 1), "the first edit stands");
    // An edit form without the version it was made on is refused too.
    let (status, _) = save_case(
        &deployment,
        SCHOOL,
        "yudu-s1",
        &[("id", "", id.as_bytes()), ("title", "", "x".as_bytes()), ("body", "", "x".as_bytes())],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Another school cannot edit or delete it.
    let (status, _) = save_case(
        &deployment,
        "yudu-dexin",
        "yudu-s1",
        &[("id", "", id.as_bytes()), ("title", "", "x".as_bytes()), ("body", "", "x".as_bytes())],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = post_form(&deployment, "yudu-dexin", "/app/cases/yudu-s1/delete", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Submitted, the cases are locked with the return: saving or deleting is refused in Chinese
    // and changes nothing.
    approve_in_store(&deployment, SCHOOL).await;
    let before = deployment.store.cases("yudu-s1", 2024).await.expect("cases");
    let (status, text) = save_case(
        &deployment,
        SCHOOL,
        "yudu-s1",
        &[("title", "", "样例案例乙".as_bytes()), ("body", "", "正文".as_bytes()), ("photo1", "c.jpg", &photo)],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{text}");
    assert!(text.contains("审核通过并锁定"), "{text}");
    let (status, _) = post_form(&deployment, SCHOOL, "/app/cases/yudu-s1/delete", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(deployment.store.cases("yudu-s1", 2024).await.expect("cases"), before);
    let (_, page) = get(&deployment, SCHOOL, "/app/cases/yudu-s1").await;
    assert!(page.contains("id=\"cases-locked\"") && !page.contains("id=\"new-case\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editors_pick_approved_schools_cases_into_their_reports() {
    let deployment = Deployment::new().await;
    let photo = tiny_jpeg();
    for (school, title) in [("yudu-s1", "样例案例：于都一校"), ("yudu-dexin", "样例案例：德鑫")] {
        let (status, text) = save_case(
            &deployment,
            school,
            school,
            &[
                ("title", "", title.as_bytes()),
                ("body", "", "样例正文：第一段。\n样例正文：第二段 {{ value(t1.enrolled) }}。".as_bytes()),
                ("section", "", b"service"),
                ("photo1", "a.jpg", &photo),
                ("caption1", "", format!("{title}的照片").as_bytes()),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{text}");
    }
    approve_in_store(&deployment, SCHOOL).await;
    let case_of = |school: &'static str| {
        let store = deployment.store.clone();
        async move { store.cases(school, 2024).await.expect("cases")[0].id.to_string() }
    };
    let (approved, unapproved) = (case_of("yudu-s1").await, case_of("yudu-dexin").await);
    // The editor sees both, with their photos; only the approved school's case can be picked.
    let (_, editor) = get(&deployment, CITY, "/app/editor/ganzhou").await;
    assert!(editor.contains("样例案例：于都一校") && editor.contains("样例案例：德鑫"));
    assert!(editor.contains("/app/photos/"), "the editor sees the photos");
    let (status, text) = post_form(
        &deployment,
        CITY,
        "/app/editor/ganzhou/cases",
        &[("pick", &unapproved), (&format!("order:{unapproved}"), "1"), (&format!("section:{unapproved}"), "talent")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("尚未审核通过"), "{text}");
    assert!(deployment.store.case_picks("ganzhou", 2024).await.expect("picks").is_empty());
    // A county reviewer cannot pick a case of another county's school.
    let (status, _) = post_form(
        &deployment,
        "ruijin-reviewer",
        "/app/editor/ruijin/cases",
        &[("pick", &approved), (&format!("section:{approved}"), "talent")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Picked into the city report after 文化传承 (a section of the Ganzhou template).
    let (status, text) = post_form(
        &deployment,
        CITY,
        "/app/editor/ganzhou/cases",
        &[("pick", &approved), (&format!("order:{approved}"), "1"), (&format!("section:{approved}"), "culture")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{text}");
    let (status, draft) = get(&deployment, CITY, "/app/editor/ganzhou/draft.html").await;
    assert_eq!(status, StatusCode::OK, "{draft}");
    let heading = regex_like_case_number(&draft, "样例案例：于都一校").expect("the case is printed as 案例 n");
    // The Ganzhou template prints 13 cases before 文化传承 and two in it: the school's follows them.
    assert_eq!(heading, 16, "numbered in the order of the report");
    assert!(draft.contains("于都一校的照片"), "its photo's caption is printed");
    assert!(draft.contains("data:image/jpeg;base64,"), "its photo is printed");
    assert!(draft.contains("{{ value(t1.enrolled) }}"), "a school's text is printed as written, not bound");
    assert!(draft.contains("案例目录") && draft.contains("案例 16 样例案例：于都一校"), "the catalogue lists it");
    // The school reopened, its case leaves the printed report and the gate says so.
    deployment
        .store
        .transition(&nianbao_store::Transition {
            org_id: "yudu-s1",
            year: 2024,
            from: &[nianbao_store::SubmissionStatus::Approved],
            to: nianbao_store::SubmissionStatus::Returned,
            actor: "test",
            comment: "重新核对",
            action: "unlock",
            expected_revision: None,
        })
        .await
        .expect("unlock");
    let (_, draft) = get(&deployment, CITY, "/app/editor/ganzhou/draft.html").await;
    assert!(!draft.contains("样例案例：于都一校"), "an unapproved school's case is not printed");
    let (_, editor) = get(&deployment, CITY, "/app/editor/ganzhou").await;
    assert!(editor.contains("个选入的案例所属学校的填报尚未审核通过"), "the gate names the case left out");
    // …and the draft preview with unreviewed data still shows it.
    let (_, preview) = get(&deployment, CITY, "/app/editor/ganzhou/draft.html?drafts=1").await;
    assert!(preview.contains("样例案例：于都一校"));
    // Deleting the case drops the pick.
    let (status, _) = post_form(&deployment, SCHOOL, "/app/cases/yudu-s1/delete", &[("id", &approved)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(deployment.store.case_picks("ganzhou", 2024).await.expect("picks").is_empty());
    let events = deployment.store.events("ganzhou", 2024).await.expect("events");
    assert!(events.iter().any(|e| e.action == "case_picks" && e.actor == CITY), "the pick is audited");
}

/// The number n of “案例 n <title>” in a report's HTML (the first place it is printed so).
fn regex_like_case_number(html: &str, title: &str) -> Option<u32> {
    let text = html.replace(['<', '>'], " ");
    let needle = format!(" {title}");
    text.match_indices(&needle).find_map(|(at, _)| {
        let before = text[..at].trim_end();
        let digits: String =
            before.chars().rev().take_while(char::is_ascii_digit).collect::<Vec<_>>().into_iter().rev().collect();
        let number: u32 = digits.parse().ok()?;
        before[..before.len() - digits.len()].trim_end().ends_with("案例").then_some(number)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_school_report_prints_its_own_cases_and_every_level_has_a_report() {
    let deployment = Deployment::new().await;
    let (status, text) = save_case(
        &deployment,
        SCHOOL,
        "yudu-s1",
        &[
            ("title", "", "样例案例：本校实训".as_bytes()),
            ("body", "", "样例正文。".as_bytes()),
            ("section", "", b"industry"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{text}");
    approve_in_store(&deployment, SCHOOL).await;
    let (status, school) = get(&deployment, SCHOOL, "/app/editor/yudu-s1/draft.html").await;
    assert_eq!(status, StatusCode::OK, "{school}");
    assert!(regex_like_case_number(&school, "样例案例：本校实训") == Some(1), "the school's report prints its case");
    // Placed after 产教融合, before 发展保障.
    let at = |text: &str| school.find(text).unwrap_or_else(|| panic!("{text} is not in the school's report"));
    let (case_at, before, after) = (at("样例案例：本校实训</h3>"), at("产教融合</h"), at("发展保障</h"));
    assert!(before < case_at && case_at < after, "the case follows the chapter chosen for it");
    // Each level's report from its bundled template: the province (by the province
    // administrator), a city without a sample of its own (the generic template), the county.
    for (user, org, title) in [
        ("admin", "jiangxi", "江西省中等职业教育质量年度报告（2024年）"),
        (ADMIN, "ganzhou", "赣州市中等职业教育质量年度报告"),
        (COUNTY, "yudu", "于都县中等职业教育质量年度报告（2024年）"),
    ] {
        let (status, html) = get(&deployment, user, &format!("/app/editor/{org}/draft.html?drafts=1")).await;
        assert_eq!(status, StatusCode::OK, "{org}: {html}");
        assert!(html.contains(title), "{org}: the title {title} is missing");
        assert!(!html.contains("{org}") && !html.contains("{year}"), "{org}: a placeholder survived");
    }
    // A city without a sample of its own gets the generic city template: here the sample
    // dataset's figures under another city's name and id.
    let mut loaded =
        nianbao_io::dataset_dir::load_dataset_dir(&root().join("datasets/ganzhou-sample")).expect("dataset");
    nianbao_core::aggregate::fill_with_roll_up(&loaded.framework, &mut loaded.dataset, &[2023, 2024], None);
    let city = loaded.dataset.org_index("ganzhou").expect("city");
    loaded.dataset.orgs[city].id = "other-city".into();
    loaded.dataset.orgs[city].name = "另一市".into();
    let report = nianbao_server::render::build_report(&loaded.framework, &loaded.dataset, city, 2024, &[], &[])
        .expect("the generic city template builds");
    let other = nianbao_report::render::html::html(&report, &nianbao_report::render::Options::default());
    assert!(other.contains("另一市中等职业教育质量年度报告（2024年）"), "the generic city template names the city");
    assert!(other.contains("另一市教育局"), "its cover names the city's bureau");
    assert!(!other.contains("赣州"), "a generic city report carries nothing of Ganzhou's sample");
    // The editor of such a city edits the generic sections, labelled as printed.
    let (status, editor) = get(&deployment, "admin", "/app/editor/other-city").await;
    assert_eq!(status, StatusCode::OK);
    assert!(editor.contains("教师队伍") && editor.contains("文化传承"), "the generic city sections are labelled");
    // The province administrator edits the province report's sections in the browser.
    let (status, editor) = get(&deployment, "admin", "/app/editor/jiangxi").await;
    assert_eq!(status, StatusCode::OK);
    assert!(editor.contains("面临挑战") && editor.contains("国际合作"), "the province's sections are labelled");
}

/// A section whose bindings the approved data cannot fill (no return of the county approved yet)
/// is named at its lines on the editor page and in the publish gate; the preview and publishing
/// answer with those sections in Chinese, never a bare error page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sections_the_data_cannot_fill_are_named_before_preview_and_publish() {
    let deployment = Deployment::new().await;
    let (status, editor) = get(&deployment, COUNTY, "/app/editor/yudu").await;
    assert_eq!(status, StatusCode::OK);
    assert!(editor.contains("id=\"problems-scale\""), "the 基本情况 section shows its problems");
    assert!(editor.contains("个章节引用的数字在已审核数据中缺失或无法计算"), "and the publish gate counts them");
    assert!(!editor.contains("problems unsaved"), "nothing typed is unsaved: leaving the page does not warn");
    let (status, draft) = get(&deployment, COUNTY, "/app/editor/yudu/draft.html").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(draft.contains("报告暂不能生成") && draft.contains("章节“基本情况”"), "{draft}");
    assert!(!draft.contains("the report cannot be built"), "no English on a Chinese page");
    // Each problem at its line, in Chinese, naming the figure by its label (not its id).
    assert!(draft.contains("第 ") && draft.contains("年的“") && draft.contains("”没有数据"), "{draft}");
    for english in ["no value of", "is not applicable", "unknown indicator"] {
        assert!(!draft.contains(english) && !editor.contains(english), "no English template problem: {english}");
    }
    // The live preview of the section says the same, in Chinese.
    let preview = deployment
        .send(
            deployment
                .request(Some(COUNTY), "POST", "/app/editor/yudu/preview")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form(&[("section", "scale"), ("body", "在校生 {{ value(t1.enrolled) }} 人，{{ frob(x) }}。")]))
                .expect("request"),
        )
        .await;
    let preview = body_text(preview).await;
    assert!(preview.contains("第 1 行第 8 列：于都县 2024 年的“") && preview.contains("”没有数据"), "{preview}");
    assert!(preview.contains("无法识别的引用“frob(x)”"), "{preview}");
    assert!(!preview.contains("unknown binding") && !preview.contains("no value of"), "{preview}");
    let (status, published) = post_form(
        &deployment,
        COUNTY,
        "/app/editor/yudu/publish",
        &[("change_note", ""), ("override_note", "样例：测试")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(published.contains("章节“基本情况”"), "{published}");
    assert!(deployment.store.publications().await.expect("list").is_empty(), "nothing was published");
}

/// A school can store only so much: cases per year and photos per case have quotas, refused in
/// Chinese with nothing stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_and_photos_have_quotas() {
    let deployment = Deployment::new().await;
    let photo = tiny_jpeg();
    let many: Vec<(String, String)> = (1..=7).map(|n| (format!("photo{n}"), format!("caption{n}"))).collect();
    let mut fields: Vec<(&str, &str, &[u8])> = vec![("title", "", "样例".as_bytes()), ("body", "", "正文".as_bytes())];
    for (photo_field, caption_field) in &many {
        fields.push((photo_field, "p.jpg", &photo));
        fields.push((caption_field, "", "图".as_bytes()));
    }
    let (status, text) = save_case(&deployment, SCHOOL, "yudu-s1", &fields).await;
    // The form takes at most six new photos: the seventh is not read, the six fit the quota.
    assert_eq!(status, StatusCode::SEE_OTHER, "{text}");
    let case = deployment.store.cases("yudu-s1", 2024).await.expect("cases").remove(0);
    assert_eq!(case.photos.len(), nianbao_server::access::MAX_CASE_PHOTOS);
    let id = case.id.to_string();
    let (status, text) = save_case(
        &deployment,
        SCHOOL,
        "yudu-s1",
        &[
            ("id", "", id.as_bytes()),
            ("was", "", case.updated_at.as_bytes()),
            ("title", "", "样例".as_bytes()),
            ("body", "", "正文".as_bytes()),
            ("photo1", "p.jpg", &photo),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("最多 6 张照片"), "{text}");
    for n in 1..nianbao_server::access::MAX_CASES_PER_RETURN {
        let title = format!("样例案例 {n}");
        let (status, _) = save_case(
            &deployment,
            SCHOOL,
            "yudu-s1",
            &[("title", "", title.as_bytes()), ("body", "", "正文".as_bytes())],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
    let (status, text) = save_case(
        &deployment,
        SCHOOL,
        "yudu-s1",
        &[("title", "", "再一个".as_bytes()), ("body", "", "正文".as_bytes())],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("最多 30 个案例"), "{text}");
    assert!(!text.contains("at most"), "a Chinese page carries no English tail: {text}");
    assert_eq!(deployment.store.cases("yudu-s1", 2024).await.expect("cases").len(), 30);
}

/// The case and pick forms against a corpus of hostile and broken posts: each is refused with a
/// Chinese message (never a 500, never an English tail), and the store is unchanged after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_case_and_pick_forms_are_refused_and_change_nothing() {
    let deployment = Deployment::new().await;
    let photo = tiny_jpeg();
    let long_title = "题".repeat(201);
    let long_body = "文".repeat(20_001);
    let long_caption = "图".repeat(201);
    let mut cut = photo.clone();
    cut.truncate(photo.len() / 2);
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec();
    let title = "样例".as_bytes();
    let body = "正文".as_bytes();
    type Fields<'a> = Vec<(&'a str, &'a str, &'a [u8])>;
    let corpus: Vec<(&str, Fields, StatusCode, &str)> = vec![
        ("no title", vec![("body", "", body)], StatusCode::BAD_REQUEST, "须有标题和正文"),
        ("blank text", vec![("title", "", title), ("body", "", b"   \n ")], StatusCode::BAD_REQUEST, "须有标题和正文"),
        (
            "title too long",
            vec![("title", "", long_title.as_bytes()), ("body", "", body)],
            StatusCode::BAD_REQUEST,
            "过长",
        ),
        (
            "text too long",
            vec![("title", "", title), ("body", "", long_body.as_bytes())],
            StatusCode::BAD_REQUEST,
            "过长",
        ),
        (
            "caption too long",
            vec![
                ("title", "", title),
                ("body", "", body),
                ("photo1", "a.jpg", &photo),
                ("caption1", "", long_caption.as_bytes()),
            ],
            StatusCode::BAD_REQUEST,
            "图题过长",
        ),
        (
            "unknown chapter",
            vec![("title", "", title), ("body", "", body), ("section", "", b"../etc")],
            StatusCode::BAD_REQUEST,
            "未知的章节",
        ),
        (
            "id not a number",
            vec![("id", "", b"1 OR 1=1"), ("title", "", title), ("body", "", body)],
            StatusCode::BAD_REQUEST,
            "无效的案例编号",
        ),
        (
            "id of nothing",
            vec![("id", "", b"999999"), ("was", "", b"x"), ("title", "", title), ("body", "", body)],
            StatusCode::NOT_FOUND,
            "",
        ),
        (
            "photo cut short",
            vec![("title", "", title), ("body", "", body), ("photo1", "a.jpg", &cut)],
            StatusCode::BAD_REQUEST,
            "第 1 张新照片",
        ),
        (
            "svg as photo",
            vec![("title", "", title), ("body", "", body), ("photo1", "a.jpg", &svg)],
            StatusCode::BAD_REQUEST,
            "PNG 或 JPEG",
        ),
    ];
    let before = deployment.store.cases("yudu-s1", 2024).await.expect("cases");
    for (name, fields, expected, says) in corpus {
        let (status, text) = save_case(&deployment, SCHOOL, "yudu-s1", &fields).await;
        assert_eq!(status, expected, "{name}: {text}");
        assert!(text.contains(says), "{name}: {text}");
        for english in ["too long", "unknown chapter", "bad case id", "must be", "needs a title"] {
            assert!(!text.contains(english), "{name}: English on a Chinese page: {text}");
        }
        assert_eq!(deployment.store.cases("yudu-s1", 2024).await.expect("cases"), before, "{name}: the store changed");
    }
    // Picks: a case that does not exist, an order that is not a number, a section the report
    // lacks — each refused, the picks unchanged.
    type PickPost<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);
    let pick_corpus: [PickPost; 4] = [
        ("unknown case", vec![("pick", "999999"), ("section:999999", "culture")], "不是本级所属学校的案例"),
        ("case id not a number", vec![("pick", "abc")], "无效的案例编号"),
        ("order not a number", vec![("pick", "1"), ("order:1", "-2"), ("section:1", "culture")], "顺序须为正整数"),
        ("no such section", vec![("pick", "1"), ("section:1", "nowhere")], ""),
    ];
    for (name, fields, says) in pick_corpus {
        let (status, text) = post_form(&deployment, CITY, "/app/editor/ganzhou/cases", &fields).await;
        assert!(status.is_client_error(), "{name}: {status} {text}");
        assert!(text.contains(says), "{name}: {text}");
        assert!(deployment.store.case_picks("ganzhou", 2024).await.expect("picks").is_empty(), "{name}: picks changed");
    }
}
