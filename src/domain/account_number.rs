//! Customer account numbers: `ACC` + 8 digits + a Luhn check digit, e.g. `ACC000000422`.
//!
//! They are derived from the customer's row number, so they are unique by construction and short
//! enough to read over the phone; the check digit catches a mistyped or swapped digit.

/// The account number for the customer stored as row `seq`.
pub fn for_seq(seq: i64) -> String {
    let body = format!("{seq:08}");
    format!("ACC{body}{}", luhn_check_digit(&body))
}

/// Whether `s` is a well-formed account number with a correct check digit.
pub fn is_valid(s: &str) -> bool {
    let Some(digits) = s.strip_prefix("ACC") else {
        return false;
    };
    if digits.len() < 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let (body, check) = digits.split_at(digits.len() - 1);
    check.bytes().next().map(|b| (b - b'0') as u32) == Some(luhn_check_digit(body))
}

fn luhn_check_digit(body: &str) -> u32 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = (b - b'0') as u32;
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_carry_a_valid_luhn_digit() {
        assert_eq!(for_seq(42), "ACC000000422");
        for seq in [1, 7, 42, 99_999, 12_345_678] {
            assert!(is_valid(&for_seq(seq)), "{seq}");
        }
    }

    #[test]
    fn a_mistyped_digit_is_detected() {
        let good = for_seq(4242);
        let mut bad = good.clone().into_bytes();
        bad[8] = if bad[8] == b'9' { b'0' } else { bad[8] + 1 };
        assert!(!is_valid(std::str::from_utf8(&bad).unwrap()));
        assert!(!is_valid("ACC"));
        assert!(!is_valid("XYZ000000426"));
    }
}
