use rust_decimal::Decimal;
use serde::Serialize;

use super::FieldError;
use super::enums::{ProductStatus, ProductType};
use super::ids::ProductId;
use super::money::{Currency, as_json_number};
use super::text::{parse_opt_text, parse_text};
use super::usage::UsagePrice;

/// A catalog entry, shaped as the contract's `Product`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    pub product_id: ProductId,
    pub product_name: String,
    pub product_type: ProductType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(serialize_with = "as_json_number")]
    pub monthly_price: Decimal,
    pub currency: Currency,
    pub features: Vec<String>,
    pub status: ProductStatus,
    /// A usage-based price on top of the monthly one (edgebss addition).
    #[serde(serialize_with = "usage_view", skip_serializing_if = "Option::is_none")]
    pub usage: Option<UsagePrice>,
    /// For an add-on: what it can be added to; absent: any main product (edgebss addition).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compatible_with: Option<Compatibility>,
}

fn usage_view<S: serde::Serializer>(u: &Option<UsagePrice>, s: S) -> Result<S::Ok, S::Error> {
    match u {
        Some(u) => u.view().serialize(s),
        None => s.serialize_none(),
    }
}

/// What an add-on can be added to: main products of these types, and these products.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Compatibility {
    #[serde(default)]
    pub product_types: Vec<ProductType>,
    #[serde(default)]
    pub product_ids: Vec<String>,
}

impl Compatibility {
    /// Most products an add-on may name.
    pub const MAX_PRODUCTS: usize = 100;

    /// Whether an add-on with this rule can be added to a product of `product_type` with id
    /// `product_id`.
    pub fn allows(&self, product_type: ProductType, product_id: &str) -> bool {
        self.product_types.contains(&product_type)
            || self.product_ids.iter().any(|p| p == product_id)
    }

    pub fn parse(
        field: &str,
        types: Vec<ProductType>,
        ids: Vec<String>,
    ) -> Result<Self, FieldError> {
        if types.is_empty() && ids.is_empty() {
            return Err(FieldError::new(
                field,
                "must name at least one product type or product; leave it out for any product",
            ));
        }
        if types.contains(&ProductType::Addon) {
            return Err(FieldError::new(
                format!("{field}.productTypes"),
                "an add-on is added to main products, not to add-ons",
            ));
        }
        if ids.len() > Self::MAX_PRODUCTS {
            return Err(FieldError::new(
                format!("{field}.productIds"),
                format!("must list at most {} products", Self::MAX_PRODUCTS),
            ));
        }
        for (i, id) in ids.iter().enumerate() {
            if ProductId::parse(id).is_none() {
                return Err(FieldError::new(
                    format!("{field}.productIds[{i}]"),
                    format!("`{id}` is not a product id"),
                ));
            }
        }
        let mut types = types;
        types.sort_by_key(|t| t.as_str());
        types.dedup();
        let mut ids = ids;
        ids.sort();
        ids.dedup();
        Ok(Self {
            product_types: types,
            product_ids: ids,
        })
    }

    /// "Broadband, TV products, Fiber 500" for people, with product names looked up.
    pub fn describe(&self, name_of: impl Fn(&str) -> Option<String>) -> String {
        let mut parts: Vec<String> = self
            .product_types
            .iter()
            .map(|t| format!("{t} products"))
            .collect();
        parts.extend(
            self.product_ids
                .iter()
                .map(|id| name_of(id).unwrap_or_else(|| id.clone())),
        );
        parts.join(", ")
    }
}

/// A product that passed every rule and can be stored (or replace a product's fields).
#[derive(Debug, Clone)]
pub struct ProductDraft {
    pub name: String,
    pub product_type: ProductType,
    pub description: Option<String>,
    pub monthly_price: Decimal,
    pub currency: Currency,
    pub features: Vec<String>,
    pub usage: Option<UsagePrice>,
    /// Add-ons only.
    pub addon_for: Option<Compatibility>,
}

