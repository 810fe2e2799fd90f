-- Reads scoped to a subtree walk the parent links: index them.
CREATE INDEX org_unit_parent ON org_unit (parent_id);
