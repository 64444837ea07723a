//! One page of a paginated listing.

use crate::model::Annotations;

/// The token the engine passes to a paged call: `None` for the first page.
pub type PageToken<'a> = Option<&'a str>;

/// One page of results and the opaque token of the next page.
///
/// ```
/// use c1_connector_sdk::Page;
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
}

impl<T> Page<T> {
    /// The last page.
    pub fn last(items: Vec<T>) -> Self {
        Self {
            items,
            next_token: None,
            annotations: Annotations::default(),
        }
    }

    /// A page followed by another one, fetched with `token`.
    pub fn next(items: Vec<T>, token: impl Into<String>) -> Self {
        let token = token.into();
        Self {
            items,
            next_token: if token.is_empty() { None } else { Some(token) },
            annotations: Annotations::default(),
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

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self::empty()
    }
}
