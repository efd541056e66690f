//! Every page and endpoint over HTTP, without a socket: requests go straight into the router.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

use azpath_serve::{app, Roots};

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios")
}

fn library() -> axum::Router {
    app(Roots::new(&[scenarios()]).unwrap())
}

async fn send(router: axum::Router, req: Request<Body>) -> (StatusCode, String, String) {
    let res = router.oneshot(req).await.unwrap();
    let status = res.status();
    let kind = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, kind, String::from_utf8(body.to_vec()).unwrap())
}

async fn get(router: axum::Router, uri: &str) -> (StatusCode, String, String) {
    send(router, Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn post(router: axum::Router, uri: &str, body: &str) -> (StatusCode, String, String) {
    let req = Request::post(uri)
        .body(Body::from(body.to_string()))
        .unwrap();
    send(router, req).await
}

/// A fresh folder with one copy of a bundled lesson, for tests that write.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("azpath-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("nsg")).unwrap();
    std::fs::copy(
        scenarios().join("nsg/subnet-and-nic-order.ron"),
        dir.join("nsg/lesson.ron"),
    )
    .unwrap();
    dir
}

const CROSS_REGION: &str = "/lesson/0/virtual-wan/cross-region-private-endpoint.ron";

#[tokio::test]
async fn library_groups_lessons_by_topic_with_title_and_takeaway() {
    let (status, kind, html) = get(library(), "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/html"), "{kind}");
    for topic in [
        "routing",
        "private-endpoint",
        "dns",
        "firewall",
        "nsg",
        "virtual-wan",
    ] {
        assert!(html.contains(&format!("data-topic=\"{topic}\"")), "{topic}");
    }
    assert!(html.contains("href=\"/lesson/0/virtual-wan/cross-region-private-endpoint.ron\""));
    assert!(
        html.contains("A private endpoint in another region&#39;s hub costs two firewalls")
            || html.contains("A private endpoint in another region&#x27;s hub costs two firewalls")
    );
    assert!(html.contains("id=\"search\""), "a search box");
    assert!(
        html.contains("data-search="),
        "items carry their search text"
    );
}

#[tokio::test]
async fn lesson_hides_each_answer_until_a_guess_is_committed() {
    let (status, _, html) = get(library(), CROSS_REGION).await;
    assert_eq!(status, StatusCode::OK);
    let questions = html.matches("<article class=\"question\"").count();
    assert!(questions >= 5, "{questions}");
    assert_eq!(
        html.matches("<div class=\"answer\" hidden>").count(),
        questions
    );
    assert_eq!(
        html.matches("<button class=\"commit\" disabled>").count(),
        questions
    );
    // The question as asked does not give the answer away.
    let asked: Vec<&str> = html
        .split("<p class=\"asked\">")
        .skip(1)
        .map(|s| s.split("</p>").next().unwrap())
        .collect();
    assert_eq!(asked.len(), questions);
    for a in &asked {
        assert!(
            !a.contains("VirtualNetworkGateway") && !a.contains("Delivered"),
            "{a}"
        );
    }
    // A trace question offers the verdicts to choose from.
    assert!(html.contains("<option value=\"DroppedByFirewall\">"));
}

#[tokio::test]
async fn lesson_shows_story_topology_narrative_and_sources() {
    let (_, _, html) = get(library(), CROSS_REGION).await;
    assert!(html.contains("The dev app in West US calls its Azure OpenAI private endpoint"));
    // Regions, hubs, the hub-to-hub link, firewalls, private endpoints and their service.
    for id in [
        "data-id=\"vnet:spoke-dev-wus\"",
        "data-id=\"nic:fw-wus\"",
        "data-id=\"nic:hub-eus router\"",
        "data-id=\"nic:pe-aoai-dev\"",
        "data-id=\"svc:aoai-dev\"",
        "class=\"link HubToHub global\"",
    ] {
        assert!(html.contains(id), "{id}");
    }
    assert!(html.contains(">westus</text>") && html.contains(">eastus</text>"));
    assert!(html.contains("https://learn.microsoft.com/azure/virtual-wan/how-to-routing-policies"));
    assert!(html.contains("<pre class=\"narrative\">"));
}

