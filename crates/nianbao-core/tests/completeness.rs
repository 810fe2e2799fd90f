//! Completeness (what each level must report) and copies (one quantity, entered once).

use nianbao_core::completeness::{completeness, fill_copies};
use nianbao_core::validation::{RuleSet, Summary};
use nianbao_core::{Dataset, Framework, OrgLevel, OrgUnit, Value};
use rust_decimal::Decimal;

fn framework() -> Framework {
    Framework::from_toml("zhongzhi-2024.toml", &crate::bundled_framework_text()).expect("bundled framework loads")
}

fn school_dataset(framework: &Framework) -> (Dataset, usize) {
    let mut dataset = Dataset::new(framework.indicators.len());
    let school = dataset.add_org(OrgUnit::new("s1", "样例学校", OrgLevel::School, None)).expect("org");
    (dataset, school)
}

#[test]
fn the_bundled_framework_declares_what_a_school_reports() {
    let framework = framework();
    let required: Vec<&str> =
        framework.required_at(OrgLevel::School).map(|i| framework.indicator(i).id.as_str()).collect();
    // Every row of 表1, 表2 and the six 附表 (with the survey companions), less the copies,
    // plus the two per-student areas of the narrative facts.
    assert!(required.contains(&"t1.enrolled") && required.contains(&"a2.students.method"));
    assert!(required.contains(&"facts.land_per_student"));
    assert!(!required.contains(&"facts.schools"), "a count of schools is the city's, not a school's");
    assert!(!required.contains(&"a6.enrolled_full_time"), "a copy is not asked again");
    assert_eq!(framework.required_at(OrgLevel::City).count(), 0);
    let copies: Vec<(&str, &str)> = framework
        .copies()
        .map(|(copy, primary)| (framework.indicator(copy).id.as_str(), framework.indicator(primary).id.as_str()))
        .collect();
    assert_eq!(
        copies,
        [
            ("a6.enrolled_full_time", "t1.enrolled"),
            ("a6.staff_total", "t2.staff_total"),
            ("a6.full_time_teachers", "t2.full_time_teachers"),
            ("a6.industry_mentors", "t2.industry_mentors"),
            ("facts.equipment_value_per_student", "a3.equipment_value_per_student"),
            ("facts.campus_staff", "t2.campus_staff"),
            ("facts.full_time_teachers", "t2.full_time_teachers"),
        ]
    );
}

#[test]
fn an_empty_return_is_incomplete_and_every_answer_counts() {
    let framework = framework();
    let (mut dataset, school) = school_dataset(&framework);
    let empty = completeness(&framework, OrgLevel::School, dataset.slots(school, 2024));
    assert!(empty.required > 150, "{}", empty.required);
    assert_eq!(empty.missing.len(), empty.required, "nothing reported: every required figure is missing");
    assert_eq!(empty.reported(), 0);
    for index in framework.required_at(OrgLevel::School) {
        let value = match framework.indicator(index).kind {
            nianbao_core::Kind::Text => Value::Text("网上调查".into()),
            _ => Value::Number(Decimal::from(3)),
        };
        dataset.set(school, 2024, index, value);
    }
    assert!(completeness(&framework, OrgLevel::School, dataset.slots(school, 2024)).is_complete());
    // “-” answers a figure; a blank text or an emptied cell does not.
    let enrolled = framework.lookup("t1.enrolled").expect("id");
    let method = framework.lookup("a2.students.method").expect("id");
    dataset.set(school, 2024, enrolled, Value::NotApplicable);
    assert!(completeness(&framework, OrgLevel::School, dataset.slots(school, 2024)).is_complete());
    dataset.set(school, 2024, method, Value::Text("  ".into()));
    dataset.set(school, 2024, enrolled, Value::Missing);
    let gaps = completeness(&framework, OrgLevel::School, dataset.slots(school, 2024));
    assert_eq!(gaps.missing, [enrolled, method]);
    // Another level asks for nothing of these.
    assert!(completeness(&framework, OrgLevel::County, None).is_complete());
}

