//! Signing checks against the reference's worked examples and each failure.

use switchboard_proto::{AppId, AppKey, AppSecret};

use super::*;

const BODY: &str = r#"{"name":"foo","channels":["project-3"],"data":"{\"some\":\"data\"}"}"#;
const TS: u64 = 1_353_088_179;

fn apps() -> Arc<AppDirectory> {
    AppDirectory::new(vec![AppConfig::with_credentials(
        AppId::new("3").unwrap(),
        AppKey::new("278d425bdf160c739803").unwrap(),
        AppSecret::new("7ad3773142a6692b25b8").unwrap(),
    )])
}

fn post(query: &str) -> Result<Authenticated, AuthError> {
    let request = SignedRequest {
        method: "POST",
        path: "/apps/3/events",
        query: Some(query),
        body: BODY.as_bytes(),
    };
    verify(&apps(), AppLookup::ById("3"), &request, TS + 10)
}

const GOOD: &str = "auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0&body_md5=ec365a775a4cd0599faeb73354201b6f&auth_signature=da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c";

#[test]
fn accepts_the_reference_example() {
    let authed = post(GOOD).unwrap();
    assert_eq!(authed.app.as_str(), "3");
    assert_eq!(authed.param("auth_version"), Some("1.0"));
}

#[test]
fn refuses_each_broken_part() {
    let table: &[(&str, &str, u16)] = &[
        ("auth_key=278d425bdf160c739803", "auth_key=nope", 401),
        ("body_md5=ec365a775a4cd0599faeb73354201b6f", "body_md5=00", 401),
        ("auth_signature=da45", "auth_signature=ff45", 401),
        ("auth_timestamp=1353088179", "auth_timestamp=1353087000", 401),
        ("auth_timestamp=1353088179", "auth_timestamp=soon", 401),
    ];
    for (from, to, status) in table {
        let error = post(&GOOD.replace(from, to)).unwrap_err();
        assert_eq!(error.status(), *status, "{to}: {error}");
    }
    let missing =
        post(&GOOD.replace("&body_md5=ec365a775a4cd0599faeb73354201b6f", "")).unwrap_err();
    assert_eq!(missing, AuthError::MissingParam("body_md5"));
}

#[test]
fn a_bad_signature_names_the_string_to_sign() {
    let error = post(&GOOD.replace("auth_signature=da45", "auth_signature=0045")).unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains(r"POST\n/apps/3/events\nauth_key=278d425bdf160c739803&auth_timestamp"),
        "{text}"
    );
}

#[test]
fn timestamps_within_600_seconds_pass() {
    assert!(check_timestamp("1000", 1599).is_ok());
    assert!(check_timestamp("1599", 1000).is_ok());
    assert!(check_timestamp("1000", 1600).is_err());
}

#[test]
fn unknown_app_is_404_and_python_path_finds_the_app_by_key() {
    let request = SignedRequest {
        method: "POST",
        path: "/apps/9/events",
        query: Some(GOOD),
        body: BODY.as_bytes(),
    };
    assert_eq!(verify(&apps(), AppLookup::ById("9"), &request, TS).unwrap_err().status(), 404);
    let error = verify(&apps(), AppLookup::ByAuthKey, &request, TS).unwrap_err();
    assert!(
        matches!(error, AuthError::BadSignature { .. }),
        "app found by key, then the signature is checked"
    );
}

#[test]
fn get_with_empty_body_md5_is_tolerated() {
    let params = "auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0&body_md5=d41d8cd98f00b204e9800998ecf8427e";
    let pairs: Vec<(String, String)> =
        form_urlencoded::parse(params.as_bytes()).map(|(k, v)| (k.into(), v.into())).collect();
    let string = api_string_to_sign("GET", "/apps/3/channels", &pairs);
    let signature = hmac_hex(&AppSecret::new("7ad3773142a6692b25b8").unwrap(), string.as_bytes());
    let query = format!("{params}&auth_signature={signature}");
    let request =
        SignedRequest { method: "GET", path: "/apps/3/channels", query: Some(&query), body: b"" };
    assert!(verify(&apps(), AppLookup::ById("3"), &request, TS).is_ok());
}
