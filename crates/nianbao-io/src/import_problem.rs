//! What can be wrong with an uploaded workbook, as typed values with their place, and the one
//! place where each is worded, in Chinese and in English, with what to do about it.

use crate::lenient::CellProblem;
use crate::workbook::{self, ReadError};
use nianbao_core::bounds::OutOfBounds;
use std::fmt;
use std::sync::Arc;

/// Where a problem is: a sheet, a row of it, or one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Shared by every cell read from the sheet.
    pub sheet: Arc<str>,
    /// Zero-based row and column.
    pub row: Option<u32>,
    pub column: Option<u32>,
}

impl Place {
    pub fn cell(sheet: &Arc<str>, row: u32, column: u32) -> Place {
        Place { sheet: sheet.clone(), row: Some(row), column: Some(column) }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.row, self.column) {
            (Some(row), Some(column)) => write!(f, "{}!{}", self.sheet, workbook::cell_name(row, column)),
            (Some(row), None) => write!(f, "{}!{}:{}", self.sheet, row + 1, row + 1),
            _ => f.write_str(self.sheet.as_ref()),
        }
    }
}

/// Why one cell's content cannot be taken as a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadProblem {
    /// Typed text that is not a number as meant (the lenient reader says why).
    Text(CellProblem),
    FormulaWithoutResult,
    ErrorValue(String),
    Boolean,
    Date,
    /// A number the reader cannot hold (beyond a decimal's range).
    Unreadable,
    /// A cell formatted as a percentage for an indicator that is not one.
    PercentFormatNotPercentage,
    Bounds(OutOfBounds),
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    Unreadable(ReadError),
    NotANianbaoWorkbook,
    FrameworkMismatch {
        made_for: String,
        here: String,
    },
    OldTemplate,
    UnknownSchool {
        template: String,
    },
    WrongSchool {
        template: String,
        expected: String,
    },
    WrongYear {
        template: i32,
        expected: i32,
    },
    BadYear {
        text: String,
    },
    UnknownTable {
        id: String,
    },
    MissingSheet {
        sheet: String,
    },
    ForeignSheet,
    MissingColumn {
        role: String,
    },
    DuplicateColumn {
        role: String,
        first: String,
    },
    ForeignColumn,
    MissingRow {
        label: String,
    },
    RowWithoutId,
    /// A figure typed over a copy (`same_as`): it is entered at its primary.
    CopyTyped {
        primary: String,
    },
    UnknownIndicator {
        id: String,
    },
    LabelMismatch {
        expected: String,
        found: String,
    },
    UnitMismatch {
        expected: String,
        found: String,
    },
    DuplicateRow {
        first: String,
    },
    TwoPlaces {
        first: String,
        first_value: String,
        second_value: String,
    },
    Merged {
        range: String,
    },
    UnknownOrg {
        id: String,
    },
    NotASchool {
        id: String,
        name: String,
    },
    OutsideScope {
        id: String,
        scope: String,
    },
    Cell(ReadProblem),
    /// Reading stopped: so many problems that the file is not the one meant.
    TooMany {
        shown: usize,
    },
}

/// One problem: where, the row's label when known, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub place: Option<Place>,
    pub label: String,
    pub kind: ProblemKind,
}

fn role_zh(role: &str) -> String {
    match role {
        "input" | "nianbao:input" => "本年填报列".into(),
        "label" | "nianbao:label" => "指标名称列".into(),
        "id" | "nianbao:id@" => "隐藏的指标编号列".into(),
        "method" => "调查方式列".into(),
        "respondents" => "调查人次列".into(),
        other => format!("“{other}”列"),
    }
}

fn role_en(role: &str) -> String {
    match role {
        "input" | "nianbao:input" => "the column for this year's figures".into(),
        "label" | "nianbao:label" => "the label column".into(),
        "id" | "nianbao:id@" => "the hidden indicator-id column".into(),
        "method" => "the survey-method column".into(),
        "respondents" => "the respondents column".into(),
        other => format!("the column {other:?}"),
    }
}

