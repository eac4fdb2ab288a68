//! Page links that keep a list's filters in the URL.

use super::error::UiError;
use crate::domain::page::PageRequest;

/// Rows on a page of the admin UI's lists.
pub const PAGE_SIZE: u32 = 25;

/// The page a list's `page` parameter asks for; anything but a whole number from 1 is refused.
pub fn page_request(page: Option<&str>) -> Result<PageRequest, UiError> {
    let number = match page.map(str::trim) {
        None | Some("") => 1,
        Some(p) => p.parse::<i64>().map_err(|_| {
            UiError::BadRequest("page: must be a whole number of at least 1".to_owned())
        })?,
    };
    PageRequest::parse(Some(number), Some(i64::from(PAGE_SIZE)))
        .map_err(|e| UiError::BadRequest(e.to_string()))
}

/// `path` with the non-empty `params` as its query string.
pub fn link(path: &str, params: &[(&str, &str)]) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter().filter(|(_, v)| !v.is_empty()))
        .finish();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// Where a list page sits, and how to link to its neighbours.
#[derive(Debug, Clone)]
pub struct Pager {
    pub page: u32,
    pub total: u64,
    pub page_size: u32,
    /// The total was counted only up to a cap; there are more.
    pub capped: bool,
    /// The list's URL with its filters, without `page`.
    pub base: String,
    /// What the list counts, singular and plural ("customer", "customers").
    pub noun: (&'static str, &'static str),
}

impl Pager {
    /// `params` are the filters to keep (empty values are left out).
    pub fn new(path: &str, params: &[(&str, &str)], page: u32, page_size: u32, total: u64) -> Self {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params.iter().filter(|(_, v)| !v.is_empty()))
            .finish();
        let base = if query.is_empty() {
            format!("{path}?")
        } else {
            format!("{path}?{query}&")
        };
        Self {
            page,
            total,
            page_size,
            capped: false,
            base,
            noun: ("result", "results"),
        }
    }

    /// Names what the list holds in its count: "1 invoice", "25 invoices".
    pub fn counting(mut self, one: &'static str, many: &'static str) -> Self {
        self.noun = (one, many);
        self
    }

    pub fn link(&self, page: u32) -> String {
        format!("{}page={page}", self.base)
    }

    pub fn pages(&self) -> u64 {
        self.total.div_ceil(u64::from(self.page_size)).max(1)
    }

    pub fn has_next(&self) -> bool {
        u64::from(self.page) < self.pages()
    }

    pub fn pages_label(&self) -> String {
        if self.capped {
            format!("{}+", self.pages())
        } else {
            self.pages().to_string()
        }
    }

    pub fn total_label(&self) -> String {
        let n = super::format::count(self.total.min(if self.capped {
            self.total - 1
        } else {
            self.total
        }));
        let (one, many) = self.noun;
        match (self.capped, self.total) {
            (true, _) => format!("more than {n} {many}"),
            (false, 1) => format!("1 {one}"),
            (false, _) => format!("{n} {many}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_filters() {
        let p = Pager::new(
            "/admin/customers",
            &[("q", "ada l"), ("status", "")],
            2,
            25,
            60,
        );
        assert_eq!(p.link(3), "/admin/customers?q=ada+l&page=3");
        assert!(p.has_next());
        assert_eq!(p.pages_label(), "3");
        assert_eq!(p.total_label(), "60 results");
    }
}
