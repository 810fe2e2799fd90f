//! Report content kept apart from the template: narrative sections and case studies (TOML).

use nianbao_core::Diagnostics;
use nianbao_core::diagnostic::LineIndex;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Narrative sections and case studies of one report.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Content {
    #[serde(default)]
    pub meta: ContentMeta,
    /// Narrative sections by key; paragraphs separated by blank lines; `{{ … }}` bindings allowed.
    #[serde(default)]
    pub narrative: BTreeMap<String, String>,
    #[serde(default, rename = "case")]
    pub cases: Vec<Case>,
}

/// About the content.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentMeta {
    /// True when the texts are samples written for nianbao.
    #[serde(default)]
    pub sample: bool,
    /// Shown on the cover and in the footer when `sample` is true.
    #[serde(default)]
    pub notice: String,
}

/// One case study (案例): paragraphs separated by blank lines.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub key: String,
    pub title: String,
    pub school: String,
    pub text: String,
    #[serde(default)]
    pub photos: Vec<Photo>,
    /// Printed as written, without `{{ … }}` bindings (a school's case picked into a report).
    #[serde(default)]
    pub literal: bool,
}

/// A photo of a case study: an image file beside the content file, and its caption.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Photo {
    pub file: String,
    pub caption: String,
}

impl Content {
    /// Parses a content file; errors carry file, line and column.
    pub fn from_toml(file_name: &str, text: &str) -> Result<Content, Diagnostics> {
        toml::from_str(text).map_err(|error| {
            let lines = LineIndex::new(file_name, text);
            Diagnostics(vec![
                lines.error(error.span().map(|s| s.start).unwrap_or(0), error.message().trim().to_string()),
            ])
        })
    }

    pub fn case(&self, key: &str) -> Option<&Case> {
        self.cases.iter().find(|case| case.key == key)
    }
}