impl Problem {
    pub fn whole(kind: ProblemKind) -> Problem {
        Problem { place: None, label: String::new(), kind }
    }
    pub fn sheet(sheet: &str, kind: ProblemKind) -> Problem {
        Problem { place: Some(Place { sheet: sheet.into(), row: None, column: None }), label: String::new(), kind }
    }
    pub fn at(sheet: &str, row: u32, column: u32, label: &str, kind: ProblemKind) -> Problem {
        Problem {
            place: Some(Place { sheet: sheet.into(), row: Some(row), column: Some(column) }),
            label: label.to_string(),
            kind,
        }
    }

    /// The place as printed (`sheet!D5`), empty for the whole file.
    pub fn place_text(&self) -> String {
        self.place.as_ref().map(ToString::to_string).unwrap_or_default()
    }

    /// One line in Chinese: place, label, what is wrong and what to do.
    pub fn line_zh(&self) -> String {
        let mut line = String::new();
        if let Some(place) = &self.place {
            line.push_str(&place.to_string());
            line.push(' ');
        }
        if !self.label.is_empty() {
            line.push_str(&format!("「{}」", self.label));
        }
        if !line.is_empty() {
            line.push('：');
        }
        line.push_str(&self.message_zh());
        line
    }

    pub fn line_en(&self) -> String {
        let mut line = String::new();
        if let Some(place) = &self.place {
            line.push_str(&place.to_string());
        }
        if !self.label.is_empty() {
            line.push_str(&format!(" “{}”", self.label));
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&self.message_en());
        line
    }

    pub fn message_zh(&self) -> String {
        use ProblemKind as K;
        match &self.kind {
            K::Unreadable(error) => read_error_zh(error),
            K::NotANianbaoWorkbook => {
                "这不是本系统的填报模板，也不是多校汇总表：请在系统中下载模板填写后再上传。".into()
            }
            K::FrameworkMismatch { made_for, here } => {
                format!("模板按指标体系 {made_for} 制作，本系统使用 {here}：请重新下载本年度模板。")
            }
            K::OldTemplate => "模板版本过旧或隐藏的核对信息已被改动：请重新下载模板，把数据填入新模板后再上传。".into(),
            K::UnknownSchool { template } => format!("模板所属单位 {template} 不在本系统中：请下载本校的模板。"),
            K::WrongSchool { template, expected } => {
                format!("这是 {template} 的模板，不能导入 {expected}：请上传本单位的模板。")
            }
            K::WrongYear { template, expected } => {
                format!("这是 {template} 年度的数据，当前导入的是 {expected} 年度：请下载 {expected} 年度的模板。")
            }
            K::BadYear { text } => format!("“{text}”不是有效的年度（应为 2000–2100 之间的整数）。"),
            K::UnknownTable { id } => format!("工作表标记的表 {id} 不在指标体系中：请重新下载模板。"),
            K::MissingSheet { sheet } => format!("缺少工作表“{sheet}”（被删除或改名？）：请使用完整的模板。"),
            K::ForeignSheet => "不是模板中的工作表，未读取其中内容。".into(),
            K::MissingColumn { role } => format!("找不到{}（被删除？）：请使用完整的模板。", role_zh(role)),
            K::DuplicateColumn { role, first } => {
                format!("{}出现两次（另一处在 {first}，是否复制了列？）：请删除多余的列。", role_zh(role))
            }
            K::ForeignColumn => {
                "此列不是模板中的列（插入的列？），其中的内容不会被理解：请删除该列，把数值填在“填报”列。".into()
            }
            K::MissingRow { label } => format!("缺少指标“{label}”所在的行（被删除？）：请使用完整的模板。"),
            K::RowWithoutId => {
                "此行没有隐藏的指标编号（插入的行？），数值无法对应到指标：请把数值填在模板原有的行中，并删除插入的行。"
                    .into()
            }
            K::CopyTyped { primary } => format!(
                "此格与“{primary}”是同一数据，只在该处填写、此处自动带出：请在“{primary}”填写，并把此格恢复为原样（或清空）。"
            ),
            K::UnknownIndicator { id } => format!("未知的指标编号 {id}：请重新下载模板。"),
            K::LabelMismatch { expected, found } => format!(
                "此行的指标名称是“{found}”，但隐藏编号对应“{expected}”：是否对表格排序、移动或改写了行？请恢复原有顺序或重新下载模板。"
            ),
            K::UnitMismatch { expected, found } => {
                format!("此行的单位是“{found}”，模板中为“{expected}”：请勿修改单位，按模板单位填写数值。")
            }
            K::DuplicateRow { first } => format!("与 {first} 是同一指标的重复行：请删除其中一行。"),
            K::TwoPlaces { first, first_value, second_value } => format!(
                "与 {first} 是同一数据，但两处不一致（{first} 为“{first_value}”，此处为“{second_value}”）：请只保留一处。"
            ),
            K::Merged { range } => format!("单元格 {range} 被合并了，合并后只有第一格有值：请取消合并，逐格填写。"),
            K::UnknownOrg { id } => format!("未知的学校代码 {id}。"),
            K::NotASchool { id, name } => {
                format!("{name}（{id}）不是学校：合计行不能导入，上级数据由系统汇总。请删除此行。")
            }
            K::OutsideScope { id, scope } => format!("学校 {id} 不属于 {scope}，不能由本单位导入。"),
            K::Cell(problem) => read_problem_zh(problem),
            K::TooMany { shown } => format!("问题超过 {shown} 处，其余未再列出：请确认上传的是本系统的模板。"),
        }
    }

