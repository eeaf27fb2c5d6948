//! JSON exactly as Python's `json` module reads and writes it, for files and hashes
//! shared with Python tools (ImmuKV entries, the construct's API-key cache).
//!
//! Parsing follows `json.loads`: a number with `.`, `e` or `E` is a float, any other
//! number an arbitrary-precision integer (`-0` is `0`); a repeated key keeps its first
//! place and its last value. NaN and the infinities are refused (they are not JSON), as
//! are lone surrogates. Writing follows `json.dumps` with `ensure_ascii`: canonical
//! (`sort_keys=True, separators=(",", ":")`, keys sorted by code point) or the default
//! style (`", "` and `": "`, keys in their order) that `json.dump` writes; floats as
//! Python's `repr`.

use std::fmt::Write as _;

/// A JSON value with Python's number semantics.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    /// Decimal digits with an optional leading `-`, normalized (no `-0`).
    Int(String),
    Float(f64),
    Str(String),
    Array(Vec<Json>),
    /// Keys in first-seen order; a repeated key replaces the value in place.
    Object(Vec<(String, Json)>),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid JSON at byte {offset}: {message}")]
pub(crate) struct JsonError {
    pub(crate) offset: usize,
    pub(crate) message: String,
}

impl Json {
    pub(crate) fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Int(s) => s.parse().ok(),
            _ => None,
        }
    }

    /// Canonical text: sorted keys, compact separators, Python number formatting.
    pub(crate) fn canonical(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, Style::Canonical);
        out
    }

    /// `json.dumps(value)` with Python's default separators, keys in their order.
    pub(crate) fn dumps_default(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, Style::Default);
        out
    }

    fn write(&self, out: &mut String, style: Style) {
        let (item_sep, key_sep) = match style {
            Style::Canonical => (",", ":"),
            Style::Default => (", ", ": "),
        };
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Int(digits) => out.push_str(digits),
            Json::Float(f) => out.push_str(&float_repr(*f)),
            Json::Str(s) => write_str(out, s),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(item_sep);
                    }
                    item.write(out, style);
                }
                out.push(']');
            }
            Json::Object(fields) => {
                let mut fields: Vec<&(String, Json)> = fields.iter().collect();
                if style == Style::Canonical {
                    // Rust orders strings by UTF-8 bytes, which is code point order, as Python.
                    fields.sort_by(|a, b| a.0.cmp(&b.0));
                }
                out.push('{');
                for (i, (k, v)) in fields.into_iter().enumerate() {
                    if i > 0 {
                        out.push_str(item_sep);
                    }
                    write_str(out, k);
                    out.push_str(key_sep);
                    v.write(out, style);
                }
                out.push('}');
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// `sort_keys=True, separators=(",", ":")`.
    Canonical,
    /// `json.dump`'s defaults: `", "`, `": "`, keys in their order.
    Default,
}

/// Append `s` as a JSON string the way `json.dumps(..., ensure_ascii=True)` does:
/// `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`; every other character outside
/// 0x20..=0x7e as `\uXXXX` (lower-case hex, surrogate pairs above U+FFFF).
pub(crate) fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// Python's `repr(float)` for a finite float: the shortest round-tripping digits,
/// positional when the decimal exponent is in -4..16, else `d.ddde+XX`.
pub(crate) fn float_repr(f: f64) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0.0".to_owned()
        } else {
            "0.0".to_owned()
        };
    }
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(f);
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    // Split ryu's text into significant digits and the exponent of the first digit.
    let (mantissa, exp_part) = match text.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all: String = format!("{int_part}{frac_part}");
    let leading_zeros = all.bytes().take_while(|&b| b == b'0').count();
    let digits = all[leading_zeros..].trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    // Position of the decimal point relative to the first significant digit.
    let exp = int_part.len() as i32 - 1 - leading_zeros as i32 + exp_part;
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        if exp < 0 {
            out.push_str("0.");
            for _ in 0..(-exp - 1) {
                out.push('0');
            }
            out.push_str(digits);
        } else {
            let point = exp as usize + 1;
            if digits.len() <= point {
                out.push_str(digits);
                for _ in 0..(point - digits.len()) {
                    out.push('0');
                }
                out.push_str(".0");
            } else {
                out.push_str(&digits[..point]);
                out.push('.');
                out.push_str(&digits[point..]);
            }
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let sign = if exp < 0 { '-' } else { '+' };
        let _ = write!(out, "e{sign}{:02}", exp.abs());
    }
    out
}

