//! KMS keys as the user names them.

use std::str::FromStr;

/// A KMS key as SSM takes it: `alias/NAME`, an alias or key ARN, or a key id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KmsKeyId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid KMS key {}: name it as alias/NAME, an alias ARN, a key ARN or a key id", crate::diag::Quoted(.0))]
pub(crate) struct KmsKeyIdError(String);

impl FromStr for KmsKeyId {
    type Err = KmsKeyIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let alias = |name: &str| {
            !name.is_empty()
                && name.len() <= 250
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"/_-".contains(&b))
        };
        let key_id = |id: &str| {
            let uuid = id.len() == 36
                && id.bytes().enumerate().all(|(i, b)| {
                    if [8, 13, 18, 23].contains(&i) {
                        b == b'-'
                    } else {
                        b.is_ascii_hexdigit()
                    }
                });
            let mrk = id
                .strip_prefix("mrk-")
                .is_some_and(|h| h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit()));
            uuid || mrk
        };
        let ok = if let Some(name) = s.strip_prefix("alias/") {
            alias(name)
        } else if let Some(rest) = s.strip_prefix("arn:") {
            let parts: Vec<&str> = rest.splitn(5, ':').collect();
            parts.len() == 5
                && parts[1] == "kms"
                && parts[3].len() == 12
                && parts[3].bytes().all(|b| b.is_ascii_digit())
                && (parts[4].strip_prefix("key/").is_some_and(key_id)
                    || parts[4].strip_prefix("alias/").is_some_and(alias))
        } else {
            key_id(s)
        };
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(KmsKeyIdError(s.to_owned()))
        }
    }
}

impl KmsKeyId {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kms_key_ids() {
        for ok in [
            "alias/shop-keys",
            "alias/aws/ssm",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "mrk-1234abcd12ab34cd56ef1234567890ab",
            "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws-cn:kms:cn-north-1:111122223333:alias/shop",
        ] {
            assert!(ok.parse::<KmsKeyId>().is_ok(), "{ok}");
        }
        for bad in ["", "alias/", "shop", "alias/a b", "arn:aws:s3:::b", "1234"] {
            assert!(bad.parse::<KmsKeyId>().is_err(), "{bad}");
        }
    }
}
