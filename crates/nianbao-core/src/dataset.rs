//! A dataset in memory: the org tree and the values held per (org unit, year, indicator).

use crate::framework::IndicatorIndex;
use crate::value::Value;
use std::collections::{BTreeSet, HashMap};

/// Org-unit attributes that reports group schools by (and that `count_orgs` may test).
pub const ORG_ATTRIBUTES: [&str; 4] = ["ownership", "designation", "provincial_grade", "school_type"];

/// Level of an org unit in the tree province › city › county › school.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OrgLevel {
    Nation,
    Province,
    City,
    County,
    School,
}

impl OrgLevel {
    pub const NAMES: [&'static str; 5] = ["nation", "province", "city", "county", "school"];
    pub fn from_name(name: &str) -> Option<OrgLevel> {
        Some(match name {
            "nation" => OrgLevel::Nation,
            "province" => OrgLevel::Province,
            "city" => OrgLevel::City,
            "county" => OrgLevel::County,
            "school" => OrgLevel::School,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        OrgLevel::NAMES[self as usize]
    }
}

/// 公办 or 民办.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ownership {
    Public,
    Private,
}

impl Ownership {
    pub fn from_name(name: &str) -> Option<Ownership> {
        match name {
            "public" => Some(Ownership::Public),
            "private" => Some(Ownership::Private),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Ownership::Public => "public",
            Ownership::Private => "private",
        }
    }
}

/// One node of the org tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgUnit {
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub level: OrgLevel,
    /// Index of the parent in [`Dataset::orgs`].
    pub parent: Option<usize>,
    pub ownership: Option<Ownership>,
    /// e.g. national_key, national_demonstration.
    pub designations: Vec<String>,
    /// 省级分级评价档次: A, B, C, …
    pub provincial_grade: Option<String>,
    pub school_type: Option<String>,
}

impl OrgUnit {
    /// A unit without attributes (ownership, designations, grade, type); `name_en` equals `name`.
    pub fn new(id: impl Into<String>, name: impl Into<String>, level: OrgLevel, parent: Option<usize>) -> OrgUnit {
        let name = name.into();
        OrgUnit {
            id: id.into(),
            name_en: name.clone(),
            name,
            level,
            parent,
            ownership: None,
            designations: Vec::new(),
            provincial_grade: None,
            school_type: None,
        }
    }

    /// Values of a named attribute (see [`ORG_ATTRIBUTES`]).
    pub fn attribute_values(&self, attribute: &str) -> Vec<&str> {
        match attribute {
            "ownership" => self.ownership.map(Ownership::name).into_iter().collect(),
            "designation" => self.designations.iter().map(String::as_str).collect(),
            "provincial_grade" => self.provincial_grade.as_deref().into_iter().collect(),
            "school_type" => self.school_type.as_deref().into_iter().collect(),
            _ => Vec::new(),
        }
    }
}

/// Org units and values. Values are dense per (org, year): one slot per framework indicator.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub name: String,
    /// True when the figures are synthetic or illustrative rather than published.
    pub sample: bool,
    pub source: String,
    pub orgs: Vec<OrgUnit>,
    org_by_id: HashMap<String, usize>,
    indicator_count: usize,
    values: HashMap<(usize, i32), Vec<Value>>,
    notes: HashMap<(usize, i32, IndicatorIndex), String>,
}

/// Whether the unit at `org` is `ancestor` or lies below it, in a list of units whose `parent`
/// indices refer to the same list (a cycle or a dangling parent answers false).
pub fn is_within(units: &[OrgUnit], org: usize, ancestor: usize) -> bool {
    let mut current = Some(org);
    let mut steps = 0;
    while let Some(index) = current {
        if index == ancestor {
            return true;
        }
        steps += 1;
        if steps > units.len() {
            return false;
        }
        current = units.get(index).and_then(|unit| unit.parent);
    }
    false
}

impl Dataset {
    pub fn new(indicator_count: usize) -> Dataset {
        Dataset { indicator_count, ..Dataset::default() }
    }

