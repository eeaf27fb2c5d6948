//! Log entries and key objects: their stored bodies and their hashes.

use sha2::{Digest, Sha256};

use crate::pyjson::{self, Json};

pub(crate) const GENESIS_HASH: &str = "sha256:genesis";

/// Which client's hash recipe an entry matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// `previous_hash` / `timestamp_ms`, Python string escaping (the one we write).
    Python,
    /// `previousHash` / `timestampMs`, the TypeScript client's escaping (DEL unescaped).
    TypeScript,
}

/// One entry, from a log version or a key object version.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LogEntry {
    pub(crate) key: String,
    /// The stored text of `value` (canonical for entries we write), `null` when absent.
    pub(crate) value_raw: String,
    pub(crate) sequence: i64,
    pub(crate) timestamp_ms: i64,
    pub(crate) hash: String,
    pub(crate) previous_hash: String,
    pub(crate) previous_version_id: Option<String>,
    pub(crate) previous_key_object_etag: Option<String>,
    /// For key objects: the log version that holds this entry.
    pub(crate) log_version_id: Option<String>,
    /// The S3 version this entry was read from (the log version for log entries).
    pub(crate) version_id: Option<String>,
    /// When S3 stored that version (its `LastModified`, Unix milliseconds), when read
    /// from S3: unlike `timestamp_ms`, no writer's clock.
    pub(crate) stored_ms: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
#[error("malformed entry: {0}")]
pub(crate) struct EntryError(pub(crate) String);

/// Append `s` as the TypeScript client writes a string: `JSON.stringify`'s escaping
/// (`\"`, `\\`, `\b \f \n \r \t`, other characters below 0x20 as `\u00xx`), then every
/// UTF-16 code unit from 0x80 up as `\uxxxx`. DEL (0x7f) stays a raw byte. Built
/// directly: rewriting Python's escapes would also rewrite a key that contains the
/// six characters `\u007f`.
fn ts_write_str(out: &mut String, s: &str) {
    use std::fmt::Write as _;
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x80 => out.push(c),
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

/// What an entry's hash covers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hashed<'a> {
    pub(crate) key: &'a str,
    pub(crate) previous_hash: &'a str,
    pub(crate) sequence: i64,
    pub(crate) timestamp_ms: i64,
    /// The value's stored text, spliced in as it is.
    pub(crate) value_raw: &'a str,
}

impl Hashed<'_> {
    /// The canonical text that is hashed, in the given dialect.
    pub(crate) fn text(&self, dialect: Dialect) -> String {
        let mut s = String::with_capacity(self.value_raw.len() + self.key.len() + 128);
        s.push_str("{\"key\":");
        let (prev_name, ts_name) = match dialect {
            Dialect::Python => {
                crate::pyjson::write_str(&mut s, self.key);
                ("previous_hash", "timestamp_ms")
            }
            Dialect::TypeScript => {
                ts_write_str(&mut s, self.key);
                ("previousHash", "timestampMs")
            }
        };
        s.push_str(&format!(",\"{prev_name}\":"));
        match dialect {
            Dialect::Python => crate::pyjson::write_str(&mut s, self.previous_hash),
            Dialect::TypeScript => ts_write_str(&mut s, self.previous_hash),
        }
        s.push_str(&format!(
            ",\"sequence\":{},\"{ts_name}\":{},\"value\":",
            self.sequence, self.timestamp_ms
        ));
        s.push_str(self.value_raw);
        s.push('}');
        s
    }

    /// `sha256:` and the hex SHA-256 of [`Hashed::text`].
    pub(crate) fn hash(&self, dialect: Dialect) -> String {
        let text = self.text(dialect);
        format!("sha256:{}", hex::encode(Sha256::digest(text.as_bytes())))
    }
}

fn optional_str(v: &Json, field: &str) -> Result<Option<String>, EntryError> {
    match v.get(field) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Str(s)) => Ok(Some(s.clone())),
        Some(_) => Err(EntryError(format!("{field} is not a string"))),
    }
}

fn required_str(v: &Json, field: &str) -> Result<String, EntryError> {
    optional_str(v, field)?.ok_or_else(|| EntryError(format!("{field} is missing")))
}

fn required_int(v: &Json, field: &str) -> Result<i64, EntryError> {
    v.get(field)
        .and_then(Json::as_i64)
        .ok_or_else(|| EntryError(format!("{field} is missing or not an integer")))
}

