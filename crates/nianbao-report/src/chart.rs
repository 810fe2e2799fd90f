//! Charts drawn as SVG from data, with Chinese labels: pie (shares), bar and line (year over year).

use nianbao_core::value::format_decimal;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// Data of a chart: categories (years) and one series per indicator.
#[derive(Debug, Clone)]
pub struct Chart {
    pub title: String,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
}

/// One series: a name and one value per category.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Vec<Decimal>,
    pub unit: String,
    /// Decimals the values print with, as in the tables (the indicator's).
    pub decimals: u32,
}

/// The one rounding of a share of a whole in charts, their legends and the text: two decimals.
pub const SHARE_DECIMALS: u32 = 2;

/// The font list used in every chart; the first installed one is used.
pub const FONT_FAMILY: &str =
    "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, SimHei, WenQuanYi Micro Hei, sans-serif";

const COLOURS: [&str; 8] = ["#2f6db5", "#e07b39", "#4a9a5b", "#c44e52", "#8172b2", "#937860", "#da8bc3", "#8c8c8c"];
const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 360.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn header() -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{FONT_FAMILY}" font-size="14"><rect width="100%" height="100%" fill="white"/>"#
    )
}

/// Geometry is computed in floating point: it positions drawing, it never holds a value.
fn as_f64(value: Decimal) -> f64 {
    value.to_f64().unwrap_or(0.0)
}

