//! Turning an imported file's bytes into text, and saying which encoding it was in.
//!
//! Files reach Campo from Excel (Windows-1252 when saved as "CSV (delimitato da
//! separatore)" on an Italian Windows), from web CRMs (UTF-8, often with a BOM), and
//! from phones and old Outlook versions (UTF-16 with a BOM). The rule is: a BOM wins;
//! otherwise valid UTF-8 is UTF-8; anything else is Windows-1252, which can decode
//! every byte, so decoding never fails.
//!
//! Windows-1252 is decoded with the table below rather than a general encoding crate:
//! `encoding_rs` links every legacy decoder (CJK tables included) into the wasm,
//! about 98 KB brotli for this one table.

use serde::{Deserialize, Serialize};

/// The encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 starting with the byte-order mark `EF BB BF` (Excel's "CSV UTF-8").
    Utf8Bom,
    /// UTF-16 little-endian, announced by the mark `FF FE`.
    Utf16Le,
    /// UTF-16 big-endian, announced by the mark `FE FF`.
    Utf16Be,
    /// Windows-1252 (the Western-European "ANSI" code page), the fallback when the
    /// bytes are not valid UTF-8.
    Windows1252,
}

impl TextEncoding {
    /// A stable key for the encoding (also its translation key in the app).
    pub fn key(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf8Bom => "utf-8-bom",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
            TextEncoding::Windows1252 => "windows-1252",
        }
    }
}

/// Decoded text and the encoding it was found in. The byte-order mark, if any, is
/// not part of `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub encoding: TextEncoding,
}

/// Decodes a file's bytes. Never fails: malformed UTF-16 becomes U+FFFD, and bytes
/// that are not UTF-8 are read as Windows-1252.
pub fn decode(bytes: &[u8]) -> Decoded {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return Decoded {
            text: String::from_utf8_lossy(rest).into_owned(),
            encoding: TextEncoding::Utf8Bom,
        };
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return Decoded {
            text: decode_utf16(rest, u16::from_le_bytes),
            encoding: TextEncoding::Utf16Le,
        };
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return Decoded {
            text: decode_utf16(rest, u16::from_be_bytes),
            encoding: TextEncoding::Utf16Be,
        };
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Decoded {
            text: text.to_owned(),
            encoding: TextEncoding::Utf8,
        },
        Err(_) => Decoded {
            text: decode_windows_1252(bytes),
            encoding: TextEncoding::Windows1252,
        },
    }
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|p| unit([p[0], p[1]]));
    let mut text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    if bytes.len() % 2 == 1 {
        // A file cut in the middle of a code unit.
        text.push(char::REPLACEMENT_CHARACTER);
    }
    text
}

/// Code points of the bytes 0x80-0x9F in Windows-1252, as the WHATWG Encoding
/// Standard maps them (the five unassigned bytes map to the C1 controls).
const WINDOWS_1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

/// Decodes Windows-1252 bytes. Every byte has a meaning, so this cannot fail: bytes
/// outside 0x80-0x9F are the Latin-1 code points of the same number.
pub fn decode_windows_1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => WINDOWS_1252_HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bom_decides_the_encoding() {
        let d = decode(b"\xEF\xBB\xBFcitt\xC3\xA0");
        assert_eq!(
            (d.text.as_str(), d.encoding),
            ("città", TextEncoding::Utf8Bom)
        );

        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("però €".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let d = decode(&le);
        assert_eq!(
            (d.text.as_str(), d.encoding),
            ("però €", TextEncoding::Utf16Le)
        );

        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("però €".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        let d = decode(&be);
        assert_eq!(
            (d.text.as_str(), d.encoding),
            ("però €", TextEncoding::Utf16Be)
        );
    }

    #[test]
    fn invalid_utf8_falls_back_to_windows_1252() {
        // "Città;€ 5" as an Italian Excel saves it.
        let d = decode(b"Citt\xE0;\x80 5");
        assert_eq!(
            (d.text.as_str(), d.encoding),
            ("Città;€ 5", TextEncoding::Windows1252)
        );
        let d = decode("Città".as_bytes());
        assert_eq!(d.encoding, TextEncoding::Utf8);
    }

    #[test]
    fn windows_1252_table_matches_the_standard() {
        assert_eq!(decode_windows_1252(b"\x80\x8A\x91\x92\x96\x9F"), "€Š‘’–Ÿ");
        assert_eq!(decode_windows_1252(b"\xE0\xE8\xEC\xF2\xF9\xC9"), "àèìòùÉ");
        assert_eq!(decode_windows_1252(b"\x81\x8D"), "\u{81}\u{8D}");
    }

    #[test]
    fn broken_utf16_is_replaced_not_refused() {
        // An unpaired surrogate and an odd trailing byte.
        let d = decode(&[0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00, 0x42]);
        assert_eq!(d.text, "\u{FFFD}A\u{FFFD}");
    }
}
