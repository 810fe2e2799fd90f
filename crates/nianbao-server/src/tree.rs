//! The org tree held in memory: scope checks walk parents without asking the database.

use nianbao_core::{OrgLevel, OrgUnit};
use std::collections::HashMap;

/// Org units in tree order with an id index.
#[derive(Debug, Clone, Default)]
pub struct OrgTree {
    pub units: Vec<OrgUnit>,
    index: HashMap<String, usize>,
}

impl OrgTree {
    pub fn new(units: Vec<OrgUnit>) -> OrgTree {
        let index = units.iter().enumerate().map(|(i, unit)| (unit.id.clone(), i)).collect();
        OrgTree { units, index }
    }

    pub fn find(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    pub fn unit(&self, index: usize) -> &OrgUnit {
        &self.units[index]
    }

    /// Whether `org` is `ancestor` or lies below it.
    pub fn is_within(&self, org: usize, ancestor: usize) -> bool {
        nianbao_core::dataset::is_within(&self.units, org, ancestor)
    }

    /// `org` and everything below it, in tree order.
    pub fn within(&self, org: usize) -> Vec<usize> {
        (0..self.units.len()).filter(|&index| self.is_within(index, org)).collect()
    }

    /// The schools below (or at) `org`.
    pub fn schools_within(&self, org: usize) -> Vec<usize> {
        self.within(org).into_iter().filter(|&index| self.units[index].level == OrgLevel::School).collect()
    }

    pub fn children(&self, org: usize) -> Vec<usize> {
        (0..self.units.len()).filter(|&index| self.units[index].parent == Some(org)).collect()
    }

    /// Names from the root down to `org`, e.g. 江西省 › 赣州市 › 于都县.
    pub fn path_name(&self, org: usize) -> String {
        let mut names = Vec::new();
        let mut current = Some(org);
        while let Some(index) = current {
            names.push(self.units[index].name.clone());
            current = self.units[index].parent;
            if names.len() > self.units.len() {
                break;
            }
        }
        names.reverse();
        names.join(" › ")
    }
}
