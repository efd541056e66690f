//! Files that hold no resources, recognised by their shape, so that import says what the file
//! looks like and which command takes it instead of reporting nothing.

use serde_json::Value;

/// What a JSON document that is not resources looks like and what to do with it, or `None`
/// when it may hold resources.
pub(super) fn not_resources(json: &Value) -> Option<String> {
    let has = |k: &str| json.get(k).is_some();
    let schema = json
        .get("$schema")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_lowercase();
    if schema.contains("deploymentparameters") {
        return Some(
            "an ARM parameter file, not resources: give it with `--parameters FILE` beside its template".into(),
        );
    }
    if has("format_version") && (has("values") || has("planned_values") || has("prior_state")) {
        return None;
    }
    if let Some(rows) = json.get("value").and_then(Value::as_array) {
        let route_rows = !rows.is_empty()
            && rows.iter().all(|r| {
                r.get("nextHopType").is_some()
                    && r.get("source").is_some()
                    && r.get("type").is_none()
            });
        if route_rows {
            return Some(
                "effective routes (`az network nic show-effective-route-table`), not resources: compare them with `azpath compare-routes FILE --at SUBNET --actual THIS_FILE`".into(),
            );
        }
        let rules = !rows.is_empty()
            && rows.iter().all(|r| {
                r.get("effectiveSecurityRules").is_some() || r.get("association").is_some()
            });
        if rules {
            return Some(
                "effective security rules (`az network nic list-effective-nsg`), not resources: import the NSGs themselves (`az network nsg list`)".into(),
            );
        }
    }
    if has("parameters") && has("responses") && !has("resources") {
        return None;
    }
    None
}

/// The resource in a REST API example file (`{"parameters": …, "responses": {"200": {"body":
/// …}}}`): the body of its first successful response.
pub(super) fn rest_example_body(json: &Value) -> Option<(&'static str, &Value)> {
    let responses = json.get("responses")?;
    json.get("parameters")?;
    for code in ["200", "201", "202"] {
        if let Some(body) = responses.get(code).and_then(|r| r.get("body")) {
            let at = match code {
                "200" => "/responses/200/body",
                "201" => "/responses/201/body",
                _ => "/responses/202/body",
            };
            return Some((at, body));
        }
    }
    None
}
