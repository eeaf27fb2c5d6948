//! JSON text exactly as Python's `json` module writes it, for files and hashes shared
//! with Python tools.

/// Append `s` as a JSON string the way `json.dumps(..., ensure_ascii=True)` does:
/// `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`; every other character outside
/// 0x20..=0x7e as `\uXXXX` (lower-case hex, surrogate pairs above U+FFFF).
pub fn write_str(out: &mut String, s: &str) {
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
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

/// `json.dumps(value)` with Python's default separators (`", "`, `": "`), keys in
/// their stored order. Numbers keep serde_json's text.
pub fn dumps_default(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_default(&mut out, value);
    out
}

fn write_default(out: &mut String, value: &serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_default(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_str(out, k);
                out.push_str(": ");
                write_default(out, v);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_python() {
        let v: serde_json::Value =
            serde_json::from_str(r#"{"b": {"z": "x\"y", "a": "é😀\u0001"}, "a": [1, true, null]}"#)
                .unwrap();
        assert_eq!(
            dumps_default(&v),
            r#"{"b": {"z": "x\"y", "a": "\u00e9\ud83d\ude00\u0001"}, "a": [1, true, null]}"#
        );
    }
}
