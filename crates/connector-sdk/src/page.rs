//! One page of a paginated listing.

use crate::model::{Annotations, Entitlement, Grant};

/// The token the engine passes to a paged call: `None` for the first page.
pub type PageToken<'a> = Option<&'a str>;

/// One page of results and the opaque token of the next page.
///
/// ```
/// use c1_connector_sdk::page::Page;
/// let first: Page<u32> = Page::next(vec![1, 2], "offset=2");
/// assert_eq!(first.next_token.as_deref(), Some("offset=2"));
/// let last = Page::last(vec![3]);
/// assert!(last.next_token.is_none());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The token of the next page; `None` (or an empty string) when this is the last page.
    pub next_token: Option<String>,
    /// Annotations of the response (for example a `RateLimitDescription`).
    pub annotations: Annotations,
    /// The entitlement every grant of a page from [`Page::of_entitlement`] holds.
    shared: Option<Box<Entitlement>>,
}

impl<T> Page<T> {
    /// The last page.
    pub fn last(items: Vec<T>) -> Self {
        Self {
            items,
            next_token: None,
            annotations: Annotations::default(),
            shared: None,
        }
    }

    /// A page followed by another one, fetched with `token`.
    pub fn next(items: Vec<T>, token: impl Into<String>) -> Self {
        let token = token.into();
        Self {
            items,
            next_token: if token.is_empty() { None } else { Some(token) },
            annotations: Annotations::default(),
            shared: None,
        }
    }

    /// An empty last page.
    pub fn empty() -> Self {
        Self::last(Vec::new())
    }

    /// Adds response annotations.
    #[must_use]
    pub fn with_annotations(mut self, annotations: Annotations) -> Self {
        self.annotations = annotations;
        self
    }

    /// The next token, with `Some("")` normalised to `None`.
    pub fn next_token(&self) -> Option<&str> {
        self.next_token.as_deref().filter(|t| !t.is_empty())
    }
}

impl Page<Grant> {
    /// A page of grants that all hold `entitlement`, without a copy of it in each grant.
    ///
    /// A grant carries its whole entitlement (baton embeds it in every grant row), and a page of
    /// grants usually lists the holders of one entitlement: building each grant with its own
    /// copy costs a dozen allocations a grant, and comparing the copies costs more. The grants
    /// of this page leave [`Grant::entitlement`](crate::model::Grant) `None` (any value there is
    /// dropped): the engine checks and stores them with `entitlement`
    /// (`SyncStore::put_grants_of`, in the `store` module above this one), and what is
    /// written is the same as for grants that each hold a copy. `next_token` as in
    /// [`Page::next`]; `None` for the last page.
    ///
    /// ```
    /// use c1_connector_sdk::model::{Entitlement, Grant, Resource, ResourceId};
    /// use c1_connector_sdk::page::Page;
    ///
    /// let role = Resource::new("role", "admin", "Admin");
    /// let assigned = Entitlement::assignment(&role, "assigned");
    /// let grants = ["u1", "u2"]
    ///     .map(|u| Grant::new(&assigned, ResourceId::new("user", u)))
    ///     .to_vec();
    /// let page = Page::of_entitlement(assigned.clone(), grants, None);
    /// assert!(page.items.iter().all(|g| g.entitlement.is_none()));
    /// assert_eq!(page.shared_entitlement(), Some(&assigned));
    /// // Standalone grants again, each with its entitlement.
    /// let grants = page.into_grants();
    /// assert_eq!(grants[1].entitlement_id(), "role:admin:assigned");
    /// ```
    pub fn of_entitlement(
        entitlement: Entitlement,
        mut grants: Vec<Grant>,
        next_token: Option<String>,
    ) -> Self {
        for g in &mut grants {
            g.entitlement = None;
        }
        let mut page = match next_token {
            Some(token) => Page::next(grants, token),
            None => Page::last(grants),
        };
        page.shared = Some(Box::new(entitlement));
        page
    }

    /// The entitlement every grant of this page holds, for a page from
    /// [`Page::of_entitlement`].
    pub fn shared_entitlement(&self) -> Option<&Entitlement> {
        self.shared.as_deref()
    }

    /// Takes the shared entitlement out of the page (the engine's use).
    pub(crate) fn take_shared_entitlement(&mut self) -> Option<Entitlement> {
        self.shared.take().map(|e| *e)
    }

    /// The grants, each holding its entitlement (the shared one's copy, for a page from
    /// [`Page::of_entitlement`]).
    pub fn into_grants(self) -> Vec<Grant> {
        let mut grants = self.items;
        if let Some(e) = self.shared {
            for g in &mut grants {
                g.entitlement = Some((*e).clone());
            }
        }
        grants
    }
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self::empty()
    }
}