#[tokio::test]
async fn lesson_draws_each_trace_hop_by_hop_with_the_routes_that_competed() {
    let (_, _, html) = get(library(), CROSS_REGION).await;
    assert!(html.contains("<div class=\"trace\" data-hops=\"10\">"));
    assert!(html.contains("class=\"seg req\" data-seq=\"1\""));
    assert!(
        html.contains("class=\"seg rep\""),
        "the reply in its own style"
    );
    assert!(html.contains("<div class=\"hop\" data-seq=\"1\" data-nic=\"fw-wus\""));
    // The firewall's deciding rule, with SNAT, and the route table at the first hop.
    assert!(html.contains("rule DefaultApplicationRuleCollectionGroup/application_rules/apps-to-openai: Allow, SNAT to the firewall"));
    assert!(html.contains("<tr class=\"selected\"><td>10.0.0.0/8</td>"));
    // The verdict sits at the hop where the trace ended.
    assert!(html.contains("<g class=\"verdict ok\" data-seq=\"9\">"));
}

#[tokio::test]
async fn a_dropped_trace_shows_its_verdict_at_the_hop_that_dropped_it() {
    let (_, _, html) = get(library(), CROSS_REGION).await;
    // Question 5: the dev app asks for another host; fw-wus (hop 2) refuses it.
    assert!(
        html.contains("<g class=\"verdict\" data-seq=\"1\">"),
        "verdict at hop 2"
    );
}

#[tokio::test]
async fn lesson_json_is_the_engines_report_and_diagram() {
    let uri = "/api/lesson/0/virtual-wan/cross-region-private-endpoint.ron";
    let (status, kind, body) = get(library(), uri).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("application/json"));
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(v["report"]["results"].as_array().unwrap().len() >= 5);
    assert_eq!(
        v["report"]["results"][3]["evidence"]["verdict"]["verdict"],
        "Delivered"
    );
    assert!(v["diagram"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["id"] == "nic:fw-eus" && n["kind"] == "Firewall"));
}

