/// Percent-encodes everything but RFC 3986's unreserved characters, for a
/// value placed in a URL (query values, `otpauth://` labels).
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_unreserved_characters_stay() {
        assert_eq!(super::percent_encode("a+b@c.jp"), "a%2Bb%40c.jp");
        assert_eq!(super::percent_encode("山"), "%E5%B1%B1");
        assert_eq!(super::percent_encode("A-z_0.~"), "A-z_0.~");
    }
}