/// A pie of the first category's values of every series, with percentages and a legend.
#[allow(clippy::float_arithmetic)]
pub fn pie(chart: &Chart) -> String {
    // Checked: a total beyond a decimal's range draws no slices rather than panicking.
    let total: Decimal = chart
        .series
        .iter()
        .filter_map(|s| s.values.first())
        .try_fold(Decimal::ZERO, |sum, v| sum.checked_add(*v))
        .unwrap_or(Decimal::ZERO);
    let mut svg = header();
    let (cx, cy, r) = (200.0, 180.0, 130.0);
    let mut angle = -std::f64::consts::FRAC_PI_2;
    for (i, series) in chart.series.iter().enumerate() {
        let value = series.values.first().copied().unwrap_or_default();
        let share = value.checked_div(total).map(as_f64).unwrap_or(0.0);
        let sweep = share * std::f64::consts::TAU;
        let (x1, y1) = (cx + r * angle.cos(), cy + r * angle.sin());
        let (x2, y2) = (cx + r * (angle + sweep).cos(), cy + r * (angle + sweep).sin());
        let large = if sweep > std::f64::consts::PI { 1 } else { 0 };
        let colour = COLOURS[i % COLOURS.len()];
        if share >= 0.999 {
            svg.push_str(&format!(r#"<circle cx="{cx}" cy="{cy}" r="{r}" fill="{colour}"/>"#));
        } else if share > 0.0 {
            svg.push_str(&format!(
                r#"<path d="M{cx},{cy} L{x1:.2},{y1:.2} A{r},{r} 0 {large} 1 {x2:.2},{y2:.2} Z" fill="{colour}" stroke="white" stroke-width="2"/>"#
            ));
        }
        let middle = angle + sweep / 2.0;
        let (lx, ly) = (cx + r * 0.62 * middle.cos(), cy + r * 0.62 * middle.sin());
        let percent =
            value.checked_div(total).and_then(|q| q.checked_mul(Decimal::ONE_HUNDRED)).unwrap_or(Decimal::ZERO);
        if share > 0.04 {
            svg.push_str(&format!(
                r#"<text x="{lx:.1}" y="{ly:.1}" text-anchor="middle" fill="white" font-weight="bold">{}%</text>"#,
                format_decimal(percent, SHARE_DECIMALS)
            ));
        }
        let legend_y = 110.0 + i as f64 * 30.0;
        svg.push_str(&format!(r#"<rect x="370" y="{:.1}" width="18" height="18" fill="{colour}"/>"#, legend_y - 14.0));
        svg.push_str(&format!(
            r#"<text x="396" y="{legend_y:.1}">{}：{}{}（{}%）</text>"#,
            escape(&series.name),
            format_decimal(value, series.decimals),
            escape(&series.unit),
            format_decimal(percent, SHARE_DECIMALS)
        ));
        angle += sweep;
    }
    svg.push_str("</svg>");
    svg
}

fn axis_maximum(chart: &Chart) -> Decimal {
    let maximum = chart.series.iter().flat_map(|s| s.values.iter()).copied().max().unwrap_or(Decimal::ONE);
    if maximum <= Decimal::ZERO { Decimal::ONE } else { maximum.checked_mul(Decimal::new(115, 2)).unwrap_or(maximum) }
}

/// Grouped bars: one group per series, one bar per category (year), values on top.
#[allow(clippy::float_arithmetic)]
pub fn bar(chart: &Chart) -> String {
    let mut svg = header();
    let (left, right, top, bottom) = (60.0, 20.0, 30.0, 300.0);
    let maximum = as_f64(axis_maximum(chart));
    svg.push_str(&format!(r##"<line x1="{left}" y1="{bottom}" x2="{}" y2="{bottom}" stroke="#333"/>"##, WIDTH - right));
    let groups = chart.series.len().max(1) as f64;
    let group_width = (WIDTH - left - right) / groups;
    let bars = chart.categories.len().max(1) as f64;
    let bar_width = (group_width * 0.7 / bars).min(60.0);
    for (g, series) in chart.series.iter().enumerate() {
        let group_x = left + g as f64 * group_width + (group_width - bar_width * bars) / 2.0;
        for (c, value) in series.values.iter().enumerate() {
            let height = as_f64(*value) / maximum * (bottom - top);
            let x = group_x + c as f64 * bar_width;
            let colour = COLOURS[c % COLOURS.len()];
            svg.push_str(&format!(
                r#"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{height:.1}" fill="{colour}"/>"#,
                bottom - height,
                bar_width - 4.0
            ));
            svg.push_str(&format!(
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="12">{}</text>"#,
                x + (bar_width - 4.0) / 2.0,
                bottom - height - 4.0,
                format_decimal(*value, series.decimals)
            ));
        }
        // A group's label fits its group: a long one (a school's name) is set smaller.
        let label_width = crate::text_width::width(&series.name).max(1) as f64 * 7.0;
        let size = (14.0 * (group_width - 8.0) / label_width).clamp(8.0, 14.0);
        svg.push_str(&format!(
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="{size:.1}">{}</text>"#,
            left + g as f64 * group_width + group_width / 2.0,
            bottom + 22.0,
            escape(&series.name)
        ));
    }
    for (c, category) in chart.categories.iter().enumerate() {
        let x = left + c as f64 * 90.0;
        svg.push_str(&format!(
            r#"<rect x="{x:.1}" y="330" width="14" height="14" fill="{}"/>"#,
            COLOURS[c % COLOURS.len()]
        ));
        svg.push_str(&format!(r#"<text x="{:.1}" y="343">{}</text>"#, x + 20.0, escape(category)));
    }
    svg.push_str("</svg>");
    svg
}

/// Lines over the categories (years), one per series, with value labels.
#[allow(clippy::float_arithmetic)]
pub fn line(chart: &Chart) -> String {
    let mut svg = header();
    let (left, right, top, bottom) = (60.0, 30.0, 30.0, 290.0);
    let maximum = as_f64(axis_maximum(chart));
    svg.push_str(&format!(r##"<line x1="{left}" y1="{bottom}" x2="{}" y2="{bottom}" stroke="#333"/>"##, WIDTH - right));
    let steps = (chart.categories.len().max(2) - 1) as f64;
    let x_of = |i: usize| left + 20.0 + i as f64 * (WIDTH - left - right - 40.0) / steps;
    for (i, category) in chart.categories.iter().enumerate() {
        svg.push_str(&format!(
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            x_of(i),
            bottom + 22.0,
            escape(category)
        ));
    }
    for (s, series) in chart.series.iter().enumerate() {
        let colour = COLOURS[s % COLOURS.len()];
        let points: Vec<String> = series
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x_of(i), bottom - as_f64(*v) / maximum * (bottom - top)))
            .collect();
        svg.push_str(&format!(
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2.5"/>"#,
            points.join(" ")
        ));
        for (i, value) in series.values.iter().enumerate() {
            let y = bottom - as_f64(*value) / maximum * (bottom - top);
            svg.push_str(&format!(r#"<circle cx="{:.1}" cy="{y:.1}" r="4" fill="{colour}"/>"#, x_of(i)));
            svg.push_str(&format!(
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="12">{}</text>"#,
                x_of(i),
                y - 8.0,
                format_decimal(*value, series.decimals)
            ));
        }
        let x = left + s as f64 * 160.0;
        svg.push_str(&format!(r#"<rect x="{x:.1}" y="330" width="14" height="14" fill="{colour}"/>"#));
        svg.push_str(&format!(r#"<text x="{:.1}" y="343">{}</text>"#, x + 20.0, escape(&series.name)));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> Chart {
        Chart {
            title: "类型分布".into(),
            categories: vec!["2024 年".into()],
            series: vec![
                Series { name: "公办".into(), values: vec![18.into()], unit: "所".into(), decimals: 0 },
                Series { name: "民办".into(), values: vec![25.into()], unit: "所".into(), decimals: 0 },
            ],
        }
    }

    #[test]
    fn pie_labels_come_from_data() {
        let svg = pie(&chart());
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("公办：18所（41.86%）"), "{svg}");
        assert!(svg.contains("民办：25所（58.14%）"), "{svg}");
        // One rounding for the slice's label and its legend.
        assert!(svg.contains(">41.86%<") && !svg.contains(">41.9%<"), "{svg}");
        assert_eq!(svg.matches("<path").count(), 2);
    }

    #[test]
    fn bar_and_line_draw_every_value() {
        let data = Chart {
            title: "在校生".into(),
            categories: vec!["2023 年".into(), "2024 年".into()],
            series: vec![Series {
                name: "在校生".into(),
                values: vec![123630.into(), 116392.into()],
                unit: "人".into(),
                decimals: 0,
            }],
        };
        for svg in [bar(&data), line(&data)] {
            assert!(svg.contains(">123630<") && svg.contains(">116392<") && svg.contains("2024 年"), "{svg}");
        }
    }
}
