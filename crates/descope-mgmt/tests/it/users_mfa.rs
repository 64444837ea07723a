//! Second-factor removal, passkey listing and one-attribute updates against wiremock.

use descope_mgmt::Error;
use serde_json::json;
use wiremock::matchers::body_json;
use wiremock::{MockServer, ResponseTemplate};

use crate::{TestResult, client, mgmt};

fn ok() -> ResponseTemplate {
    ResponseTemplate::new(200)
}

#[tokio::test]
async fn removals_send_the_login_id_to_their_endpoints() -> TestResult {
    let server = MockServer::start().await;
    for p in [
        "/v1/mgmt/user/totp/delete",
        "/v1/mgmt/user/passkeys/delete",
        "/v1/mgmt/user/recovery-codes/delete",
    ] {
        mgmt("POST", p)
            .and(body_json(json!({"loginId": "jane@acme.io"})))
            .respond_with(ok().set_body_json(json!({})))
            .expect(1)
            .mount(&server)
            .await;
    }
    mgmt("POST", "/v1/mgmt/user/passkey/delete")
        .and(body_json(
            json!({"loginId": "jane@acme.io", "credentialId": "cred1"}),
        ))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let users = client(&server).users();
    users.remove_totp_seed("jane@acme.io").await?;
    users.remove_all_passkeys("jane@acme.io").await?;
    users.remove_recovery_codes("jane@acme.io").await?;
    users.remove_passkey("jane@acme.io", "cred1").await?;
    assert!(matches!(
        users.remove_totp_seed("").await,
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        users.remove_passkey("jane@acme.io", "").await,
        Err(Error::InvalidArgument(_))
    ));
    Ok(())
}

#[tokio::test]
async fn passkeys_are_listed() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/user/passkeys/list")
        .and(body_json(json!({"loginId": "jane@acme.io"})))
        .respond_with(ok().set_body_json(json!({"passkeys": [
            {"id": "cred1", "rpId": "acme.io", "kind": "platform", "displayName": "Mac", "createdTime": 1_700_000_000}
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    let keys = client(&server)
        .users()
        .list_passkeys("jane@acme.io")
        .await?;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].rp_id, "acme.io");
    Ok(())
}

#[tokio::test]
async fn one_custom_attribute_is_set_and_the_user_checked() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/user/update/customAttribute")
        .and(body_json(
            json!({"loginId": "U1", "attributeKey": "dept", "attributeValue": 7}),
        ))
        .respond_with(ok().set_body_json(
            json!({"user": {"userId": "U1", "customAttributes": {"dept": 7, "x": "y"}}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/user/update/customAttribute")
        .and(body_json(
            json!({"loginId": "U2", "attributeKey": "dept", "attributeValue": "a"}),
        ))
        .respond_with(ok().set_body_json(json!({"user": {"userId": "U9"}})))
        .expect(1)
        .mount(&server)
        .await;
    let users = client(&server).users();
    let u = users
        .update_custom_attribute("U1", "dept", &json!(7))
        .await?;
    assert_eq!(u.custom_attributes["x"], "y");
    let err = users
        .update_custom_attribute("U2", "dept", &json!("a"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not 'U2'"), "{err}");
    assert!(matches!(
        users.update_custom_attribute("U1", "", &json!(1)).await,
        Err(Error::InvalidArgument(_))
    ));
    Ok(())
}
