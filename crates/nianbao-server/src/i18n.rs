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

    pub fn code(&self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
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
    // Days since 1970-01-01 of the civil date (Howard Hinnant's algorithm), then back.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    let total = (days * 24 + hour) * 60 + minute + offset;
    let (days, minute_of_day) = (total.div_euclid(1440), total.rem_euclid(1440));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
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
