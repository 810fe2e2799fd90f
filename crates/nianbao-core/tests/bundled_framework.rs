//! The bundled 2024 中职 framework: tables in printed order, row counts and distinct ids.

use nianbao_core::{Aggregation, Framework, Relation, TableLayout, Unit};
use std::collections::HashSet;

fn framework() -> Framework {
    Framework::from_toml("zhongzhi-2024.toml", &crate::bundled_framework_text()).expect("bundled framework loads")
}

#[test]
fn tables_are_in_printed_order_with_their_row_counts() {
    let framework = framework();
    let summary: Vec<(&str, Option<&str>, usize)> =
        framework.tables.iter().map(|t| (t.id.as_str(), t.number.as_deref(), t.rows.len())).collect();
    assert_eq!(
        summary,
        vec![
            ("t1", Some("表 1"), 2),
            ("t2", Some("表 2"), 8),
            ("a1", Some("附表 1"), 12),
            ("a2", Some("附表 2"), 12),
            ("a3", Some("附表 3"), 46),
            ("a4", Some("附表 4"), 18),
            ("a5", Some("附表 5"), 14),
            ("a6", Some("附表 6"), 21),
            ("facts", None, 33),
        ]
    );
    assert_eq!(framework.appendix_row_count(), 123);
    assert_eq!(framework.notice, "教职成司函〔2024〕29号");
    assert_eq!(framework.table("t1").map(|t| t.layout), Some(TableLayout::YearRows));
    assert_eq!(framework.table("t2").map(|t| t.layout), Some(TableLayout::SingleRow));
}

#[test]
fn rows_printed_alike_are_distinct_indicators() {
    let framework = framework();
    let platform_rows: Vec<_> = framework.indicators.iter().filter(|i| i.label == "接入国家智慧教育平台数").collect();
    assert_eq!(platform_rows.len(), 10);
    let ids: HashSet<_> = platform_rows.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids.len(), 10);
    let courses: Vec<_> = framework.indicators.iter().filter(|i| i.label == "教学计划内课程总数").collect();
    assert_eq!(courses.iter().map(|i| i.unit).collect::<Vec<_>>(), vec![Some(Unit::Course), Some(Unit::CourseHour)]);
}

#[test]
fn survey_rows_have_method_and_respondent_companions() {
    let framework = framework();
    let respondents = framework.lookup("a2.graduates.respondents").expect("companion");
    assert_eq!(framework.indicator(respondents).unit, Some(Unit::PersonTime));
    let graduates = framework.lookup("a2.graduates").expect("row");
    assert_eq!(framework.indicator(graduates).aggregation, Aggregation::WeightedMean { by: respondents });
    assert!(framework.lookup("a2.parents.method").is_some());
    assert!(framework.lookup("a1.graduates.method").is_none());
}

#[test]
fn hierarchy_follows_the_printed_qizhong_rows() {
    let framework = framework();
    let child = |id: &str| framework.indicator(framework.lookup(id).expect(id));
    let parent_of = |id: &str| child(id).parent.map(|p| framework.indicator(p).id.clone());
    assert_eq!(parent_of("a1.to_undergraduate").as_deref(), Some("a1.further_study"));
    assert_eq!(child("a1.employed_primary").relation, Some(Relation::Part));
    assert_eq!(
        parent_of("a3.quality_online_courses_school_on_platform").as_deref(),
        Some("a3.quality_online_courses_school")
    );
    assert_eq!(child("a3.resource_libraries_national_on_platform").relation, Some(Relation::Subset));
    assert_eq!(child("a6.fitness_pass_rate").relation, Some(Relation::Aspect));
    assert_eq!(framework.depth(framework.lookup("a1.to_undergraduate").expect("row")), 2);
}

#[test]
fn every_indicator_has_a_definition_an_english_name_and_a_unit_unless_text() {
    let framework = framework();
    for indicator in &framework.indicators {
        assert!(!indicator.definition.is_empty(), "{} has no definition", indicator.id);
        assert!(!indicator.name_en.is_empty(), "{} has no English name", indicator.id);
        assert_eq!(indicator.unit.is_none(), indicator.kind == nianbao_core::Kind::Text, "{}", indicator.id);
    }
}
