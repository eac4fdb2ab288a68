use rust_decimal::Decimal;
use serde::Serialize;

use super::FieldError;
use super::enums::PaymentMethod;
use super::ids::{InvoiceId, PaymentId};
use super::money::{Currency, as_json_number};
use super::text::parse_opt_text;

/// A payment recorded against an invoice, in the invoice's currency.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    pub payment_id: PaymentId,
    pub invoice_id: InvoiceId,
    #[serde(serialize_with = "as_json_number")]
    pub amount: Decimal,
    pub currency: Currency,
    pub paid_at: String,
    pub method: PaymentMethod,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub created_at: String,
}

/// A payment as received, before its amount is checked against the invoice (which decides the
/// currency, so the amount is parsed there).
#[derive(Debug)]
pub struct PaymentInput {
    pub amount: Box<serde_json::value::RawValue>,
    /// RFC 3339 UTC with milliseconds; `None`: now.
    pub paid_at: Option<String>,
    pub method: PaymentMethod,
    pub reference: Option<String>,
}

impl PaymentInput {
    /// Checks what can be checked without the invoice. `paidAt` lies from the start of
    /// [`super::date::EARLIEST_DATE`] (UTC) to `now`: a payment cannot have been made in the
    /// future.
    pub fn parse(
        amount: Box<serde_json::value::RawValue>,
        paid_at: Option<&str>,
        method: PaymentMethod,
        reference: Option<&str>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Self, FieldError> {
        let paid_at = paid_at
            .map(|t| {
                let at = chrono::DateTime::parse_from_rfc3339(t).map_err(|_| {
                    FieldError::new(
                        "paidAt",
                        format!("`{t}` is not an RFC 3339 date-time such as 2026-12-05T14:30:00Z"),
                    )
                })?;
                let at = at.to_utc();
                if at > now {
                    return Err(FieldError::new("paidAt", format!("{t} is in the future")));
                }
                super::date::check_date_range("paidAt", at.date_naive(), now.date_naive())?;
                Ok(super::date::format_timestamp(at))
            })
            .transpose()?;
        Ok(Self {
            amount,
            paid_at,
            method,
            reference: parse_opt_text("reference", reference, 100)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &str) -> Box<serde_json::value::RawValue> {
        serde_json::value::RawValue::from_string(s.to_owned()).unwrap()
    }

    #[test]
    fn paid_at_is_normalised_to_utc_and_not_in_the_future() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-05T12:00:00Z")
            .unwrap()
            .to_utc();
        let p = PaymentInput::parse(
            raw("10"),
            Some("2026-12-05T13:00:00+02:00"),
            PaymentMethod::Cash,
            Some(" R-1 "),
            now,
        )
        .unwrap();
        assert_eq!(p.paid_at.as_deref(), Some("2026-12-05T11:00:00.000Z"));
        assert_eq!(p.reference.as_deref(), Some("R-1"));
        let err = PaymentInput::parse(
            raw("10"),
            Some("2026-12-05T12:00:01Z"),
            PaymentMethod::Cash,
            None,
            now,
        )
        .unwrap_err();
        assert_eq!(err.field, "paidAt");
        let err = PaymentInput::parse(raw("10"), Some("yesterday"), PaymentMethod::Card, None, now)
            .unwrap_err();
        assert_eq!(err.field, "paidAt");
        for long_ago in [
            "0000-01-01T00:00:00Z",
            "1969-12-31T23:59:59Z",
            "1999-12-31T23:59:59Z",
        ] {
            let err =
                PaymentInput::parse(raw("10"), Some(long_ago), PaymentMethod::Cash, None, now)
                    .unwrap_err();
            assert_eq!(err.field, "paidAt", "{long_ago}");
        }
        assert!(
            PaymentInput::parse(
                raw("10"),
                Some("2000-01-01T00:00:00Z"),
                PaymentMethod::Cash,
                None,
                now
            )
            .is_ok()
        );
    }
}
