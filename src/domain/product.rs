use rust_decimal::Decimal;
use serde::Serialize;

use super::FieldError;
use super::enums::{ProductStatus, ProductType};
use super::ids::ProductId;
use super::money::{Currency, as_json_number};
use super::text::{parse_opt_text, parse_text};

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
}

impl ProductDraft {
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
