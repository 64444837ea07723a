//! Pages of rows as the `.c1z` writer's thread inserts them, encoded on the sending side.
//!
//! Encoding a page into one buffer before it crosses to the SQLite thread means the page's
//! objects (a resource's profile alone is dozens of allocations) are dropped on the thread that
//! allocated them. Freed on the SQLite thread instead, each of those allocations went back to
//! another thread's malloc arena, under that arena's lock, which the engine thread was taking
//! at the same time for its own allocations.

use prost::Message;
use prost::encoding::{WireType, encode_key, encode_varint};

use crate::model::{Entitlement, Grant, Resource};

/// Where a cell's bytes are: a range of the text buffer or of the blob buffer, or SQL NULL.
#[derive(Clone, Copy)]
enum Cell {
    Text(usize, usize),
    Blob(usize, usize),
    Null,
}

/// Rows of a fixed number of columns; every column is text, a blob or NULL, stored as a range
/// of one of two buffers. Text cells live in a `String`, so reading them back needs no UTF-8
/// check (one per cell was 1% of a sync's CPU).
pub(super) struct Rows {
    text: String,
    blobs: Vec<u8>,
    /// `width` cells per row.
    cells: Vec<Cell>,
    width: usize,
}

impl Rows {
    fn new(width: usize, rows: usize, text_bytes: usize, blob_bytes: usize) -> Self {
        Self {
            text: String::with_capacity(text_bytes),
            blobs: Vec::with_capacity(blob_bytes),
            cells: Vec::with_capacity(rows * width),
            width,
        }
    }

    fn push_str(&mut self, s: &str) {
        self.push_text_with(|t| t.push_str(s));
    }

