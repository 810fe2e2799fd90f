//! Table views: captions filled in from the year and org, cells formatted by declared decimals.

use nianbao_core::table_view::TableView;
use nianbao_core::value::Value;
use nianbao_core::{Dataset, Framework, OrgLevel, OrgUnit};
use rust_decimal::Decimal;
use std::str::FromStr;

#[test]
fn caption_takes_the_year_and_org_and_cells_use_declared_decimals() {
    let framework = Framework::from_toml("zhongzhi-2024.toml", &crate::bundled_framework_text()).expect("framework");
    let mut dataset = Dataset::new(framework.indicators.len());
    let org = dataset.add_org(OrgUnit::new("city", "示例市", OrgLevel::City, None)).expect("org");
    let income = framework.lookup("a1.monthly_income").expect("income");
    dataset.set(org, 2023, income, Value::Number(Decimal::from_str("3379").expect("dec")));
    dataset.set(org, 2024, income, Value::NotApplicable);
    let t2 = framework.table("t2").expect("t2");
    let view = TableView::build(&framework, &dataset, t2, org, 2025);
    assert_eq!(view.title, "表 2 2025 年示例市中等职业教育教职工数情况表");
    assert_eq!(view.printed_years, vec![2025]);
    let a1 = framework.table("a1").expect("a1");
    let view = TableView::build(&framework, &dataset, a1, org, 2024);
    let row = view.rows.iter().find(|r| r.indicator_id == "a1.monthly_income").expect("row");
    assert_eq!(row.cells.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(), vec!["3379.00", "-"]);
    let graduates = view.rows.iter().find(|r| r.indicator_id == "a1.graduates").expect("row");
    assert_eq!(graduates.cells.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(), vec!["", ""]);
}
