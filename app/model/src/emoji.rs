//! LINE emoji (LINE絵文字) in a text bubble. Staff see and type a token —
//! `{絵文字:001}` for LINE's standard set, `{絵文字:<productId>:<emojiId>}`
//! for another — and the send turns each into LINE's `$` placeholder with an
//! `emojis` entry at its index (counted in UTF-16 code units, as LINE counts
//! text). The browser and the server use this same code.

/// LINE's standard emoji set (product ID).
pub const STANDARD_PRODUCT: &str = "5ac1bfd5040ab15980c9b435";
/// LINE takes at most this many emoji in one text message.
pub const MAX_PER_TEXT: usize = 20;
/// How many of the standard set the composer's palette offers.
pub const PALETTE_SIZE: u32 = 40;

const OPEN: &str = "{絵文字:";

/// One emoji in the text LINE receives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    /// Where its `$` is, in UTF-16 code units.
    pub index: usize,
    pub product_id: String,
    pub emoji_id: String,
}

/// The token the composer inserts for an emoji.
pub fn token(product_id: &str, emoji_id: &str) -> String {
    if product_id == STANDARD_PRODUCT {
        format!("{OPEN}{emoji_id}}}")
    } else {
        format!("{OPEN}{product_id}:{emoji_id}}}")
    }
}

/// The picture LINE's app shows for an emoji (served by LINE).
pub fn image_url(product_id: &str, emoji_id: &str) -> String {
    format!("https://stickershop.line-scdn.net/sticonshop/v1/sticon/{product_id}/iPhone/{emoji_id}.png")
}

/// The emoji IDs the palette offers: 001, 002, …
pub fn palette() -> impl Iterator<Item = String> {
    (1..=PALETTE_SIZE).map(|n| format!("{n:03}"))
}

fn is_product_id(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn is_emoji_id(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The emoji a token names, if it is a well-formed one.
fn parse(inner: &str) -> Option<(String, String)> {
    match inner.split_once(':') {
        None if is_emoji_id(inner) => Some((STANDARD_PRODUCT.into(), inner.into())),
        Some((p, e)) if is_product_id(p) && is_emoji_id(e) => Some((p.into(), e.into())),
        _ => None,
    }
}

/// A text split into words and emoji, tokens read.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Piece {
    Words(String),
    Emoji {
        product_id: String,
        emoji_id: String,
    },
    /// `{絵文字:…}` that names no emoji: sent as typed, and flagged.
    Malformed(String),
}

pub fn pieces(text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut words = String::new();
    while let Some(start) = rest.find(OPEN) {
        words.push_str(&rest[..start]);
        let after = &rest[start + OPEN.len()..];
        match after.find('}') {
            Some(end) => {
                if !words.is_empty() {
                    out.push(Piece::Words(std::mem::take(&mut words)));
                }
                let inner = &after[..end];
                out.push(match parse(inner) {
                    Some((product_id, emoji_id)) => Piece::Emoji { product_id, emoji_id },
                    None => Piece::Malformed(format!("{OPEN}{inner}}}")),
                });
                rest = &after[end + 1..];
            }
            None => {
                words.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    words.push_str(rest);
    if !words.is_empty() {
        out.push(Piece::Words(words));
    }
    out
}

/// The text as LINE receives it (`$` for each emoji) and the emoji placed
/// in it. A malformed token stays as typed.
pub fn expand(text: &str) -> (String, Vec<Placed>) {
    let mut out = String::with_capacity(text.len());
    let mut placed = Vec::new();
    let mut index = 0;
    for piece in pieces(text) {
        match piece {
            Piece::Words(w) | Piece::Malformed(w) => {
                index += crate::line_limits::utf16_len(&w);
                out.push_str(&w);
            }
            Piece::Emoji { product_id, emoji_id } => {
                placed.push(Placed {
                    index,
                    product_id,
                    emoji_id,
                });
                out.push('$');
                index += 1;
            }
        }
    }
    (out, placed)
}

/// The tokens in `text` that name no emoji.
pub fn malformed(text: &str) -> Vec<String> {
    pieces(text)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Malformed(t) => Some(t),
            _ => None,
        })
        .collect()
}

/// The inverse of `expand`: LINE's text and emoji list as pieces (the
/// sandbox phone draws what LINE received).
pub fn pieces_of_line_text(text: &str, emoji: &[Placed]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut words = String::new();
    let mut index = 0;
    for c in text.chars() {
        let here = emoji.iter().find(|e| e.index == index);
        match here {
            Some(e) if c == '$' => {
                if !words.is_empty() {
                    out.push(Piece::Words(std::mem::take(&mut words)));
                }
                out.push(Piece::Emoji {
                    product_id: e.product_id.clone(),
                    emoji_id: e.emoji_id.clone(),
                });
            }
            _ => words.push(c),
        }
        index += c.len_utf16();
    }
    if !words.is_empty() {
        out.push(Piece::Words(words));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_become_dollars_at_their_utf16_index() {
        // 🍎 is two UTF-16 units, so the first emoji sits at 3, not 2.
        let (text, placed) = expand("🍎予{絵文字:001}約${絵文字:5ac21a8c040ab15980c9b43f:012}");
        assert_eq!(text, "🍎予$約$$");
        assert_eq!(
            placed,
            vec![
                Placed {
                    index: 3,
                    product_id: STANDARD_PRODUCT.into(),
                    emoji_id: "001".into()
                },
                Placed {
                    index: 6,
                    product_id: "5ac21a8c040ab15980c9b43f".into(),
                    emoji_id: "012".into()
                },
            ]
        );
        // A typed `$` stays a dollar sign: only listed indices are emoji.
        assert_eq!(
            pieces_of_line_text(&text, &placed),
            vec![
                Piece::Words("🍎予".into()),
                Piece::Emoji {
                    product_id: STANDARD_PRODUCT.into(),
                    emoji_id: "001".into()
                },
                Piece::Words("約$".into()),
                Piece::Emoji {
                    product_id: "5ac21a8c040ab15980c9b43f".into(),
                    emoji_id: "012".into()
                },
            ]
        );
    }

    #[test]
    fn malformed_tokens_are_found_and_sent_as_typed() {
        assert_eq!(
            malformed("a{絵文字:1}b{絵文字:001}{絵文字:xyz:001}"),
            vec!["{絵文字:1}", "{絵文字:xyz:001}"]
        );
        assert_eq!(expand("{絵文字:1}").0, "{絵文字:1}");
        assert_eq!(expand("閉じない{絵文字:001").0, "閉じない{絵文字:001");
        assert!(malformed("閉じない{絵文字:001").is_empty());
        assert_eq!(token(STANDARD_PRODUCT, "007"), "{絵文字:007}");
        assert_eq!(palette().next().as_deref(), Some("001"));
    }
}