    /// Adds an org unit; its parent must already be present. Returns its index.
    pub fn add_org(&mut self, org: OrgUnit) -> Result<usize, String> {
        if self.org_by_id.contains_key(&org.id) {
            return Err(format!("duplicate org unit id {:?}", org.id));
        }
        let index = self.orgs.len();
        self.org_by_id.insert(org.id.clone(), index);
        self.orgs.push(org);
        Ok(index)
    }

    pub fn org_index(&self, id: &str) -> Option<usize> {
        self.org_by_id.get(id).copied()
    }

    pub fn org(&self, id: &str) -> Option<&OrgUnit> {
        self.org_index(id).map(|index| &self.orgs[index])
    }

    /// The root of the tree that the report is about by default: the highest-level unit that
    /// holds values, falling back to the first unit.
    pub fn default_org(&self) -> Option<&OrgUnit> {
        let mut with_values: Vec<usize> = self.values.keys().map(|(org, _)| *org).collect();
        with_values.sort_by_key(|&org| (self.orgs[org].level, org));
        with_values.first().map(|&org| &self.orgs[org]).or(self.orgs.first())
    }

    pub fn children_of(&self, org: usize) -> impl Iterator<Item = usize> + '_ {
        self.orgs.iter().enumerate().filter(move |(_, unit)| unit.parent == Some(org)).map(|(index, _)| index)
    }

    pub fn set(&mut self, org: usize, year: i32, indicator: IndicatorIndex, value: Value) {
        let count = self.indicator_count;
        let slots = self.values.entry((org, year)).or_insert_with(|| vec![Value::Missing; count]);
        slots[indicator.0] = value;
    }

    pub fn set_note(&mut self, org: usize, year: i32, indicator: IndicatorIndex, note: String) {
        self.notes.insert((org, year, indicator), note);
    }

    pub fn get(&self, org: usize, year: i32, indicator: IndicatorIndex) -> &Value {
        static MISSING: Value = Value::Missing;
        self.values.get(&(org, year)).and_then(|slots| slots.get(indicator.0)).unwrap_or(&MISSING)
    }

    /// All values of one org unit and year, indexed by indicator (None when nothing is held).
    pub fn slots(&self, org: usize, year: i32) -> Option<&[Value]> {
        self.values.get(&(org, year)).map(Vec::as_slice)
    }

    pub fn note(&self, org: usize, year: i32, indicator: IndicatorIndex) -> Option<&str> {
        self.notes.get(&(org, year, indicator)).map(String::as_str)
    }

    /// Years that hold at least one value, ascending.
    pub fn years(&self) -> Vec<i32> {
        self.values.keys().map(|(_, year)| *year).collect::<BTreeSet<_>>().into_iter().collect()
    }

    /// Number of values that are not missing.
    pub fn value_count(&self) -> usize {
        self.values.values().map(|slots| slots.iter().filter(|v| !v.is_missing()).count()).sum()
    }

    /// Keeps the values (and notes) of the org-years for which `keep` says yes; drops the others.
    pub fn retain_org_years(&mut self, mut keep: impl FnMut(&OrgUnit, i32) -> bool) {
        let orgs = &self.orgs;
        let mut kept: HashMap<(usize, i32), bool> = HashMap::new();
        self.values.retain(|&(org, year), _| *kept.entry((org, year)).or_insert_with(|| keep(&orgs[org], year)));
        self.notes.retain(|&(org, year, _), _| kept.get(&(org, year)).copied().unwrap_or(false));
    }

    /// Every stored (org index, year) pair with its slots, to change in place.
    pub fn iter_slots_mut(&mut self) -> impl Iterator<Item = ((usize, i32), &mut [Value])> {
        self.values.iter_mut().map(|(key, slots)| (*key, slots.as_mut_slice()))
    }

    /// Every stored (org index, year) pair with its slots.
    pub fn iter_slots(&self) -> impl Iterator<Item = ((usize, i32), &[Value])> {
        self.values.iter().map(|(key, slots)| (*key, slots.as_slice()))
    }
}
