use super::FieldError;

pub const DEFAULT_PAGE_SIZE: u32 = 25;
pub const MAX_PAGE_SIZE: u32 = 100;

/// Which page of a list the client asked for: `page >= 1`, `1 <= pageSize <= 100`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub page_size: u32,
}

impl PageRequest {
    pub fn parse(page: Option<i64>, page_size: Option<i64>) -> Result<Self, FieldError> {
        let page = page.unwrap_or(1);
        if !(1..=i64::from(u32::MAX)).contains(&page) {
            return Err(FieldError::new(
                "page",
                "must be a whole number of at least 1",
            ));
        }
        let size = page_size.unwrap_or(i64::from(DEFAULT_PAGE_SIZE));
        if !(1..=i64::from(MAX_PAGE_SIZE)).contains(&size) {
            return Err(FieldError::new(
                "pageSize",
                format!("must be a whole number from 1 to {MAX_PAGE_SIZE}"),
            ));
        }
        Ok(Self {
            page: page as u32,
            page_size: size as u32,
        })
    }

    /// Rows to skip before this page.
    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.page_size)
    }
}

/// The contract's `Pagination` object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    pub page: u32,
    pub page_size: u32,
    pub total_pages: u64,
    pub total_items: u64,
}

impl Pagination {
    pub fn new(req: PageRequest, total_items: u64) -> Self {
        Self {
            page: req.page,
            page_size: req.page_size,
            total_pages: total_items.div_ceil(u64::from(req.page_size)),
            total_items,
        }
    }
}

/// One page of items plus where it sits in the whole list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub pagination: Pagination,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_enforced_and_named() {
        assert_eq!(PageRequest::parse(Some(0), None).unwrap_err().field, "page");
        assert_eq!(
            PageRequest::parse(None, Some(101)).unwrap_err().field,
            "pageSize"
        );
        assert_eq!(
            PageRequest::parse(None, Some(0)).unwrap_err().field,
            "pageSize"
        );
        let p = PageRequest::parse(Some(3), Some(10)).unwrap();
        assert_eq!(p.offset(), 20);
    }

    #[test]
    fn total_pages_round_up() {
        let req = PageRequest::parse(None, Some(10)).unwrap();
        assert_eq!(Pagination::new(req, 0).total_pages, 0);
        assert_eq!(Pagination::new(req, 10).total_pages, 1);
        assert_eq!(Pagination::new(req, 11).total_pages, 2);
    }
}