impl LogEntry {
    /// Parse a stored log or key-object body.
    pub(crate) fn parse(body: &[u8], version_id: Option<String>) -> Result<Self, EntryError> {
        let (v, raw) = Self::parse_json(body)?;
        Self::from_json(&v, raw, version_id)
    }

    /// Parse a line of `immukv export`: a stored log body with its `version_id` and,
    /// from exports that know it, S3's `last_modified`.
    pub(crate) fn parse_exported(line: &[u8]) -> Result<Self, EntryError> {
        let (v, raw) = Self::parse_json(line)?;
        let version_id = required_str(&v, "version_id")?;
        let stored_ms = optional_str(&v, "last_modified")?
            .map(|t| {
                crate::time::parse_instant(&t)
                    .map_err(|_| EntryError(format!("last_modified {t:?} is not a time")))
            })
            .transpose()?;
        let mut entry = Self::from_json(&v, raw, Some(version_id))?;
        entry.stored_ms = stored_ms;
        Ok(entry)
    }

    fn parse_json(body: &[u8]) -> Result<(Json, Option<&str>), EntryError> {
        let text = std::str::from_utf8(body).map_err(|_| EntryError("not UTF-8".into()))?;
        let (v, raw) =
            pyjson::parse_with_raw(text, "value").map_err(|e| EntryError(e.to_string()))?;
        if !matches!(v, Json::Object(_)) {
            return Err(EntryError("not a JSON object".into()));
        }
        Ok((v, raw))
    }

    fn from_json(
        v: &Json,
        raw: Option<&str>,
        version_id: Option<String>,
    ) -> Result<Self, EntryError> {
        // The Python client drops `"value": null` when writing None; it hashed null.
        let value_raw = raw.map_or_else(|| "null".to_owned(), str::to_owned);
        Ok(Self {
            key: required_str(v, "key")?,
            value_raw,
            sequence: required_int(v, "sequence")?,
            timestamp_ms: required_int(v, "timestamp_ms")?,
            hash: required_str(v, "hash")?,
            previous_hash: required_str(v, "previous_hash")?,
            previous_version_id: optional_str(v, "previous_version_id")?,
            previous_key_object_etag: optional_str(v, "previous_key_object_etag")?,
            log_version_id: optional_str(v, "log_version_id")?,
            version_id,
            stored_ms: None,
        })
    }

    /// A new entry: hashed in the Python dialect.
    pub(crate) fn new(
        key: &str,
        value: &Json,
        sequence: i64,
        timestamp_ms: i64,
        previous_hash: &str,
        previous_version_id: Option<String>,
        previous_key_object_etag: Option<String>,
    ) -> Self {
        let value_raw = value.canonical();
        let hash = Hashed {
            key,
            previous_hash,
            sequence,
            timestamp_ms,
            value_raw: &value_raw,
        }
        .hash(Dialect::Python);
        Self {
            key: key.to_owned(),
            value_raw,
            sequence,
            timestamp_ms,
            hash,
            previous_hash: previous_hash.to_owned(),
            previous_version_id,
            previous_key_object_etag,
            log_version_id: None,
            version_id: None,
            stored_ms: None,
        }
    }

