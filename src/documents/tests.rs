use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::*;
use crate::domain::address::Address;
use crate::domain::customer::Customer;
use crate::domain::enums::{CustomerStatus, CustomerType, InvoiceStatus};
use crate::domain::ids::{CustomerId, InvoiceId};
use crate::domain::invoice::{Invoice, InvoiceLine};
use crate::domain::period::Period;

fn customer() -> Customer {
    Customer {
        customer_id: CustomerId::generate(),
        customer_type: CustomerType::Business,
        status: CustomerStatus::Active,
        account_number: "ACC-000042".into(),
        first_name: None,
        last_name: None,
        company_name: Some(
            "Νικόλαος Παπαδόπουλος & Συνεργάτες Τηλεπικοινωνιών Ανώνυμη Εταιρεία Βορείου Ελλάδος"
                .into(),
        ),
        email: "billing@example.gr".into(),
        phone: None,
        address: None,
        billing_address: Some(Address {
            street: Some("ul. Świętokrzyska 12/34, Łódź".into()),
            city: Some("Thành phố Hồ Chí Minh".into()),
            ..Address::default()
        }),
        tax_exempt: false,
        created_at: "2027-01-01T00:00:00.000Z".into(),
        updated_at: "2027-01-01T00:00:00.000Z".into(),
    }
}

fn invoice(lines: usize, status: InvoiceStatus) -> Invoice {
    let day = |d| NaiveDate::from_ymd_opt(2027, 1, d).unwrap();
    let names = [
        "Ευρυζωνική σύνδεση 100 Mbps — μηνιαία συνδρομή",
        "Zażółć gęślą jaźń: pakiet telewizji cyfrowej z dekoderem",
        "Gói cước Internet cáp quang siêu tốc độ cho hộ gia đình",
    ];
    let line_items = (0..lines)
        .map(|n| InvoiceLine {
            description: format!("{} #{n}", names[n % 3]),
            quantity: Decimal::ONE,
            unit_price: Decimal::new(2999, 2),
            amount: Decimal::new(2999, 2),
            kind: None,
            subscription_id: None,
            addon_id: None,
            period_start: Some(day(1)),
            period_end: Some(day(31)),
        })
        .collect();
    let net = Decimal::new(2999 * lines as i64, 2);
    Invoice {
        invoice_id: InvoiceId::generate(),
        invoice_number: "INV-2027-000001".into(),
        customer_id: CustomerId::generate(),
        status,
        invoice_date: day(1),
        due_date: day(15),
        total_amount: net,
        tax_amount: Decimal::ZERO,
        currency: Currency::USD,
        line_items,
        period: Period::parse("period", "2027-01").ok(),
        net_amount: net,
        tax_rate_percent: Decimal::ZERO,
        amount_paid: Decimal::ZERO,
        amount_due: net,
        cancel_reason: None,
    }
}

fn operator() -> OperatorDetails {
    OperatorDetails {
        name: "Đông Á Viễn Thông — Σύνδεση Sp. z o.o.".into(),
        address: vec!["1 Main Street".into(), "Springfield".into()],
        email: Some("billing@example.net".into()),
        phone: Some("+1 555 0100".into()),
        tax_id: Some("VAT 123".into()),
        payment_details: vec!["IBAN PL61 1090 1014 0000 0712 1981 2874".into()],
    }
}

fn render(lines: usize, status: InvoiceStatus) -> Vec<u8> {
    let (i, c, op) = (invoice(lines, status), customer(), operator());
    invoice_pdf(&InvoiceDocument {
        invoice: &i,
        customer: &c,
        issuer: Issuer {
            operator: &op,
            logo: None,
        },
    })
    .unwrap()
}

fn pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf).replace("/Type /", "/Type/");
    text.matches("/Type/Page").count() - text.matches("/Type/Pages").count()
}

#[test]
fn the_same_invoice_gives_the_same_bytes() {
    // Different ids each time: nothing outside what is printed may reach the file.
    let a = render(3, InvoiceStatus::Open);
    let b = render(3, InvoiceStatus::Open);
    assert!(a.starts_with(b"%PDF-"));
    assert_eq!(a, b);
    assert_ne!(a, render(3, InvoiceStatus::Paid), "the status is printed");
}

#[test]
fn many_lines_with_greek_polish_and_vietnamese_names_run_over_several_pages() {
    let pdf = render(150, InvoiceStatus::Overdue);
    if let Ok(path) = std::env::var("EDGEBSS_WRITE_TEST_PDF") {
        std::fs::write(path, &pdf).unwrap();
    }
    assert!(pages(&pdf) >= 3, "{} pages", pages(&pdf));
    // The fonts are embedded (as subsets), so the document prints the same anywhere.
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("/FontFile2"), "a TrueType font is embedded");
}

#[test]
fn every_glyph_of_the_names_is_in_the_embedded_font() {
    let fonts = super::fonts().unwrap();
    for name in [
        customer().display_name(),
        operator().name,
        invoice(3, InvoiceStatus::Open).line_items[2]
            .description
            .clone(),
    ] {
        let missing = fonts
            .regular
            .shape(&name)
            .iter()
            .filter(|g| g.glyph_id.to_u32() == 0)
            .count();
        assert_eq!(missing, 0, "{name} has glyphs the font lacks");
    }
}

#[test]
fn money_is_grouped_at_the_currency_scale() {
    assert_eq!(
        money(Currency::USD, Decimal::new(123456789, 2)),
        "USD 1,234,567.89"
    );
    assert_eq!(money(Currency::USD, Decimal::new(-5, 1)), "USD -0.50");
}

#[test]
fn a_logo_from_the_settings_is_drawn_at_the_head() {
    let mut settings = crate::domain::settings::BusinessSettings {
        operator: operator(),
        ..Default::default()
    };
    let plain = invoice_with(&settings, &invoice(2, InvoiceStatus::Open), &customer()).unwrap();
    // A 4x2 PNG, as an admin uploads it.
    settings.logo = Some(
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAQAAAACCAIAAADwyuo0AAAAEElEQVR4nGNQSFgARwzIHABxGgkB5j2ixQAAAABJRU5ErkJggg=="
            .into(),
    );
    settings.check().unwrap();
    let with_logo = invoice_with(&settings, &invoice(2, InvoiceStatus::Open), &customer()).unwrap();
    let text = String::from_utf8_lossy(&with_logo).replace("/Subtype /", "/Subtype/");
    assert!(
        text.contains("/Subtype/Image"),
        "the logo is an image in the PDF"
    );
    assert!(
        !String::from_utf8_lossy(&plain)
            .replace("/Subtype /", "/Subtype/")
            .contains("/Subtype/Image")
    );
}
