//! Sortable column headers: each is a link to the same list, with the same filters, sorted by
//! that column (a second click reverses it). Plain links, so sorting needs no script; the
//! header says which way the list runs (`aria-sort`).

use crate::domain::list_order::{Order, SortKey};

#[derive(Debug, Clone)]
pub struct Sorter {
    /// The list's URL with its filters, without `sort` and `page`, ending in `?` or `&`.
    base: String,
    current: String,
    current_desc: bool,
    /// Keys whose first click sorts newest or largest first.
    desc_first: &'static [&'static str],
    /// The orders the list's "Order" field offers: (URL spelling, words). On a phone the column
    /// headers are folded away with the rest of the table's head, so the field is the way to
    /// sort there.
    pub choices: &'static [(&'static str, &'static str)],
}

impl Sorter {
    /// `params` are the filters to keep (empty values are left out).
    pub fn new<K: SortKey>(
        path: &str,
        params: &[(&str, &str)],
        order: Order<K>,
        desc_first: &'static [&'static str],
    ) -> Self {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params.iter().filter(|(_, v)| !v.is_empty()))
            .finish();
        let base = if query.is_empty() {
            format!("{path}?")
        } else {
            format!("{path}?{query}&")
        };
        Self {
            base,
            current: order.by.name().to_owned(),
            current_desc: order.desc,
            desc_first,
            choices: &[],
        }
    }

    /// The orders offered in the filter form.
    pub fn offering(mut self, choices: &'static [(&'static str, &'static str)]) -> Self {
        self.choices = choices;
        self
    }

    /// Whether `param` (`name`, `-name`) is the list's order.
    pub fn is_current(&self, param: &str) -> bool {
        let (desc, key) = match param.strip_prefix('-') {
            Some(k) => (true, k),
            None => (false, param),
        };
        key == self.current && desc == self.current_desc
    }

    /// The link that sorts by `key`: the other way round when it is the current order.
    pub fn link(&self, key: &str) -> String {
        let desc = if key == self.current {
            !self.current_desc
        } else {
            self.desc_first.contains(&key)
        };
        format!("{}sort={}{key}", self.base, if desc { "-" } else { "" })
    }

    /// `aria-sort` of the column sorted by `key`.
    pub fn aria(&self, key: &str) -> &'static str {
        match (key == self.current, self.current_desc) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        }
    }

    /// The arrow beside the header: which way it runs, or that it can be sorted.
    pub fn arrow(&self, key: &str) -> &'static str {
        match (key == self.current, self.current_desc) {
            (false, _) => "↕",
            (true, false) => "▲",
            (true, true) => "▼",
        }
    }

    /// What a person hears for the link.
    pub fn label(&self, key: &str, column: &str) -> String {
        match self.aria(key) {
            "ascending" => format!("{column}, sorted ascending; sort descending"),
            "descending" => format!("{column}, sorted descending; sort ascending"),
            _ => format!("Sort by {column}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::list_order::{CustomerListing, CustomerSort};

    #[test]
    fn a_header_sorts_by_its_column_and_a_second_click_reverses() {
        let s = Sorter::new(
            "/admin/customers",
            &[("status", "Active"), ("q", "")],
            CustomerListing::DEFAULT_ORDER,
            &[],
        );
        assert_eq!(
            s.link("account"),
            "/admin/customers?status=Active&sort=-account"
        );
        assert_eq!(s.link("name"), "/admin/customers?status=Active&sort=name");
        assert_eq!(s.aria("account"), "ascending");
        assert_eq!(s.aria("name"), "none");
        let s = Sorter::new(
            "/admin/customers",
            &[],
            Order {
                by: CustomerSort::Name,
                desc: true,
            },
            &[],
        );
        assert_eq!(s.link("name"), "/admin/customers?sort=name");
        assert_eq!(s.arrow("name"), "▼");
        assert!(s.is_current("-name") && !s.is_current("name") && !s.is_current("-account"));
    }
}