    pub fn message_en(&self) -> String {
        use ProblemKind as K;
        match &self.kind {
            K::Unreadable(error) => read_error_en(error),
            K::NotANianbaoWorkbook => {
                "this is neither a nianbao template nor a multi-school workbook: download a template and fill it in".into()
            }
            K::FrameworkMismatch { made_for, here } => {
                format!("the template was made for framework {made_for}, this system uses {here}: download this year's template")
            }
            K::OldTemplate => {
                "the template is of an older layout, or its hidden check data was changed: download a fresh template".into()
            }
            K::UnknownSchool { template } => format!("the template is for {template}, which is not known here"),
            K::WrongSchool { template, expected } => {
                format!("this template is for {template} and cannot be imported into {expected}")
            }
            K::WrongYear { template, expected } => {
                format!("these are figures for {template}, but {expected} is being imported: download the {expected} template")
            }
            K::BadYear { text } => format!("{text:?} is not a year (a whole number 2000–2100)"),
            K::UnknownTable { id } => format!("the sheet is marked for table {id}, which the framework does not have"),
            K::MissingSheet { sheet } => format!("the sheet {sheet:?} is missing (deleted or renamed?)"),
            K::ForeignSheet => "not a sheet of the template; its content was not read".into(),
            K::MissingColumn { role } => format!("{} is missing (deleted?)", role_en(role)),
            K::DuplicateColumn { role, first } => format!("{} appears twice (also at {first}): delete the copy", role_en(role)),
            K::ForeignColumn => {
                "this column is not one of the template's (inserted?): delete it and enter figures in the input column".into()
            }
            K::MissingRow { label } => format!("the row of {label:?} is missing (deleted?)"),
            K::RowWithoutId => {
                "this row has no hidden indicator id (inserted?), so its figure cannot be placed: use the template's rows".into()
            }
            K::CopyTyped { primary } => format!(
                "this cell shows the same figure as {primary:?}, which is entered there: enter it at {primary:?} and restore (or clear) this cell"
            ),
            K::UnknownIndicator { id } => format!("unknown indicator {id}"),
            K::LabelMismatch { expected, found } => format!(
                "the row reads {found:?} but its hidden id is {expected:?}: were the rows sorted or moved? Restore the order or download a fresh template"
            ),
            K::UnitMismatch { expected, found } => {
                format!("the unit reads {found:?}, the template's is {expected:?}: enter figures in the template's unit")
            }
            K::DuplicateRow { first } => format!("a second row for the same indicator as {first}: delete one"),
            K::TwoPlaces { first, first_value, second_value } => format!(
                "the same figure is also given at {first}, differently ({first_value:?} there, {second_value:?} here): keep one"
            ),
            K::Merged { range } => format!("the cells {range} are merged, so only the first holds a value: unmerge them"),
            K::UnknownOrg { id } => format!("unknown school code {id}"),
            K::NotASchool { id, name } => format!("{name} ({id}) is not a school: total rows are computed, not imported"),
            K::OutsideScope { id, scope } => format!("school {id} is not in {scope}"),
            K::Cell(problem) => read_problem_en(problem),
            K::TooMany { shown } => format!("more than {shown} problems; the rest are not listed: is this the system's template?"),
        }
    }
}

