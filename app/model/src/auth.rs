/// Passwords shorter than this are refused. Length beats composition rules
/// (NIST SP 800-63B), and a front desk remembers a phrase better than symbols.
pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 128;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
}

/// Checks a new password; `None` when it is acceptable.
pub fn password_problem(password: &str) -> Option<PasswordProblem> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Some(PasswordProblem::TooShort)
    } else if chars > MAX_PASSWORD_CHARS {
        Some(PasswordProblem::TooLong)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        // Nine kanji are 27 bytes but still too short.
        assert_eq!(password_problem("寄り添い寄り添い寄"), Some(PasswordProblem::TooShort));
        assert_eq!(password_problem("寄り添い寄り添い寄り"), None);
        assert_eq!(password_problem(&"a".repeat(129)), Some(PasswordProblem::TooLong));
    }
}
