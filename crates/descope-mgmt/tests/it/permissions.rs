use serde_json::json;
use wiremock::matchers::body_json;
use wiremock::{MockServer, ResponseTemplate};

use crate::{TestResult, client, mgmt};

#[tokio::test]
async fn crud() -> TestResult {
    let server = MockServer::start().await;
    mgmt("GET", "/v1/mgmt/permission/all")
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"permissions": [
                {"name": "read", "description": "Read", "systemDefault": true},
                {"id": "PM2", "name": "write", "description": null, "extra": []}
            ]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/permission/create")
        .and(body_json(
            json!({"name": "write", "description": "Write things"}),
        ))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/permission/create")
        .and(body_json(json!({"name": "bare"})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/permission/update")
        .and(body_json(
            json!({"name": "write", "newName": "edit", "description": "Edit"}),
        ))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    mgmt("POST", "/v1/mgmt/permission/delete")
        .and(body_json(json!({"name": "edit"})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let all = c.permissions().all().await?;
    assert!(all[0].system_default);
    assert_eq!(all[1].id, "PM2");
    assert_eq!(all[1].description, "");
    c.permissions().create("write", "Write things").await?;
    c.permissions().create("bare", "").await?;
    c.permissions().update("write", "edit", "Edit").await?;
    c.permissions().delete("edit").await?;
    Ok(())
}
