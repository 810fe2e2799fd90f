//! Chinese first, English switchable: the language of a request and picking a text.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::convert::Infallible;

/// The language of the page (cookie `lang`, set by `/lang/en` or `/lang/zh`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// Picks the Chinese or the English text.
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    pub fn is_en(&self) -> bool {
        *self == Lang::En
    }

    /// A stored UTC timestamp (RFC 3339, `2026-12-01T07:52:10.123456Z`) in the deployment's time
    /// zone, as people read it: “2026年12月1日 15:52” (English: “2026-12-01 15:52”). Text that is
    /// not such a timestamp is shown as it is.
    pub fn time(&self, stamp: &str) -> String {
        match local_minutes(stamp, DEPLOYMENT_UTC_OFFSET_MINUTES) {
            Some((year, month, day, hour, minute)) => match self {
                Lang::Zh => format!("{year}年{month}月{day}日 {hour:02}:{minute:02}"),
                Lang::En => format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}"),
            },
            None => stamp.to_string(),
        }
    }

    /// The same language as the report crate names it (for its typed problems).
    pub fn language(&self) -> nianbao_report::validation_output::Language {
        match self {
            Lang::Zh => nianbao_report::validation_output::Language::Chinese,
            Lang::En => nianbao_report::validation_output::Language::English,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// Today's date in the deployment's time zone, as days since 1970-01-01.
pub fn today_days() -> i64 {
    (crate::auth::unix_now() + DEPLOYMENT_UTC_OFFSET_MINUTES * 60).div_euclid(86400)
}

/// A date written `YYYY-MM-DD` (a real calendar day between 2000 and 2100) as days since
/// 1970-01-01.
pub fn parse_day(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        part.bytes().all(|b| b.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    if !(2000..=2100).contains(&year) || !(1..=12).contains(&month) || day < 1 {
        return None;
    }
    let days = nianbao_store::time::days_from_civil(year, month, day);
    // 2025-02-30 is not a day: it must come back as itself.
    (nianbao_store::time::civil_from_days(days) == (year, month, day)).then_some(days)
}

impl Lang {
    /// A `YYYY-MM-DD` day as people write it: “2025年1月10日” (English: as given).
    pub fn day(&self, text: &str) -> String {
        match (self, parse_day(text)) {
            (Lang::Zh, Some(days)) => {
                let (year, month, day) = nianbao_store::time::civil_from_days(days);
                format!("{year}年{month}月{day}日")
            }
            _ => text.to_string(),
        }
    }
}

/// The deployment's time zone: Asia/Shanghai (UTC+8 all year, no daylight saving).
pub const DEPLOYMENT_UTC_OFFSET_MINUTES: i64 = 8 * 60;

/// (year, month, day, hour, minute) of a UTC RFC 3339 timestamp shifted by `offset` minutes.
fn local_minutes(stamp: &str, offset: i64) -> Option<(i64, i64, i64, i64, i64)> {
    let number = |range: std::ops::Range<usize>| stamp.get(range)?.parse::<i64>().ok();
    if stamp.len() < 16 || stamp.as_bytes().get(10) != Some(&b'T') || !stamp.ends_with('Z') {
        return None;
    }
    let (year, month, day, hour, minute) =
        (number(0..4)?, number(5..7)?, number(8..10)?, number(11..13)?, number(14..16)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let days = nianbao_store::time::days_from_civil(year, month, day);
    let total = (days * 24 + hour) * 60 + minute + offset;
    let (days, minute_of_day) = (total.div_euclid(1440), total.rem_euclid(1440));
    let (year, month, day) = nianbao_store::time::civil_from_days(days);
    Some((year, month, day, minute_of_day / 60, minute_of_day % 60))
}

/// Reads a cookie's value from request headers.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(if cookie(&parts.headers, "lang") == Some("en") { Lang::En } else { Lang::Zh })
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn days_are_read_only_when_they_exist() {
        use super::parse_day;
        assert_eq!(parse_day("1970-01-02"), None, "before 2000");
        assert_eq!(parse_day("2025-01-10"), Some(nianbao_store::time::days_from_civil(2025, 1, 10)));
        for wrong in
            ["2025-02-30", "2025-13-01", "2025-1-10", "２０２５-01-10", "2025/01/10", "", "2025-01-1x", "+025-01-10"]
        {
            assert_eq!(parse_day(wrong), None, "{wrong:?}");
        }
        assert_eq!(Lang::Zh.day("2025-01-10"), "2025年1月10日");
    }

    #[test]
    fn times_are_shown_in_beijing_time_as_people_write_them() {
        assert_eq!(Lang::Zh.time("2026-12-01T07:52:10.123456Z"), "2026年12月1日 15:52");
        // Across midnight, a month's end and a leap day.
        assert_eq!(Lang::Zh.time("2026-12-31T16:05:00Z"), "2027年1月1日 00:05");
        assert_eq!(Lang::Zh.time("2024-02-28T20:00:00.000001Z"), "2024年2月29日 04:00");
        assert_eq!(Lang::En.time("2025-02-28T17:30:00Z"), "2025-03-01 01:30");
        // Anything else is left as it is.
        assert_eq!(Lang::Zh.time("2024-12-01"), "2024-12-01");
        assert_eq!(Lang::Zh.time(""), "");
        assert_eq!(Lang::Zh.time("2024-13-01T00:00:00Z"), "2024-13-01T00:00:00Z");
    }
}
