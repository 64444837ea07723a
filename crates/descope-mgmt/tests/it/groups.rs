use serde_json::json;
use wiremock::matchers::body_json;
use wiremock::{MockServer, ResponseTemplate};

use crate::{TestResult, client, mgmt};

#[tokio::test]
async fn groups_are_bare_arrays() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/group/all")
        .and(body_json(json!({"tenantId": "T1"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": "G1", "display": "Engineering", "source": "scim", "ssoId": "",
             "members": [{"loginID": "jane@acme.io", "userId": "U1", "display": "Jane"}]},
            {"id": "G2", "display": "Sales", "members": null}
        ])))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/group/all")
        .and(body_json(json!({"tenantId": "T1", "ssoId": "S1"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(null)))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/group/member/all")
        .and(body_json(json!({"tenantId": "T1", "userIds": ["U1"]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": "G1"}])))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/group/members")
        .and(body_json(json!({"tenantId": "T1", "groupId": "G1"})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([{"id": "G1", "members": [{"loginId": "x"}]}])),
        )
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let groups = c.groups().all("T1").await?;
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].members[0].login_id, "jane@acme.io");
    assert_eq!(groups[0].source, "scim");
    assert!(groups[1].members.is_empty());
    assert!(c.groups().all_for_sso("T1", "S1").await?.is_empty());
    assert_eq!(
        c.groups()
            .for_members("T1", &[], &["U1".into()])
            .await?
            .len(),
        1
    );
    assert_eq!(
        c.groups().members("T1", "G1").await?[0].members[0].login_id,
        "x"
    );
    Ok(())
}

#[tokio::test]
async fn groups_also_come_wrapped_and_members_spell_login_id_either_way() -> TestResult {
    let server = MockServer::start().await;
    mgmt("POST", "/v1/mgmt/group/all")
        .and(body_json(json!({"tenantId": "T1"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"groups": [
            {"id": "G1", "display": "Eng", "source": "jit", "ssoId": "default_ssoid",
             "members": [{"loginId": "a@acme.io", "userId": "U1"},
                         {"loginID": "b@acme.io", "userId": "U2"}]}
        ]})))
        .expect(2)
        .mount(&server)
        .await;
    let c = client(&server);
    let groups = c.groups().all("T1").await?;
    assert_eq!(groups[0].source, "jit");
    assert_eq!(groups[0].sso_id, "default_ssoid");
    let logins: Vec<&str> = groups[0]
        .members
        .iter()
        .map(|m| m.login_id.as_str())
        .collect();
    assert_eq!(logins, ["a@acme.io", "b@acme.io"]);
    // An empty SSO id is not sent: older backends reject the field.
    assert_eq!(c.groups().all_for_sso("T1", "").await?.len(), 1);
    Ok(())
}

#[tokio::test]
async fn group_calls_refuse_missing_arguments_before_sending() -> TestResult {
    let server = MockServer::start().await;
    let c = client(&server);
    let invalid = |r: Result<Vec<descope_mgmt::Group>, descope_mgmt::Error>| {
        matches!(r, Err(descope_mgmt::Error::InvalidArgument(_)))
    };
    assert!(invalid(c.groups().all("").await));
    assert!(invalid(c.groups().members("", "G1").await));
    assert!(invalid(c.groups().for_members("T1", &[], &[]).await));
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    );
    Ok(())
}
