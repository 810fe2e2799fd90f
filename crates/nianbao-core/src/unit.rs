//! The closed list of units an indicator may be printed with.

/// A unit as printed in the report. The list is closed so that a typo in a framework file
/// is caught by the loader instead of being printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Person,
    PersonTime,
    PersonDay,
    Percent,
    Yuan,
    TenThousandYuan,
    HundredMillionYuan,
    Item,
    Course,
    CourseHour,
    TeachingPeriod,
    Volume,
    Project,
    Mbps,
    ItemPerStudent,
    YuanPerStudent,
    PersonPerCourse,
    Ratio,
    School,
    Enterprise,
    SquareMetrePerStudent,
    TenThousandSquareMetres,
    TenThousandPersons,
}

impl Unit {
    pub const ALL: [Unit; 23] = [
        Unit::Person,
        Unit::PersonTime,
        Unit::PersonDay,
        Unit::Percent,
        Unit::Yuan,
        Unit::TenThousandYuan,
        Unit::HundredMillionYuan,
        Unit::Item,
        Unit::Course,
        Unit::CourseHour,
        Unit::TeachingPeriod,
        Unit::Volume,
        Unit::Project,
        Unit::Mbps,
        Unit::ItemPerStudent,
        Unit::YuanPerStudent,
        Unit::PersonPerCourse,
        Unit::Ratio,
        Unit::School,
        Unit::Enterprise,
        Unit::SquareMetrePerStudent,
        Unit::TenThousandSquareMetres,
        Unit::TenThousandPersons,
    ];

    /// The unit exactly as printed in a report table.
    pub fn printed(self) -> &'static str {
        match self {
            Unit::Person => "人",
            Unit::PersonTime => "人次",
            Unit::PersonDay => "人日",
            Unit::Percent => "%",
            Unit::Yuan => "元",
            Unit::TenThousandYuan => "万元",
            Unit::HundredMillionYuan => "亿元",
            Unit::Item => "个",
            Unit::Course => "门",
            Unit::CourseHour => "学时",
            Unit::TeachingPeriod => "课时",
            Unit::Volume => "本",
            Unit::Project => "项",
            Unit::Mbps => "Mbps",
            Unit::ItemPerStudent => "个/生",
            Unit::YuanPerStudent => "元/生",
            Unit::PersonPerCourse => "人/门",
            Unit::Ratio => ":",
            Unit::School => "所",
            Unit::Enterprise => "家",
            Unit::SquareMetrePerStudent => "平方米/生",
            Unit::TenThousandSquareMetres => "万平方米",
            Unit::TenThousandPersons => "万人",
        }
    }

    /// An English name for the unit.
    pub fn english(self) -> &'static str {
        match self {
            Unit::Person => "persons",
            Unit::PersonTime => "person-times",
            Unit::PersonDay => "person-days",
            Unit::Percent => "percent",
            Unit::Yuan => "yuan",
            Unit::TenThousandYuan => "10k yuan",
            Unit::HundredMillionYuan => "100m yuan",
            Unit::Item => "items",
            Unit::Course => "courses",
            Unit::CourseHour => "course hours",
            Unit::TeachingPeriod => "teaching periods",
            Unit::Volume => "volumes",
            Unit::Project => "items",
            Unit::Mbps => "Mbps",
            Unit::ItemPerStudent => "per student",
            Unit::YuanPerStudent => "yuan per student",
            Unit::PersonPerCourse => "persons per course",
            Unit::Ratio => "ratio (x:1)",
            Unit::School => "schools",
            Unit::Enterprise => "enterprises",
            Unit::SquareMetrePerStudent => "m² per student",
            Unit::TenThousandSquareMetres => "10k m²",
            Unit::TenThousandPersons => "10k persons",
        }
    }

    pub fn from_printed(text: &str) -> Option<Unit> {
        Unit::ALL.into_iter().find(|unit| unit.printed() == text)
    }
}