impl ProductDraft {
    /// Adds a usage-based price and, for an add-on, what it can be added to.
    pub fn with_charging(
        mut self,
        usage: Option<UsagePrice>,
        addon_for: Option<Compatibility>,
    ) -> Result<Self, FieldError> {
        if addon_for.is_some() && self.product_type != ProductType::Addon {
            return Err(FieldError::new(
                "compatibleWith",
                "only an add-on (productType Addon) says what it can be added to",
            ));
        }
        self.usage = usage;
        self.addon_for = addon_for;
        Ok(self)
    }

    pub fn parse(
        name: &str,
        product_type: ProductType,
        description: Option<&str>,
        monthly_price: Decimal,
        currency: &str,
        features: &[&str],
    ) -> Result<Self, FieldError> {
        let currency = Currency::parse("currency", currency)?;
        if monthly_price.is_sign_negative() && !monthly_price.is_zero() {
            return Err(FieldError::new("monthlyPrice", "must not be negative"));
        }
        if currency.round(monthly_price) != monthly_price {
            return Err(FieldError::new(
                "monthlyPrice",
                format!("has more decimals than {currency} allows"),
            ));
        }
        if monthly_price > Decimal::from(1_000_000) {
            return Err(FieldError::new("monthlyPrice", "must be at most 1000000"));
        }
        let features = features
            .iter()
            .enumerate()
            .map(|(i, f)| parse_text(&format!("features[{i}]"), f, 200))
            .collect::<Result<Vec<_>, _>>()?;
        if features.len() > 50 {
            return Err(FieldError::new("features", "must list at most 50 features"));
        }
        Ok(Self {
            name: parse_text("productName", name, 120)?,
            product_type,
            description: parse_opt_text("description", description, 1000)?,
            monthly_price,
            currency,
            features,
            usage: None,
            addon_for: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn prices_must_fit_the_currency() {
        let p = |price: &str| {
            ProductDraft::parse(
                "Fiber",
                ProductType::Broadband,
                None,
                Decimal::from_str(price).unwrap(),
                "USD",
                &[],
            )
        };
        assert!(p("29.99").is_ok());
        assert_eq!(p("29.999").unwrap_err().field, "monthlyPrice");
        assert_eq!(p("-1").unwrap_err().field, "monthlyPrice");
    }
}

/// Which products to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProductFilter {
    pub product_type: Option<ProductType>,
    pub status: Option<ProductStatus>,
}

/// A change to some of a product's fields (`PATCH`): a field left out stays as it is; `usage`,
/// `compatibleWith` and `description` may be sent as null to remove them.
#[derive(Debug, Clone, Default)]
pub struct ProductPatch {
    pub name: Option<String>,
    pub product_type: Option<ProductType>,
    pub description: Option<Option<String>>,
    pub monthly_price: Option<Decimal>,
    pub currency: Option<String>,
    pub features: Option<Vec<String>>,
    pub status: Option<ProductStatus>,
    pub usage: Option<Option<UsagePrice>>,
    pub compatible_with: Option<Option<Compatibility>>,
}

impl ProductPatch {
    /// The product as it will be, checked like a new one.
    pub fn apply(&self, current: &Product) -> Result<ProductDraft, FieldError> {
        let features: Vec<&str> = match &self.features {
            Some(f) => f.iter().map(String::as_str).collect(),
            None => current.features.iter().map(String::as_str).collect(),
        };
        let description = match &self.description {
            Some(d) => d.as_deref(),
            None => current.description.as_deref(),
        };
        let currency = self
            .currency
            .clone()
            .unwrap_or_else(|| current.currency.to_string());
        let draft = ProductDraft::parse(
            self.name.as_deref().unwrap_or(&current.product_name),
            self.product_type.unwrap_or(current.product_type),
            description,
            self.monthly_price.unwrap_or(current.monthly_price),
            &currency,
            &features,
        )?;
        draft.with_charging(
            self.usage.clone().unwrap_or_else(|| current.usage.clone()),
            self.compatible_with
                .clone()
                .unwrap_or_else(|| current.compatible_with.clone()),
        )
    }
}