fn read_error_zh(error: &ReadError) -> String {
    match error {
        ReadError::FileTooLarge { size, limit } => format!("文件有 {size} 字节，超过上限 {limit} 字节。"),
        ReadError::UnpackedTooLarge { limit } => {
            format!("文件解压后超过 {} MB，已拒绝（可能是损坏或恶意文件）。", limit >> 20)
        }
        ReadError::TooManyCells { limit } => format!("工作簿中有数据的单元格超过 {limit} 个，已拒绝。"),
        ReadError::CellOutOfRange { sheet, cell, .. } => {
            format!("工作表“{sheet}”在 {cell} 处有内容，超出可读取的范围：请删除多余的内容后另存。")
        }
        ReadError::TooManySheets { limit } => format!("工作表超过 {limit} 个，已拒绝。"),
        ReadError::LegacyXls => "这是旧版 .xls 文件：请在 Excel 或 WPS 中“另存为”.xlsx 格式后再上传。".into(),
        ReadError::NotASpreadsheet => {
            "不是 .xlsx 或 .ods 电子表格文件（可能已损坏）：请上传从本系统下载并填写的模板。".into()
        }
        // The detail is the parser's own (English) word: the English message carries it.
        ReadError::Damaged { part, .. } => format!("文件已损坏（{part}）：请在 Excel 或 WPS 中打开并重新保存。"),
    }
}

fn read_error_en(error: &ReadError) -> String {
    match error {
        ReadError::LegacyXls => "this is a legacy .xls file: save it as .xlsx in Excel or WPS and upload that".into(),
        ReadError::NotASpreadsheet => "not an .xlsx or .ods spreadsheet (damaged?)".into(),
        other => other.to_string(),
    }
}

fn read_problem_zh(problem: &ReadProblem) -> String {
    match problem {
        ReadProblem::Text(problem) => problem.message_zh.clone(),
        ReadProblem::FormulaWithoutResult => {
            "公式没有保存计算结果（保存文件的程序未计算公式）：请在 Excel 或 WPS 中打开、确认结果后保存，或直接填写数值。".into()
        }
        ReadProblem::ErrorValue(code) => format!("单元格是错误值 {code}（公式出错？）：请改为数值。"),
        ReadProblem::Boolean => "单元格是逻辑值（TRUE/FALSE），不是数值。".into(),
        ReadProblem::Date => "单元格是日期，不是数值：请把单元格格式改为“常规”后重新填写。".into(),
        ReadProblem::Unreadable => "数值超出可处理的范围。".into(),
        ReadProblem::PercentFormatNotPercentage => "单元格设置成了百分比格式，但此项不是百分比：请改为“常规”格式后重新填写。".into(),
        ReadProblem::Bounds(bound) => format!("{}。", bound.message_zh()),
    }
}

fn read_problem_en(problem: &ReadProblem) -> String {
    match problem {
        ReadProblem::Text(problem) => problem.message_en.clone(),
        ReadProblem::FormulaWithoutResult => {
            "the formula has no stored result (the saving program did not calculate it): open and save it in Excel or WPS, or type the figure".into()
        }
        ReadProblem::ErrorValue(code) => format!("the cell holds the error {code}"),
        ReadProblem::Boolean => "the cell holds TRUE/FALSE, not a number".into(),
        ReadProblem::Date => "the cell holds a date, not a number".into(),
        ReadProblem::Unreadable => "the number is out of range".into(),
        ReadProblem::PercentFormatNotPercentage => {
            "the cell is formatted as a percentage but the indicator is not one".into()
        }
        ReadProblem::Bounds(bound) => bound.message_en().into(),
    }
}