/// Parse a whole JSON text.
pub(crate) fn parse(text: &str) -> Result<Json, JsonError> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        return Err(p.err("unexpected text after the value"));
    }
    Ok(v)
}

/// Parse a stored object and also return the exact text of one of its top-level
/// fields (for hashing the stored bytes rather than a re-serialization).
pub(crate) fn parse_with_raw<'a>(
    text: &'a str,
    field: &str,
) -> Result<(Json, Option<&'a str>), JsonError> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    p.ws();
    if p.peek() != Some(b'{') {
        return Err(p.err("expected an object"));
    }
    p.i += 1;
    let mut fields = Vec::new();
    let mut raw = None;
    p.ws();
    if p.peek() == Some(b'}') {
        p.i += 1;
    } else {
        loop {
            p.ws();
            let key = p.string()?;
            p.ws();
            p.expect(b':')?;
            p.ws();
            let start = p.i;
            let value = p.value(1)?;
            if key == field {
                raw = Some(&text[start..p.i]);
            }
            insert(&mut fields, key, value);
            p.ws();
            match p.next() {
                Some(b',') => continue,
                Some(b'}') => break,
                _ => return Err(p.err("expected , or }")),
            }
        }
    }
    p.ws();
    if p.i != p.s.len() {
        return Err(p.err("unexpected text after the value"));
    }
    Ok((Json::Object(fields), raw))
}

fn insert(fields: &mut Vec<(String, Json)>, key: String, value: Json) {
    match fields.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = value,
        None => fields.push((key, value)),
    }
}