    /// What its hash covers.
    pub(crate) fn hashed(&self) -> Hashed<'_> {
        Hashed {
            key: &self.key,
            previous_hash: &self.previous_hash,
            sequence: self.sequence,
            timestamp_ms: self.timestamp_ms,
            value_raw: &self.value_raw,
        }
    }

    /// Which dialect's hash matches the stored hash, if any.
    pub(crate) fn verify_hash(&self) -> Option<Dialect> {
        [Dialect::Python, Dialect::TypeScript]
            .into_iter()
            .find(|d| self.hashed().hash(*d) == self.hash)
    }

    /// The Python dialect's expected hash (for reporting a mismatch).
    pub(crate) fn expected_hash(&self) -> String {
        self.hashed().hash(Dialect::Python)
    }

    /// The log body, exactly as the Python client writes it (absent optional fields omitted).
    pub(crate) fn log_body(&self) -> String {
        let mut s = String::new();
        s.push_str("{\"hash\":");
        crate::pyjson::write_str(&mut s, &self.hash);
        s.push_str(",\"key\":");
        crate::pyjson::write_str(&mut s, &self.key);
        s.push_str(",\"previous_hash\":");
        crate::pyjson::write_str(&mut s, &self.previous_hash);
        if let Some(etag) = &self.previous_key_object_etag {
            s.push_str(",\"previous_key_object_etag\":");
            crate::pyjson::write_str(&mut s, etag);
        }
        if let Some(v) = &self.previous_version_id {
            s.push_str(",\"previous_version_id\":");
            crate::pyjson::write_str(&mut s, v);
        }
        s.push_str(&format!(
            ",\"sequence\":{},\"timestamp_ms\":{},\"value\":",
            self.sequence, self.timestamp_ms
        ));
        s.push_str(&self.value_raw);
        s.push('}');
        s
    }

    /// The key object's body for this entry, held in log version `log_version_id`.
    pub(crate) fn key_body(&self, log_version_id: &str) -> String {
        let mut s = String::new();
        s.push_str("{\"hash\":");
        crate::pyjson::write_str(&mut s, &self.hash);
        s.push_str(",\"key\":");
        crate::pyjson::write_str(&mut s, &self.key);
        s.push_str(",\"log_version_id\":");
        crate::pyjson::write_str(&mut s, log_version_id);
        s.push_str(",\"previous_hash\":");
        crate::pyjson::write_str(&mut s, &self.previous_hash);
        s.push_str(&format!(
            ",\"sequence\":{},\"timestamp_ms\":{},\"value\":",
            self.sequence, self.timestamp_ms
        ));
        s.push_str(&self.value_raw);
        s.push('}');
        s
    }

    /// A line of `immukv export`: `stored` (this entry's log body, byte for byte) with
    /// `"version_id"` and S3's `"last_modified"` (when known) added first. A body
    /// spread over several lines is folded onto one (whitespace outside strings
    /// dropped; no hashed text contains any).
    pub(crate) fn exported_line(
        stored: &[u8],
        version_id: &str,
        last_modified_ms: Option<i64>,
    ) -> Result<String, EntryError> {
        let text = std::str::from_utf8(stored).map_err(|_| EntryError("not UTF-8".into()))?;
        let folded;
        let text = if text.contains(['\n', '\r']) {
            folded = fold_whitespace(text);
            folded.as_str()
        } else {
            text
        };
        let rest = text
            .trim_start()
            .strip_prefix('{')
            .ok_or_else(|| EntryError("not a JSON object".into()))?;
        let mut line = String::with_capacity(text.len() + version_id.len() + 16);
        line.push_str("{\"version_id\":");
        crate::pyjson::write_str(&mut line, version_id);
        if let Some(ms) = last_modified_ms {
            line.push_str(",\"last_modified\":\"");
            line.push_str(&crate::time::rfc3339_ms_text(ms));
            line.push('"');
        }
        if !rest.trim_start().starts_with('}') {
            line.push(',');
        }
        line.push_str(rest.trim_end());
        Ok(line)
    }

    /// The entry as one JSON object for output.
    pub(crate) fn to_json(&self) -> String {
        let mut s = String::new();
        s.push_str("{\"key\":");
        crate::pyjson::write_str(&mut s, &self.key);
        s.push_str(",\"value\":");
        s.push_str(&self.value_raw);
        s.push_str(&format!(
            ",\"sequence\":{},\"timestamp_ms\":{}",
            self.sequence, self.timestamp_ms
        ));
        for (name, v) in [
            ("version_id", &self.version_id),
            ("log_version_id", &self.log_version_id),
            ("previous_version_id", &self.previous_version_id),
        ] {
            if let Some(v) = v {
                s.push_str(&format!(",\"{name}\":"));
                crate::pyjson::write_str(&mut s, v);
            }
        }
        s.push_str(",\"hash\":");
        crate::pyjson::write_str(&mut s, &self.hash);
        s.push_str(",\"previous_hash\":");
        crate::pyjson::write_str(&mut s, &self.previous_hash);
        s.push('}');
        s
    }
}

