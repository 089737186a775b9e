//! Every HMAC signature of the protocol: channel auth, user sign-in, HTTP API, webhooks.

use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::ids::{AppKey, AppSecret};

type HmacSha256 = Hmac<Sha256>;

/// Lower-case hex HMAC-SHA256 of `message` keyed with the app secret.
pub fn hmac_hex(secret: &AppSecret, message: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(secret.expose()).expect("HMAC accepts any key length");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// `socket_id:channel[:channel_data]`, signed for private, encrypted and presence channels.
pub fn channel_string_to_sign(
    socket_id: &str,
    channel: &str,
    channel_data: Option<&str>,
) -> String {
    match channel_data {
        Some(data) => format!("{socket_id}:{channel}:{data}"),
        None => format!("{socket_id}:{channel}"),
    }
}

/// `socket_id::user::user_data`, signed for `pusher:signin`.
pub fn user_string_to_sign(socket_id: &str, user_data: &str) -> String {
    format!("{socket_id}::user::{user_data}")
}

/// The outcome of checking a client-supplied `key:signature` auth string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthCheck {
    Valid,
    /// The part before `:` is not this app's key (or there is no `:`).
    WrongKey,
    /// The signature does not match; carries the hex digest we expected.
    BadSignature {
        expected: String,
    },
}

/// Verifies `auth` (`"{key}:{hex}"`) over `string_to_sign` in constant time.
pub fn check_auth(key: &AppKey, secret: &AppSecret, string_to_sign: &str, auth: &str) -> AuthCheck {
    let expected = hmac_hex(secret, string_to_sign.as_bytes());
    let Some((given_key, given_sig)) = auth.split_once(':') else {
        return AuthCheck::WrongKey;
    };
    if given_key != key.as_str() {
        return AuthCheck::WrongKey;
    }
    if constant_time_eq(expected.as_bytes(), given_sig.as_bytes()) {
        AuthCheck::Valid
    } else {
        AuthCheck::BadSignature { expected }
    }
}

/// Byte comparison whose time does not depend on where the inputs differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// `METHOD\nPATH\nQUERY` with QUERY the lower-cased, byte-sorted `k=v` pairs (unescaped),
/// `auth_signature` left out.
pub fn api_string_to_sign(method: &str, path: &str, params: &[(String, String)]) -> String {
    let mut pairs: Vec<(String, &str)> = params
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.as_str()))
        .filter(|(k, _)| k != "auth_signature")
        .collect();
    pairs.sort();
    let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{}\n{}\n{}", method.to_ascii_uppercase(), path, query.join("&"))
}

/// Lower-case hex MD5 of a request body, as in `body_md5`.
pub fn body_md5(body: &[u8]) -> String {
    hex::encode(Md5::digest(body))
}

/// `X-Pusher-Signature`: HMAC-SHA256 hex of the raw webhook body.
pub fn webhook_signature(secret: &AppSecret, body: &[u8]) -> String {
    hmac_hex(secret, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> AppKey {
        AppKey::new("278d425bdf160c739803").unwrap()
    }
    fn secret() -> AppSecret {
        AppSecret::new("7ad3773142a6692b25b8").unwrap()
    }

    #[test]
    fn reference_vectors() {
        let table = [
            (
                channel_string_to_sign("1234.1234", "private-foobar", None),
                "58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4",
            ),
            (
                channel_string_to_sign(
                    "1234.1234",
                    "presence-foobar",
                    Some(r#"{"user_id":10,"user_info":{"name":"Mr. Pusher"}}"#),
                ),
                "afaed3695da2ffd16931f457e338e6c9f2921fa133ce7dac49f529792be6304c",
            ),
            (
                user_string_to_sign("1234.1234", r#"{"id":"12345"}"#),
                "4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba",
            ),
            (
                channel_string_to_sign("1234.1234", "private-encrypted-test", None),
                "6acb79a37e5accae226d86003eed32535d8c78bcf31c04f719d6b083d1e3c21e",
            ),
        ];
        for (string, expected) in table {
            assert_eq!(hmac_hex(&secret(), string.as_bytes()), expected, "{string}");
        }
    }

    #[test]
    fn http_api_vectors() {
        let body = r#"{"name":"foo","channels":["project-3"],"data":"{\"some\":\"data\"}"}"#;
        let md5 = body_md5(body.as_bytes());
        assert_eq!(md5, "ec365a775a4cd0599faeb73354201b6f");
        let params = [
            ("auth_version", "1.0"),
            ("auth_key", "278d425bdf160c739803"),
            ("body_md5", md5.as_str()),
            ("auth_timestamp", "1353088179"),
            ("auth_signature", "ignored"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
        let post = api_string_to_sign("post", "/apps/3/events", &params);
        assert_eq!(
            hmac_hex(&secret(), post.as_bytes()),
            "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c"
        );
        let params = [
            ("info", "user_count"),
            ("filter_by_prefix", "presence-"),
            ("auth_key", "278d425bdf160c739803"),
            ("AUTH_TIMESTAMP", "1353088179"),
            ("auth_version", "1.0"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
        let get = api_string_to_sign("GET", "/apps/3/channels", &params);
        assert_eq!(
            hmac_hex(&secret(), get.as_bytes()),
            "16819168891cb5dfd72b5c7a5d3d602605b26c6ba1930033b5e2eeeb65010291"
        );
    }

    #[test]
    fn webhook_and_md5_vectors() {
        let body = r#"{"time_ms":1327078148132,"events":[{"name":"channel_occupied","channel":"test-channel"}]}"#;
        assert_eq!(
            webhook_signature(&secret(), body.as_bytes()),
            "5dd6562a9f744b72a688bcdfea41c14c2c56d12c44c99e32c08face4cc1e8aeb"
        );
        assert_eq!(body_md5(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(body_md5(b"{}"), "99914b932bd37a50b983c5e7c90ae93b");
    }

    #[test]
    fn auth_strings_are_checked_for_key_and_signature() {
        let string = channel_string_to_sign("1234.1234", "private-foobar", None);
        let good =
            "278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4";
        assert_eq!(check_auth(&key(), &secret(), &string, good), AuthCheck::Valid);
        assert_eq!(check_auth(&key(), &secret(), &string, "nokey"), AuthCheck::WrongKey);
        assert_eq!(check_auth(&key(), &secret(), &string, "other:abc"), AuthCheck::WrongKey);
        assert!(matches!(
            check_auth(&key(), &secret(), &string, "278d425bdf160c739803:00"),
            AuthCheck::BadSignature { expected } if expected.starts_with("58df8b0c")
        ));
    }
}
