use super::*;

fn input(email: &str) -> CustomerInput<'_> {
    CustomerInput {
        email,
        ..Default::default()
    }
}

#[test]
fn an_individual_needs_both_names() {
    let err = NewCustomer::parse(CustomerType::Individual, input("a@example.com")).unwrap_err();
    assert_eq!(err.field, "firstName");
    let mut i = input("a@example.com");
    i.first_name = Some("Ada");
    let err = NewCustomer::parse(CustomerType::Individual, i.clone()).unwrap_err();
    assert_eq!(err.field, "lastName");
    i.last_name = Some("Lovelace");
    assert!(NewCustomer::parse(CustomerType::Individual, i).is_ok());
}

#[test]
fn an_organisation_needs_a_company_name() {
    for t in [CustomerType::Business, CustomerType::Government] {
        let err = NewCustomer::parse(t, input("a@example.com")).unwrap_err();
        assert_eq!(err.field, "companyName");
    }
}

#[test]
fn notes_keep_their_lines_but_no_other_control_characters() {
    assert_eq!(parse_notes("notes", " a\r\nb \n").unwrap(), "a\nb");
    assert!(parse_notes("notes", "a\u{7}b").is_err());
    assert!(parse_notes("notes", &"x".repeat(NOTES_MAX + 1)).is_err());
}

#[test]
fn a_change_of_kind_keeps_the_name_rules() {
    let ok = CustomerChanges::check_names(CustomerType::Business, None, None, Some("Acme"));
    assert!(ok.is_ok());
    let err = CustomerChanges::check_names(CustomerType::Business, Some("A"), Some("B"), None)
        .unwrap_err();
    assert_eq!(err.field, "companyName");
    let err =
        CustomerChanges::check_names(CustomerType::Individual, Some("A"), None, None).unwrap_err();
    assert_eq!(err.field, "lastName");
}

#[test]
fn termination_is_not_a_patchable_status() {
    let err = CustomerChanges::parse(CustomerChangesInput {
        status: Some(CustomerStatus::Terminated),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(err.field, "status");
}