/// JSON text without the whitespace between tokens.
fn fold_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exported_lines_keep_the_stored_bytes() {
        let e = LogEntry::new("k", &Json::Int("1".into()), 0, 5, GENESIS_HASH, None, None);
        let body = e.log_body();
        let line = LogEntry::exported_line(body.as_bytes(), "v1", None).unwrap();
        assert_eq!(line, format!("{{\"version_id\":\"v1\",{}", &body[1..]));
        let back = LogEntry::parse_exported(line.as_bytes()).unwrap();
        assert_eq!(back.version_id.as_deref(), Some("v1"));
        assert_eq!(back.stored_ms, None);
        assert_eq!(back.verify_hash(), Some(Dialect::Python));
        // S3's time of the version travels with it, for judging retention offline.
        let dated =
            LogEntry::exported_line(body.as_bytes(), "v1", Some(1_764_529_200_250)).unwrap();
        assert_eq!(
            dated,
            format!(
                "{{\"version_id\":\"v1\",\"last_modified\":\"2025-11-30T19:00:00.250Z\",{}",
                &body[1..]
            )
        );
        let back = LogEntry::parse_exported(dated.as_bytes()).unwrap();
        assert_eq!(back.stored_ms, Some(1_764_529_200_250));
        assert_eq!(back.verify_hash(), Some(Dialect::Python));
        // A body on several lines becomes one; strings keep their spaces.
        let pretty = "{\n  \"key\": \"a b\",\n  \"value\": [1, \"x \\\" y\"]\n}\n";
        assert_eq!(
            LogEntry::exported_line(pretty.as_bytes(), "v", None).unwrap(),
            "{\"version_id\":\"v\",\"key\":\"a b\",\"value\":[1,\"x \\\" y\"]}"
        );
        assert!(LogEntry::parse_exported(b"[1]").is_err());
        assert!(LogEntry::parse_exported(body.as_bytes()).is_err());
    }

    #[test]
    fn typescript_strings_are_built_not_rewritten() {
        let mut out = String::new();
        ts_write_str(&mut out, "k\\u007f \u{7f} \u{1} \n é 😀 \u{2028}");
        assert_eq!(
            out,
            "\"k\\\\u007f \u{7f} \\u0001 \\n \\u00e9 \\ud83d\\ude00 \\u2028\""
        );
    }

    #[test]
    fn the_shared_vectors() {
        // A copy of ../shared/specs/immukv-vectors.json, so a clone tests by itself.
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/immukv-vectors.json"
        ))
        .expect("vectors");
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        for v in doc["vectors"].as_array().unwrap() {
            let input = &v["input"];
            let value = pyjson::parse(input["value_json"].as_str().unwrap()).unwrap();
            let py = &v["python"];
            assert_eq!(
                value.canonical(),
                py["value_canonical"].as_str().unwrap(),
                "{}",
                v["name"]
            );
            let key = input["key"].as_str().unwrap();
            let prev = input["previous_hash"].as_str().unwrap();
            let (seq, ts) = (
                input["sequence"].as_i64().unwrap(),
                input["timestamp_ms"].as_i64().unwrap(),
            );
            // Some vectors' bodies carry the optional links; take them from the body.
            let stored =
                LogEntry::parse(py["log_body"].as_str().unwrap().as_bytes(), None).unwrap();
            let entry = LogEntry::new(
                key,
                &value,
                seq,
                ts,
                prev,
                stored.previous_version_id.clone(),
                stored.previous_key_object_etag.clone(),
            );
            assert_eq!(
                entry.hashed().text(Dialect::Python),
                py["hash_input_canonical"].as_str().unwrap()
            );
            assert_eq!(entry.hash, py["hash"].as_str().unwrap(), "{}", v["name"]);
            assert_eq!(
                entry.log_body(),
                py["log_body"].as_str().unwrap(),
                "{}",
                v["name"]
            );
            assert_eq!(
                entry.key_body("examplelogversionid"),
                py["key_object_body"].as_str().unwrap()
            );
            // Reading the stored body back verifies, in the Python dialect.
            let read = LogEntry::parse(py["log_body"].as_str().unwrap().as_bytes(), None).unwrap();
            assert_eq!(read.verify_hash(), Some(Dialect::Python));
            // The TypeScript client's hash of its own serialization verifies too.
            let ts_dialect = &v["typescript"];
            let ts_value = ts_dialect["value_canonical"].as_str().unwrap();
            let ts_hashed = Hashed {
                value_raw: ts_value,
                ..entry.hashed()
            };
            assert_eq!(
                ts_hashed.text(Dialect::TypeScript),
                ts_dialect["hash_input_canonical"].as_str().unwrap(),
                "{}",
                v["name"]
            );
            let mut ts_entry = read.clone();
            ts_entry.value_raw = ts_value.to_owned();
            ts_entry.hash = ts_dialect["hash"].as_str().unwrap().to_owned();
            assert_eq!(
                ts_entry.verify_hash(),
                Some(Dialect::TypeScript),
                "{}",
                v["name"]
            );
        }
    }
}
