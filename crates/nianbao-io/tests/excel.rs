//! Excel exchange: the generated corpus of messy and hostile workbooks (every outcome asserted),
//! the template round trip, and exports.

use nianbao_core::{IndicatorIndex, Value};
use nianbao_io::corpus::{self, Expect};
use nianbao_io::excel::{self, Expected, Limits};
use nianbao_io::{LoadedDataset, load_dataset_dir};
use std::path::Path;

fn sample() -> LoadedDataset {
    load_dataset_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/ganzhou-sample")).expect("sample")
}

/// Peak resident memory of this process so far, in MB (Linux).
fn peak_memory_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map(|kb| kb / 1024)
        .unwrap_or(0)
}

#[test]
fn every_corpus_workbook_is_stored_as_meant_or_refused_at_its_place() {
    let loaded = sample();
    let school = loaded.dataset.org_index("xingguo-s1").expect("school");
    let cases = corpus::cases(&loaded.framework, &loaded.dataset, school, 2024);
    assert!(cases.len() >= 60, "the corpus has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let expected = Expected { org: case.school, year: Some(case.year), within: None };
        let imported = excel::import(&case.bytes, &loaded.framework, &loaded.dataset, &expected, &Limits::default());
        match &case.expect {
            Expect::Stored(changes) => {
                if !imported.problems.is_empty() {
                    let lines: Vec<String> = imported.problems.iter().take(5).map(|p| p.line_zh()).collect();
                    failures.push(format!("{}: refused but should be accepted: {lines:#?}", case.name));
                    continue;
                }
                let mut got: Vec<(String, String, Value)> = imported
                    .changes()
                    .map(|c| {
                        (
                            loaded.framework.indicator(c.indicator).id.clone(),
                            loaded.dataset.orgs[c.org].id.clone(),
                            c.value.clone(),
                        )
                    })
                    .collect();
                let mut want = changes.clone();
                got.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
                want.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
                if got != want {
                    let diff: Vec<_> = got.iter().filter(|g| !want.contains(g)).take(5).collect();
                    let missing: Vec<_> = want.iter().filter(|w| !got.contains(w)).take(5).collect();
                    failures.push(format!("{}: stored {diff:?} unexpectedly, lacks {missing:?}", case.name));
                }
            }
            Expect::Refused(places) => {
                if imported.problems.is_empty() {
                    failures.push(format!("{}: accepted but should be refused", case.name));
                    continue;
                }
                // A place is named as the problem's own place, or in its message (the other place of two).
                let named: Vec<String> =
                    imported.problems.iter().flat_map(|p| [p.place_text(), p.message_zh()]).collect();
                for place in places {
                    if !named.iter().any(|n| n.contains(place.as_str())) {
                        failures.push(format!("{}: the refusal does not name {place}: {named:?}", case.name));
                    }
                }
                assert!(imported.problems.len() <= excel::MAX_PROBLEMS + 1, "{}: problems are bounded", case.name);
                for problem in &imported.problems {
                    assert!(!problem.message_zh().is_empty() && !problem.message_en().is_empty());
                    assert!(
                        problem.message_zh().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                        "{}",
                        problem.message_zh()
                    );
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    // No case may take more than a few hundred MB, the zip bomb and the repeated-cell .ods included.
    let peak = peak_memory_mb();
    assert!(peak < 1500, "peak memory {peak} MB");
}

#[test]
fn template_round_trip_gives_back_what_was_filled() {
    let loaded = sample();
    let school = loaded.dataset.org_index("xingguo-s1").expect("school");
    let version = |_: IndicatorIndex| Some(3);
    let bytes = excel::write_template(&loaded.framework, &loaded.dataset, school, 2024, &version).expect("template");
    let expected = Expected { org: Some(school), year: Some(2024), within: None };
    let imported = excel::import(&bytes, &loaded.framework, &loaded.dataset, &expected, &Limits::default());
    assert!(imported.problems.is_empty(), "{:#?}", imported.problems);
    assert_eq!(imported.changes().count(), 0, "an unchanged template changes nothing");
    let mut count = 0;
    for cell in &imported.cells {
        assert_eq!((cell.org, cell.year), (school, 2024));
        assert_eq!(&cell.value, loaded.dataset.get(school, 2024, cell.indicator));
        assert_eq!(cell.base.as_ref().map(|b| b.version), Some(3), "the version travels with the value");
        count += 1;
    }
    assert!(count > 150, "{count} values");
}

#[test]
fn export_writes_every_printed_table_as_a_sheet() {
    let loaded =
        load_dataset_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/ganzhou")).expect("published");
    let city = loaded.dataset.org_index("ganzhou").expect("city");
    let bytes = excel::export_tables(&loaded.framework, &loaded.dataset, city, 2024).expect("export");
    // The header rows and the labels stay in view (frozen panes) on every sheet.
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).expect("zip");
    let mut sheet = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("xl/worksheets/sheet3.xml").expect("sheet"), &mut sheet)
        .expect("xml");
    assert!(sheet.contains("<pane xSplit=\"1\" ySplit=\"2\""), "frozen panes");
    use calamine::Reader;
    let mut workbook = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).expect("readable");
    let names = workbook.sheet_names();
    assert_eq!(names.len(), 8, "{names:?}");
    assert_eq!(names[2], "附表1 人才培养质量计分卡");
    let range = workbook.worksheet_range(&names[2]).expect("sheet");
    assert_eq!(range.get((0, 0)).map(|d| d.to_string()), Some("附表 1 人才培养质量计分卡".into()));
    assert_eq!(range.get((2, 0)).map(|d| d.to_string()), Some("毕业生人数".into()));
    assert_eq!(range.get((2, 3)), Some(&calamine::Data::Float(39481.0)));
    // 附表 2's 调查人次 are numbers, its 调查方式 text.
    let survey = workbook.worksheet_range(&names[3]).expect("sheet");
    assert_eq!(survey.get((2, 4)).map(|d| d.to_string()), Some("全国统一网上调查".into()));
    assert_eq!(survey.get((2, 5)), Some(&calamine::Data::Float(19533.0)));
    let sdmx = excel::sdmx_csv(&loaded.framework, &loaded.dataset, 2024);
    assert!(sdmx.starts_with("DATAFLOW,REF_AREA,TIME_PERIOD,INDICATOR,UNIT_MEASURE,OBS_VALUE,OBS_STATUS\n"));
    assert!(sdmx.contains("NIANBAO:ZHONGZHI_2024(2024.1),ganzhou,2024,a1.graduates,人,39481,A\n"), "{}", &sdmx[..400]);
    assert!(sdmx.contains(",ganzhou,2024,a2.staff,%,,N\n"));
}
