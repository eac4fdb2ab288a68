//! The product and add-on pickers of the new-subscription and change-plan pages: main products
//! on sale, and, once one is chosen, only the add-ons that can be added to it.

use super::format;
use super::subscriptions::Choice;
use crate::domain::enums::{ProductStatus, ProductType};
use crate::domain::money::Currency;
use crate::domain::product::{Product, ProductFilter};
use crate::error::ServiceError;
use crate::routes::state::AppState;
use crate::service::products;

/// What the pickers offer.
pub struct Choices {
    pub products: Vec<Choice>,
    /// Add-ons allowed on the chosen product (all of them until one is chosen).
    pub addons: Vec<Choice>,
    /// The chosen product, when it is on sale.
    pub chosen: Option<Product>,
    /// The chosen product's monthly price and each chosen add-on's, for the total.
    pub catalog: Vec<Product>,
}

impl Choices {
    /// The monthly total of `product_id` with `addons`, as the pages show it.
    pub fn monthly_total(&self, addons: &[String]) -> Option<String> {
        let p = self.chosen.as_ref()?;
        let mut total = p.monthly_price;
        for a in addons {
            total += self
                .catalog
                .iter()
                .find(|x| x.product_id.as_str() == a)
                .map(|x| x.monthly_price)
                .unwrap_or_default();
        }
        Some(format::money(p.currency, total))
    }
}

/// The active catalog, in `currency` when given, with the add-ons allowed on `chosen`.
pub async fn choices(
    state: &AppState,
    chosen: Option<&str>,
    currency: Option<Currency>,
) -> Result<Choices, ServiceError> {
    let active = products::list(
        &state.db,
        ProductFilter {
            product_type: None,
            status: Some(ProductStatus::Active),
        },
    )
    .await?;
    let fits = |p: &&Product| currency.is_none_or(|c| p.currency == c);
    let chosen = chosen.and_then(|id| {
        active
            .iter()
            .find(|p| p.product_id.as_str() == id && p.product_type != ProductType::Addon)
            .cloned()
    });
    let products = active
        .iter()
        .filter(|p| p.product_type != ProductType::Addon)
        .filter(fits)
        .map(Choice::of)
        .collect();
    let addons = active
        .iter()
        .filter(|p| p.product_type == ProductType::Addon)
        .filter(fits)
        .filter(|a| match (&chosen, &a.compatible_with) {
            (Some(p), Some(rule)) => {
                p.currency == a.currency && rule.allows(p.product_type, p.product_id.as_str())
            }
            (Some(p), None) => p.currency == a.currency,
            (None, _) => true,
        })
        .map(Choice::of)
        .collect();
    Ok(Choices {
        products,
        addons,
        chosen,
        catalog: active,
    })
}