#[tokio::test]
async fn what_if_shows_the_base_and_the_fix_side_by_side_with_changes_marked() {
    let (status, _, html) = get(
        library(),
        "/whatif/0/dns/fixes/zone-linked-to-the-spoke.ron",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(html.matches("<svg").count(), 2);
    assert!(
        html.contains("Changed paths") || html.contains("Changed routes"),
        "{html}"
    );
    let (status, _, _) = get(library(), "/whatif/0/dns/zone-linked-to-the-hub-only.ron").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not a variant");
}

#[tokio::test]
async fn editor_shows_the_file_and_checking_never_writes_it() {
    let dir = scratch("check");
    let router = app(Roots::new(std::slice::from_ref(&dir)).unwrap());
    let (status, _, html) = get(router.clone(), "/edit/0/nsg/lesson.ron").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<textarea id=\"source\""));
    let before = std::fs::read_to_string(dir.join("nsg/lesson.ron")).unwrap();
    let broken = "Scenario(\n    vnets: [(name: \"a\", region: \"eastus\", address_space: [\"10.0.0.0/33\"])],\n)";
    let (status, _, body) = post(router.clone(), "/api/check/0/nsg/lesson.ron", broken).await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["diagnostics"][0]["line"], 2, "{body}");
    assert!(
        v["diagnostics"][0]["column"].as_u64().unwrap() > 1,
        "{body}"
    );
    let (_, _, body) = post(router, "/api/check/0/nsg/lesson.ron", &before).await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["ok"], true, "{body}");
    assert_eq!(v["failed"], 0);
    assert!(v["passed"].as_u64().unwrap() > 0);
    assert_eq!(
        std::fs::read_to_string(dir.join("nsg/lesson.ron")).unwrap(),
        before
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn save_writes_only_an_existing_scenario_under_the_served_folder() {
    let dir = scratch("save");
    let router = app(Roots::new(std::slice::from_ref(&dir)).unwrap());
    let (status, _, _) = post(router.clone(), "/api/save/0/nsg/lesson.ron", "// saved\n").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        std::fs::read_to_string(dir.join("nsg/lesson.ron")).unwrap(),
        "// saved\n"
    );
    for uri in [
        "/api/save/0/nsg/new.ron",
        "/api/save/0/../escape.ron",
        "/api/save/0/nsg/lesson.txt",
        "/api/save/1/nsg/lesson.ron",
    ] {
        let (status, _, _) = post(router.clone(), uri, "x").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
    }
    assert!(!dir.join("nsg/new.ron").exists());
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn paths_that_leave_the_served_folder_are_refused() {
    for uri in [
        "/lesson/0/../Cargo.toml",
        "/lesson/0/%2e%2e/README.md",
        "/lesson/0/..%2fREADME.md",
        "/lesson/0//etc/passwd",
        "/lesson/0/README.md",
        "/lesson/7/routing/reserved-prefixes.ron",
        "/edit/0/../serve/Cargo.toml",
    ] {
        let (status, _, _) = get(library(), uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
    }
}

#[cfg(unix)]
#[tokio::test]
async fn a_symbolic_link_out_of_the_served_folder_is_refused() {
    let dir = scratch("symlink");
    let outside =
        std::env::temp_dir().join(format!("azpath-serve-outside-{}.ron", std::process::id()));
    std::fs::copy(dir.join("nsg/lesson.ron"), &outside).unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("nsg/link.ron")).unwrap();
    let router = app(Roots::new(std::slice::from_ref(&dir)).unwrap());
    let (status, _, _) = get(router.clone(), "/lesson/0/nsg/link.ron").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = post(router, "/api/save/0/nsg/link.ron", "x").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_ne!(std::fs::read_to_string(&outside).unwrap(), "x");
    let _ = std::fs::remove_file(outside);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_request_body_over_the_limit_is_refused() {
    let dir = scratch("limit");
    let router = app(Roots::new(std::slice::from_ref(&dir)).unwrap());
    let big = "x".repeat(azpath_serve::MAX_BODY + 1);
    let (status, _, _) = post(router, "/api/save/0/nsg/lesson.ron", &big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_ne!(
        std::fs::read_to_string(dir.join("nsg/lesson.ron"))
            .unwrap()
            .len(),
        big.len()
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn assets_are_compiled_in_and_pages_load_nothing_from_elsewhere() {
    let (status, kind, js) = get(library(), "/assets/app.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/javascript"));
    assert!(js.contains("function step("));
    let (_, kind, _) = get(library(), "/assets/app.css").await;
    assert!(kind.starts_with("text/css"));
    for uri in ["/", CROSS_REGION, "/edit/0/nsg/subnet-and-nic-order.ron"] {
        let (_, _, html) = get(library(), uri).await;
        for external in [
            "src=\"http",
            "src=\"//",
            "<link rel=\"stylesheet\" href=\"http",
            "@import",
        ] {
            assert!(!html.contains(external), "{uri}: {external}");
        }
    }
}

#[tokio::test]
async fn an_unknown_page_is_not_found() {
    let (status, _, html) = get(library(), "/nowhere").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("href=\"/\""));
}

#[tokio::test]
async fn markup_in_a_scenario_is_shown_as_text_never_run() {
    let dir = scratch("markup");
    let text = std::fs::read_to_string(dir.join("nsg/lesson.ron")).unwrap();
    let evil = "<script>alert(1)</script>";
    // In the title (accepted as text) and in a workload's name (refused, and the refusal names it).
    let titled = text.replacen("title: \"", &format!("title: \"{evil} "), 1);
    assert_ne!(titled, text, "the lesson has a title to change");
    std::fs::write(dir.join("nsg/lesson.ron"), &titled).unwrap();
    let named = text.replacen("name: \"vm-", &format!("name: \"{evil}vm-"), 1);
    std::fs::write(dir.join("nsg/named.ron"), &named).unwrap();
    let router = app(Roots::new(std::slice::from_ref(&dir)).unwrap());
    for uri in [
        "/",
        "/lesson/0/nsg/lesson.ron",
        "/lesson/0/nsg/named.ron",
        "/edit/0/nsg/named.ron",
    ] {
        let (_, _, html) = get(router.clone(), uri).await;
        assert!(!html.contains(evil), "{uri}");
        assert!(
            html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"),
            "{uri}: {html}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Every lesson page renders; the slowest is reported. Its time is a figure to watch, not an
/// assertion: a timed test fails on a loaded machine without anything being wrong.
#[tokio::test]
async fn every_lesson_page_renders() {
    let roots = Roots::new(&[scenarios()]).unwrap();
    let mut slowest = (std::time::Duration::ZERO, String::new(), 0);
    for e in roots.entries() {
        let uri = format!("/lesson/{}", e.key);
        let started = std::time::Instant::now();
        let (status, _, html) = get(library(), &uri).await;
        let took = started.elapsed();
        assert_eq!(status, StatusCode::OK, "{uri}");
        if took > slowest.0 {
            slowest = (took, uri, html.len());
        }
    }
    eprintln!(
        "slowest lesson page: {} in {:?} ({} bytes)",
        slowest.1, slowest.0, slowest.2
    );
}
