//! Events: what changed, as the feed (`GET /v1/events`) and webhooks tell integrators.

use serde::Serialize;
use serde_json::value::RawValue;

use super::FieldError;
use super::origin::Actor;

macro_rules! event_types {
    ($($variant:ident => $text:literal),+ $(,)?) => {
        /// The kinds of change an event reports.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EventType {
            $($variant,)+
        }

        impl EventType {
            pub const ALL: &'static [EventType] = &[$(EventType::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(EventType::$variant => $text,)+
                }
            }
        }
    };
}

event_types! {
    CustomerCreated => "customer.created",
    CustomerUpdated => "customer.updated",
    CustomerSuspended => "customer.suspended",
    CustomerReactivated => "customer.reactivated",
    CustomerTerminated => "customer.terminated",
    SubscriptionCreated => "subscription.created",
    SubscriptionActivated => "subscription.activated",
    SubscriptionSuspended => "subscription.suspended",
    SubscriptionResumed => "subscription.resumed",
    SubscriptionCancelled => "subscription.cancelled",
    InvoiceCreated => "invoice.created",
    InvoiceOverdue => "invoice.overdue",
    InvoicePaid => "invoice.paid",
    InvoiceCancelled => "invoice.cancelled",
    PaymentRecorded => "payment.recorded",
    BillRunCompleted => "bill_run.completed",
    // Charging: the catalog, usage, one-off charges, discounts, plan changes, credit notes.
    ProductCreated => "product.created",
    ProductUpdated => "product.updated",
    UsageRecorded => "usage.recorded",
    ChargeCreated => "charge.created",
    ChargeCancelled => "charge.cancelled",
    DiscountCreated => "discount.created",
    DiscountRemoved => "discount.removed",
    SubscriptionPlanChanged => "subscription.plan_changed",
    SubscriptionPlanChangeScheduled => "subscription.plan_change_scheduled",
    CreditNoteCreated => "credit_note.created",
    // A credit note took part of an invoice's amount due (one that takes all of it is
    // `invoice.paid`): the invoice as it is after, so a consumer's copy stays right.
    InvoiceCredited => "invoice.credited",
    PaymentRefunded => "payment.refunded",
}

impl EventType {
    /// Parses an event type; `field` names the input in the error.
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .iter()
            .copied()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    format!(
                        "`{s}` is not an event type; known types: {}",
                        Self::expected()
                    ),
                )
            })
    }

    pub fn expected() -> String {
        Self::ALL
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for EventType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl rusqlite::types::ToSql for EventType {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::from(self.as_str()))
    }
}

impl rusqlite::types::FromSql for EventType {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        Self::parse("type", value.as_str()?)
            .map_err(|e| rusqlite::types::FromSqlError::Other(e.message.into()))
    }
}

/// An event as the feed and webhooks show it. `data` is kept as the exact JSON stored with the
/// change, so every consumer sees the same bytes.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub event_id: String,
    pub sequence: i64,
    #[serde(rename = "type")]
    pub event_type: EventType,
    pub occurred_at: String,
    pub actor: Actor,
    pub data: Box<RawValue>,
}

/// Which event types a consumer wants: all of them, or the ones listed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventTypes(Option<Vec<EventType>>);

impl EventTypes {
    pub fn all() -> Self {
        Self(None)
    }

    /// Parses a list of type names; an empty list is refused (leave the field out for all).
    pub fn parse(field: &str, names: &[String]) -> Result<Self, FieldError> {
        if names.is_empty() {
            return Err(FieldError::new(
                field,
                "must name at least one event type; leave it out for every type",
            ));
        }
        let mut types = names
            .iter()
            .map(|n| EventType::parse(field, n))
            .collect::<Result<Vec<_>, _>>()?;
        types.sort();
        types.dedup();
        Ok(Self(Some(types)))
    }

    pub fn includes(&self, t: EventType) -> bool {
        self.0.as_ref().is_none_or(|types| types.contains(&t))
    }

    /// The listed types, or `None` for every type.
    pub fn listed(&self) -> Option<&[EventType]> {
        self.0.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_parse_back_and_unknown_ones_are_named() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse("type", t.as_str()).unwrap(), *t);
        }
        let e = EventType::parse("type", "customer.deleted").unwrap_err();
        assert!(e.message.contains("`customer.deleted`"), "{e}");
    }

    #[test]
    fn a_type_filter_includes_what_it_lists() {
        let some = EventTypes::parse("eventTypes", &["invoice.paid".into()]).unwrap();
        assert!(some.includes(EventType::InvoicePaid));
        assert!(!some.includes(EventType::InvoiceCreated));
        assert!(EventTypes::all().includes(EventType::InvoiceCreated));
        assert!(EventTypes::parse("eventTypes", &[]).is_err());
    }
}
