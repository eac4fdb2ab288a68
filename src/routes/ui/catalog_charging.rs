//! The catalog form's charging fields: a usage price (metric, allowance, unit price, tiers one
//! per line) and, for an add-on, what it goes on.

use super::extract::FormData;
use crate::domain::FieldError;
use crate::domain::enums::ProductType;
use crate::domain::product::{Compatibility, Product};
use crate::domain::usage::{UsagePrice, UsagePriceInput};

/// What the form ticked of the add-on's compatibility boxes.
pub fn ticked(form: &FormData) -> Vec<String> {
    form.all("compatibleWith.productTypes")
        .into_iter()
        .chain(form.all("compatibleWith.productIds"))
        .map(str::to_owned)
        .collect()
}

/// The usage price the form describes, if its metric is filled in.
pub fn usage(form: &FormData) -> Result<Option<UsagePrice>, FieldError> {
    let Some(metric) = form.opt("usage.metric") else {
        return Ok(None);
    };
    let tiers = form
        .get("usage.tiers")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut parts = l.split_whitespace();
            match (parts.next(), parts.next(), parts.next()) {
                (Some(up_to), Some(price), None) => Ok((up_to.to_owned(), price.to_owned())),
                _ => Err(FieldError::new(
                    "usage.tiers",
                    format!("`{l}`: write each tier as the total it reaches and its unit price, such as `200 0.25`"),
                )),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    UsagePrice::parse(
        "usage",
        &UsagePriceInput {
            metric: metric.trim().to_owned(),
            name: form.opt("usage.name").map(str::to_owned),
            unit: form.get("usage.unit").to_owned(),
            included_quantity: form.opt("usage.includedQuantity").unwrap_or("0").to_owned(),
            unit_price: form.get("usage.unitPrice").to_owned(),
            tiers,
        },
    )
    .map(Some)
    .map_err(|mut e| {
        if e.field.starts_with("usage.tiers") {
            e.field = "usage.tiers".to_owned();
        }
        e
    })
}

/// What an add-on can be added to, when the form limits it.
pub fn compatibility(form: &FormData) -> Result<Option<Compatibility>, FieldError> {
    let types = form
        .all("compatibleWith.productTypes")
        .into_iter()
        .map(|t| {
            t.parse::<ProductType>()
                .map_err(|e| FieldError::new("compatibleWith", e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let ids: Vec<String> = form
        .all("compatibleWith.productIds")
        .into_iter()
        .map(str::to_owned)
        .collect();
    if types.is_empty() && ids.is_empty() {
        return Ok(None);
    }
    Compatibility::parse("compatibleWith", types, ids).map(Some)
}

/// The form's values for a product's usage price, to edit it.
pub fn usage_values(p: &Product) -> Vec<(String, String)> {
    let mut values = Vec::new();
    if let Some(u) = &p.usage {
        values.extend([
            ("usage.metric".to_owned(), u.metric.to_string()),
            ("usage.name".to_owned(), u.name.clone().unwrap_or_default()),
            ("usage.unit".to_owned(), u.unit.clone()),
            ("usage.includedQuantity".to_owned(), u.included.to_string()),
            ("usage.unitPrice".to_owned(), u.unit_price.to_string()),
            (
                "usage.tiers".to_owned(),
                u.tiers
                    .iter()
                    .map(|t| format!("{} {}", t.up_to, t.unit_price))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
        ]);
    }
    values
}

pub fn current_ticks(p: &Product) -> Vec<String> {
    p.compatible_with
        .as_ref()
        .map(|c| {
            c.product_types
                .iter()
                .map(|t| t.to_string())
                .chain(c.product_ids.iter().cloned())
                .collect()
        })
        .unwrap_or_default()
}