#[test]
fn a_copy_shows_its_primary_unless_it_holds_a_value_of_its_own() {
    let framework = framework();
    let rules = RuleSet::for_framework(&framework);
    let (mut dataset, school) = school_dataset(&framework);
    let t1 = framework.lookup("t1.enrolled").expect("id");
    let a6 = framework.lookup("a6.enrolled_full_time").expect("id");
    let mentors_t2 = framework.lookup("t2.industry_mentors").expect("id");
    let mentors_a6 = framework.lookup("a6.industry_mentors").expect("id");
    dataset.set(school, 2024, t1, Value::Number(Decimal::from(1200)));
    dataset.set(school, 2024, mentors_t2, Value::Number(Decimal::from(236)));
    // A dataset that printed both mentor figures keeps both: the published 236 vs 336.
    dataset.set(school, 2024, mentors_a6, Value::Number(Decimal::from(336)));
    assert_eq!(fill_copies(&framework, &mut dataset), 1);
    assert_eq!(dataset.get(school, 2024, a6), &Value::Number(Decimal::from(1200)));
    assert_eq!(dataset.get(school, 2024, mentors_a6), &Value::Number(Decimal::from(336)));
    let findings = rules.evaluate(&framework, &dataset, school, 2024, &mut Summary::default());
    let fired: Vec<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
    assert!(fired.contains(&"mentors_same_in_table2_and_appendix6"), "{fired:?}");
    assert!(!fired.contains(&"enrolled_same_in_table1_and_appendix6"), "{fired:?}");
    // Filling again changes nothing.
    assert_eq!(fill_copies(&framework, &mut dataset), 0);
}

#[test]
fn the_loader_refuses_broken_copies_and_levels() {
    let base = r#"[framework]
id = "mini"
version = "1"
name = "迷你框架"
notice = "教职成司函〔2024〕29号"

[[table]]
id = "a1"
caption = "测试表"
required = ["school", "town"]

[[table.indicator]]
id = "a1.total"
label = "总数"
unit = "人"
kind = "count"

[[table.indicator]]
id = "a1.rate"
label = "比例"
unit = "%"
kind = "percentage"
aggregate = { rule = "none" }
same_as = "a1.total"

[[table.indicator]]
id = "a1.again"
label = "总数（再列）"
unit = "人"
kind = "count"
same_as = "a1.nowhere"
required = ["school"]

[[table.indicator]]
id = "a1.chain"
label = "总数（三列）"
unit = "人"
kind = "count"
same_as = "a1.rate"

[[table.indicator]]
id = "a1.summed_elsewhere"
label = "总数（四列）"
unit = "人"
kind = "count"
aggregate = { rule = "max" }
same_as = "a1.total"

[[table.indicator]]
id = "a1.self"
label = "自身"
unit = "人"
kind = "count"
same_as = "a1.self"
"#;
    let errors: Vec<String> = match Framework::from_toml("broken.toml", base) {
        Ok(_) => panic!("accepted"),
        Err(problems) => problems.iter().map(|d| d.to_string()).collect(),
    };
    let has = |needle: &str| assert!(errors.iter().any(|e| e.contains(needle)), "no {needle:?} in {errors:#?}");
    has("unknown org level \"town\"");
    has("\"a1.rate\" (percentage in \"%\") cannot be the same as \"a1.total\" (count in \"人\")");
    has("same_as refers to unknown indicator \"a1.nowhere\"");
    has("its primary is required, not the copy");
    has("which is itself a copy");
    has("cannot be the same as itself");
    has("\"a1.summed_elsewhere\" is the same as \"a1.total\" but aggregates differently");
}

#[test]
fn a_school_form_asks_only_what_schools_report() {
    let framework = framework();
    let asks = |id: &str| framework.asks(OrgLevel::School, framework.lookup(id).expect("indicator"));
    // Every row of a printed table is asked.
    assert!(asks("t1.enrolled") && asks("t2.industry_mentors"));
    // Of the narrative's facts, only those schools must report.
    assert!(asks("facts.land_per_student") && asks("facts.floor_space_per_student"));
    assert!(!asks("facts.schools_public"), "counted from the org tree");
    assert!(!asks("facts.annual_special_fund"), "stated by the city");
    let facts = framework.table("facts").expect("facts");
    assert!(framework.table_asks(OrgLevel::School, facts), "the facts table still asks schools for two figures");
}