const MAX_DEPTH: usize = 512;

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err(&self, message: &str) -> JsonError {
        JsonError {
            offset: self.i,
            message: message.to_owned(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek();
        self.i += 1;
        c
    }

    fn expect(&mut self, c: u8) -> Result<(), JsonError> {
        if self.next() == Some(c) {
            Ok(())
        } else {
            Err(self.err(&format!("expected {:?}", c as char)))
        }
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn literal(&mut self, word: &str, v: Json) -> Result<Json, JsonError> {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.err("unexpected character"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        match self.peek() {
            Some(b'{') => {
                self.i += 1;
                let mut fields = Vec::new();
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Ok(Json::Object(fields));
                }
                loop {
                    self.ws();
                    let key = self.string()?;
                    self.ws();
                    self.expect(b':')?;
                    self.ws();
                    let v = self.value(depth + 1)?;
                    insert(&mut fields, key, v);
                    self.ws();
                    match self.next() {
                        Some(b',') => continue,
                        Some(b'}') => return Ok(Json::Object(fields)),
                        _ => return Err(self.err("expected , or }")),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    self.ws();
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.next() {
                        Some(b',') => continue,
                        Some(b']') => return Ok(Json::Array(items)),
                        _ => return Err(self.err("expected , or ]")),
                    }
                }
            }
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'N') | Some(b'I') => Err(self.err("NaN and Infinity are not JSON")),
            Some(b'-') if self.s.get(self.i + 1) == Some(&b'I') => {
                Err(self.err("NaN and Infinity are not JSON"))
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.err("unexpected character")),
            None => Err(self.err("unexpected end of input")),
        }
    }

    fn number(&mut self) -> Result<Json, JsonError> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                while matches!(self.peek(), Some(b'0'..=b'9')) {
                    self.i += 1;
                }
            }
            _ => return Err(self.err("invalid number")),
        }
        let mut float = false;
        if self.peek() == Some(b'.') {
            float = true;
            self.i += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.err("invalid number"));
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            float = true;
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.err("invalid number"));
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
        }
        let text =
            std::str::from_utf8(&self.s[start..self.i]).map_err(|_| self.err("invalid number"))?;
        if float {
            let f: f64 = text.parse().map_err(|_| self.err("invalid number"))?;
            if !f.is_finite() {
                return Err(JsonError {
                    offset: start,
                    message: "number out of range (Infinity is not JSON)".into(),
                });
            }
            Ok(Json::Float(f))
        } else if text == "-0" {
            Ok(Json::Int("0".to_owned()))
        } else {
            Ok(Json::Int(text.to_owned()))
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let h = self
            .s
            .get(self.i..self.i + 4)
            .ok_or_else(|| self.err("truncated \\u escape"))?;
        let h = std::str::from_utf8(h).map_err(|_| self.err("invalid \\u escape"))?;
        let v = u32::from_str_radix(h, 16).map_err(|_| self.err("invalid \\u escape"))?;
        self.i += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        if self.next() != Some(b'"') {
            self.i -= 1;
            return Err(self.err("expected a string"));
        }
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(c) = self.peek() {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.i += 1;
            }
            out.push_str(
                std::str::from_utf8(&self.s[start..self.i])
                    .map_err(|_| self.err("invalid UTF-8"))?,
            );
            match self.next() {
                Some(b'"') => return Ok(out),
                Some(b'\\') => {
                    let c = self.next().ok_or_else(|| self.err("truncated escape"))?;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let cp = if (0xD800..0xDC00).contains(&hi) {
                                if self.s.get(self.i..self.i + 2) != Some(b"\\u") {
                                    return Err(self.err("lone surrogate in string"));
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err("lone surrogate in string"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else if (0xDC00..0xE000).contains(&hi) {
                                return Err(self.err("lone surrogate in string"));
                            } else {
                                hi
                            };
                            out.push(
                                char::from_u32(cp).ok_or_else(|| self.err("invalid code point"))?,
                            );
                        }
                        _ => return Err(self.err("invalid escape")),
                    }
                }
                Some(_) => {
                    self.i -= 1;
                    return Err(self.err("control character in string"));
                }
                None => return Err(self.err("unterminated string")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_like_python_repr() {
        for (f, s) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (-0.0, "-0.0"),
            (1e16, "1e+16"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (1.5e-10, "1.5e-10"),
            (123.456, "123.456"),
            (1e15, "1000000000000000.0"),
            (1234567890123456.0, "1234567890123456.0"),
            (12345678901234567.0, "1.2345678901234568e+16"),
            (1e22, "1e+22"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (2.5, "2.5"),
            (-3.25e-7, "-3.25e-07"),
            (0.15, "0.15"),
            (100.0, "100.0"),
        ] {
            assert_eq!(float_repr(f), s, "{f:e}");
        }
    }

    #[test]
    fn parse_like_json_loads() {
        assert_eq!(parse("-0").unwrap(), Json::Int("0".into()));
        assert_eq!(parse("1.0").unwrap().canonical(), "1.0");
        assert_eq!(parse("1E2").unwrap().canonical(), "100.0");
        assert_eq!(
            parse("123456789012345678901234567890").unwrap().canonical(),
            "123456789012345678901234567890"
        );
        assert_eq!(
            parse(r#"{"b":1,"a":2,"b":3}"#).unwrap().canonical(),
            r#"{"a":2,"b":3}"#
        );
        assert_eq!(
            parse(r#""\ud83d\ude00""#).unwrap().canonical(),
            r#""\ud83d\ude00""#
        );
        for bad in [
            "NaN",
            "Infinity",
            "-Infinity",
            "1e400",
            "[1,]",
            "01",
            "\"\\ud800\"",
            "{\"a\" 1}",
            "",
            "1 2",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn default_style_like_json_dump() {
        let v =
            parse(r#"{"b": {"z": "x\"y", "a": "é😀\u0001"}, "a": [1, true, null, 2.50]}"#).unwrap();
        assert_eq!(
            v.dumps_default(),
            r#"{"b": {"z": "x\"y", "a": "\u00e9\ud83d\ude00\u0001"}, "a": [1, true, null, 2.5]}"#
        );
        assert_eq!(
            v.canonical(),
            r#"{"a":[1,true,null,2.5],"b":{"a":"\u00e9\ud83d\ude00\u0001","z":"x\"y"}}"#
        );
    }

    #[test]
    fn raw_field_text() {
        let (v, raw) =
            parse_with_raw(r#"{"hash":"x","value":{"b":[1, 2.50]},"z":1}"#, "value").unwrap();
        assert_eq!(raw, Some(r#"{"b":[1, 2.50]}"#));
        assert_eq!(v.get("z"), Some(&Json::Int("1".into())));
    }
}
