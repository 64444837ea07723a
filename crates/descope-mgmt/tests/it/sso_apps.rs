//! SSO application endpoints against wiremock.

use descope_mgmt::{Error, SsoAppType};
use serde_json::{Value, json};
use wiremock::matchers::query_param;
use wiremock::{MockServer, ResponseTemplate};

use crate::{TestResult, client, mgmt};

fn saml_app() -> Value {
    json!({"id": "SA1", "name": "Wiki", "description": "", "enabled": true, "logo": "",
        "appType": "saml",
        "samlSettings": {"entityId": "urn:wiki", "acsUrl": "https://wiki/acs",
            "idpEntityId": "urn:descope", "idpSsoUrl": "https://api/sso",
            "groupsMapping": [{"name": "groups", "type": "string", "filterType": "roles",
                "value": "engineers", "roles": [{"id": "R1", "name": "Engineer"}]}],
            "attributeMapping": null, "idpCert": "-----BEGIN CERTIFICATE-----"},
        "oidcSettings": null, "customAttributes": {"owner": "it"}})
}

fn oidc_app() -> Value {
    json!({"id": "SA2", "name": "CRM", "enabled": false, "appType": "oidc",
        "oidcSettings": {"issuer": "https://api/P2", "clientId": "C9", "clientType": "confidential",
            "approvedRedirectUrls": ["https://crm/cb"], "forcePkce": true},
        "samlSettings": null})
}

#[tokio::test]
async fn all_decodes_every_app_type() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/sso/idp/apps/load")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"apps": [
            saml_app(), oidc_app(),
            {"id": "SA3", "appType": "wsfed", "wsfedSettings": {"realm": "urn:r", "replyUrl": "https://r"}},
            {"id": "SA4", "appType": "somethingNew"}
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    let apps = client(&server).sso_apps().all().await?;
    assert_eq!(apps.len(), 4);
    let saml = apps[0].saml_settings.as_ref().ok_or("no saml settings")?;
    assert_eq!(
        (saml.entity_id.as_str(), saml.acs_url.as_str()),
        ("urn:wiki", "https://wiki/acs")
    );
    assert_eq!(saml.groups_mapping[0].roles[0].id, "R1");
    assert!(saml.attribute_mapping.is_empty());
    assert!(saml.other.contains_key("idpCert"));
    assert_eq!(apps[0].custom_attributes.get("owner"), Some(&json!("it")));
    let oidc = apps[1].oidc_settings.as_ref().ok_or("no oidc settings")?;
    assert_eq!(oidc.client_id, "C9");
    assert_eq!(oidc.other.get("forcePkce"), Some(&json!(true)));
    assert!(!apps[1].enabled);
    assert_eq!(apps[2].app_type, SsoAppType::WsFed);
    assert_eq!(
        apps[2].ws_fed_settings.as_ref().ok_or("no ws-fed")?.realm,
        "urn:r"
    );
    assert_eq!(apps[3].app_type, SsoAppType::Other("somethingNew".into()));
    Ok(())
}

#[tokio::test]
async fn load_accepts_flat_and_wrapped_answers() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/sso/idp/app/load")
        .and(query_param("id", "SA1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(saml_app()))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("GET", "/v1/mgmt/sso/idp/app/load")
        .and(query_param("id", "SA2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"app": oidc_app()})))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("GET", "/v1/mgmt/sso/idp/app/load")
        .and(query_param("id", "SA9"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    assert_eq!(c.sso_apps().load("SA1").await?.app_type, SsoAppType::Saml);
    assert_eq!(c.sso_apps().load("SA2").await?.name, "CRM");
    assert!(matches!(
        c.sso_apps().load("SA9").await,
        Err(Error::Decode { .. })
    ));
    assert!(matches!(
        c.sso_apps().load("").await,
        Err(Error::InvalidArgument(_))
    ));
    Ok(())
}