    fn push_opt(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.push_str(s),
            None => self.cells.push(Cell::Null),
        }
    }

    /// Appends a text cell written by `f`.
    fn push_text_with(&mut self, f: impl FnOnce(&mut String)) {
        let start = self.text.len();
        f(&mut self.text);
        self.cells.push(Cell::Text(start, self.text.len()));
    }

    /// Appends a blob cell written by `f`.
    fn push_blob_with(&mut self, f: impl FnOnce(&mut Vec<u8>)) {
        let start = self.blobs.len();
        f(&mut self.blobs);
        self.cells.push(Cell::Blob(start, self.blobs.len()));
    }

    /// Appends `other`'s rows (of the same width).
    pub(super) fn append(&mut self, other: &Rows) {
        let (text, blobs) = (self.text.len(), self.blobs.len());
        self.text.push_str(&other.text);
        self.blobs.extend_from_slice(&other.blobs);
        self.cells.extend(other.cells.iter().map(|c| match *c {
            Cell::Text(a, b) => Cell::Text(a + text, b + text),
            Cell::Blob(a, b) => Cell::Blob(a + blobs, b + blobs),
            Cell::Null => Cell::Null,
        }));
    }

    /// Number of rows.
    pub(super) fn len(&self) -> usize {
        self.cells.len() / self.width.max(1)
    }

    fn cell(&self, row: usize, col: usize) -> Cell {
        self.cells
            .get(row * self.width + col)
            .copied()
            .unwrap_or(Cell::Null)
    }

    /// Binds row `row`'s cells to the parameters `?1` to `?width` of `st` (text as text, blobs
    /// as blobs, NULL as NULL), for [`rusqlite::Statement::raw_execute`].
    pub(super) fn bind_row(
        &self,
        st: &mut rusqlite::Statement<'_>,
        row: usize,
    ) -> rusqlite::Result<()> {
        for col in 0..self.width {
            let at = col + 1;
            match self.cell(row, col) {
                Cell::Text(a, b) => st.raw_bind_parameter(at, self.text.get(a..b))?,
                Cell::Blob(a, b) => st.raw_bind_parameter(at, self.blobs.get(a..b))?,
                Cell::Null => st.raw_bind_parameter(at, rusqlite::types::Null)?,
            }
        }
        Ok(())
    }

    /// Cells per row.
    pub(super) fn width(&self) -> usize {
        self.width
    }

    /// A text cell (`None` for NULL or a blob).
    #[cfg(test)]
    pub(super) fn text(&self, row: usize, col: usize) -> Option<&str> {
        match self.cell(row, col) {
            Cell::Text(a, b) => self.text.get(a..b),
            Cell::Blob(..) | Cell::Null => None,
        }
    }

    /// A blob cell (empty for NULL or text).
    #[cfg(test)]
    pub(super) fn blob(&self, row: usize, col: usize) -> &[u8] {
        match self.cell(row, col) {
            Cell::Blob(a, b) => self.blobs.get(a..b).unwrap_or_default(),
            Cell::Text(..) | Cell::Null => &[],
        }
    }

    /// `v1_resources` rows: type, external id (`<type>:<id>`, as [`crate::ids::resource_key`]),
    /// parent type, parent id, data.
    pub(super) fn resources(items: &[Resource]) -> Self {
        let mut rows = Self::new(5, items.len(), items.len() * 96, items.len() * 1024);
        for r in items {
            let id = r.id.as_ref();
            let rtype = id.map_or("", |i| i.resource_type.as_str());
            rows.push_str(rtype);
            rows.push_text_with(|t| {
                t.push_str(rtype);
                t.push(':');
                t.push_str(id.map_or("", |i| i.resource.as_str()));
            });
            let parent = r.parent_resource_id.as_ref();
            rows.push_opt(parent.map(|p| p.resource_type.as_str()));
            rows.push_opt(parent.map(|p| p.resource.as_str()));
            rows.push_blob_with(|b| r.encode_raw(b));
        }
        rows
    }

    /// `v1_entitlements` rows: resource type, resource id, external id, data.
    pub(super) fn entitlements(items: &[Entitlement]) -> Self {
        let mut rows = Self::new(4, items.len(), items.len() * 128, items.len() * 512);
        for e in items {
            let rid = e.resource.as_ref().and_then(|r| r.id.as_ref());
            rows.push_str(rid.map_or("", |i| i.resource_type.as_str()));
            rows.push_str(rid.map_or("", |i| i.resource.as_str()));
            rows.push_str(&e.id);
            rows.push_blob_with(|b| e.encode_raw(b));
        }
        rows
    }

    /// `v1_grants` rows: resource type, resource id, entitlement id, principal type, principal
    /// id, external id, data.
    ///
    /// A page of grants usually repeats one entitlement in every grant: it is encoded once and
    /// its bytes reused while it stays equal. The bytes are exactly prost's, since prost writes
    /// a message's fields in tag order and the entitlement is field 1 of `Grant`.
    pub(super) fn grants(items: &mut [Grant]) -> Self {
        let mut rows = Self::new(7, items.len(), items.len() * 256, items.len() * 384);
        let mut last: Option<(Entitlement, Vec<u8>)> = None;
        for g in items {
            let entitlement = g.entitlement.take();
            if let Some(e) = &entitlement
                && last.as_ref().is_none_or(|(prev, _)| prev != e)
            {
                last = Some((e.clone(), e.encode_to_vec()));
            }
            let shared = entitlement
                .as_ref()
                .and(last.as_ref())
                .map(|(e, b)| (e, b.as_slice()));
            rows.push_grant(g, shared);
            g.entitlement = entitlement;
        }
        rows
    }

    /// `v1_grants` rows of grants that all hold `entitlement` (their own is `None`): the same
    /// rows as [`Rows::grants`] gives for grants that each hold a copy.
    pub(super) fn grants_of(entitlement: &Entitlement, items: &[Grant]) -> Self {
        let mut rows = Self::new(7, items.len(), items.len() * 256, items.len() * 384);
        let bytes = entitlement.encode_to_vec();
        for g in items {
            rows.push_grant(g, Some((entitlement, &bytes)));
        }
        rows
    }

    /// One grant's row; `entitlement` is the grant's entitlement with its encoding (`None`
    /// for a grant without one), written before the grant's other fields.
    fn push_grant(&mut self, g: &Grant, entitlement: Option<(&Entitlement, &[u8])>) {
        let ent_rid = entitlement
            .and_then(|(e, _)| e.resource.as_ref())
            .and_then(|r| r.id.as_ref());
        self.push_str(ent_rid.map_or("", |i| i.resource_type.as_str()));
        self.push_str(ent_rid.map_or("", |i| i.resource.as_str()));
        self.push_str(entitlement.map_or("", |(e, _)| e.id.as_str()));
        let pid = g.principal.as_ref().and_then(|p| p.id.as_ref());
        self.push_str(pid.map_or("", |i| i.resource_type.as_str()));
        self.push_str(pid.map_or("", |i| i.resource.as_str()));
        self.push_str(&g.id);
        self.push_blob_with(|b| {
            if let Some((_, eb)) = entitlement {
                encode_key(1, WireType::LengthDelimited, b);
                encode_varint(eb.len() as u64, b);
                b.extend_from_slice(eb);
            }
            // Without its entitlement (written above): prost writes fields in tag order.
            debug_assert!(g.entitlement.is_none());
            g.encode_raw(b);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{GrantImmutable, ResourceId, ResourceType, Trait};

    fn ent(n: &str) -> Entitlement {
        Entitlement::assignment(&Resource::new("role", n, format!("Role {n}")), "assigned")
            .with_display_name(format!("{n} assigned"))
            .with_grantable_to(&[ResourceType::new("user", "User").with_trait(Trait::User)])
    }

    #[test]
    fn grant_rows_are_prost_bytes() {
        let (a, b) = (ent("a"), ent("b"));
        let mut grants = vec![
            Grant::new(&a, ResourceId::new("user", "u1")),
            Grant::new(&a, Resource::new("user", "u2", "U2")),
            Grant::new(&b, ResourceId::new("user", "u1"))
                .with_annotation(&GrantImmutable::default()),
            Grant::new(&a, ResourceId::new("user", "u3")),
            Grant {
                id: "no-entitlement".into(),
                ..Grant::default()
            },
        ];
        let expected: Vec<Vec<u8>> = grants.iter().map(Message::encode_to_vec).collect();
        let before = grants.clone();
        let rows = Rows::grants(&mut grants);
        assert_eq!(grants, before);
        assert_eq!(rows.len(), 5);
        for (i, g) in grants.iter().enumerate() {
            assert_eq!(rows.blob(i, 6), expected[i].as_slice());
            assert_eq!(rows.text(i, 2), Some(g.entitlement_id()));
            assert_eq!(rows.text(i, 5), Some(g.id.as_str()));
            let p = g.principal_id();
            assert_eq!(rows.text(i, 3), Some(p.resource_type.as_str()));
            assert_eq!(rows.text(i, 4), Some(p.resource.as_str()));
        }
        assert_eq!(rows.text(0, 0), Some("role"));
        assert_eq!(rows.text(0, 1), Some("a"));
    }

    #[test]
    fn a_shared_entitlement_writes_the_same_rows_as_copies() {
        let a = ent("a");
        let grants: Vec<Grant> = ["u1", "u2", "u3"]
            .iter()
            .map(|u| {
                Grant::new(&a, Resource::new("user", *u, format!("User {u}")))
                    .with_annotation(&GrantImmutable::default())
            })
            .collect();
        let mut copies = grants.clone();
        let with_copies = Rows::grants(&mut copies);
        let page = crate::page::Page::of_entitlement(a.clone(), grants, None);
        let shared = Rows::grants_of(&a, &page.items);
        assert_eq!(shared.len(), 3);
        for (row, copy) in copies.iter().enumerate() {
            for col in 0..6 {
                assert_eq!(shared.text(row, col), with_copies.text(row, col));
            }
            assert_eq!(shared.blob(row, 6), with_copies.blob(row, 6));
            assert_eq!(shared.blob(row, 6), copy.encode_to_vec().as_slice());
        }
    }

    #[test]
    fn resource_and_entitlement_rows() {
        let items = vec![
            Resource::new("user", "u1", "U1"),
            Resource::new("role", "r1", "R1").with_parent(ResourceId::new("tenant", "t1")),
        ];
        let rows = Rows::resources(&items);
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows.text(0, 1),
            Some(crate::ids::resource_key(&items[0].resource_id()).as_str())
        );
        assert_eq!(rows.text(0, 2), None);
        assert_eq!(rows.text(1, 2), Some("tenant"));
        assert_eq!(rows.text(1, 3), Some("t1"));
        assert_eq!(rows.blob(1, 4), items[1].encode_to_vec().as_slice());
        let ents = vec![ent("a")];
        let rows = Rows::entitlements(&ents);
        assert_eq!(rows.text(0, 0), Some("role"));
        assert_eq!(rows.text(0, 1), Some("a"));
        assert_eq!(rows.text(0, 2), Some(ents[0].id.as_str()));
        assert_eq!(rows.blob(0, 3), ents[0].encode_to_vec().as_slice());
    }
}
