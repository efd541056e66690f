//! A class in a real browser: Chromium, driven over WebDriver by `chromedriver`, opens the
//! library, searches it, opens a lesson, commits a guess and reveals the answer, steps through
//! the trace and checks what is highlighted, takes a screenshot, and times every lesson page.
//!
//! Needs Debian's `chromium` and `chromium-driver` (CI installs them). Where `chromedriver` is
//! missing the test is skipped, except under `CI`, where it fails. `AZPATH_SCREENSHOT=FILE`
//! keeps the screenshot (the README's picture is made this way).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr
)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// Where chromedriver is, if anywhere: `CHROMEDRIVER`, else on the `PATH`.
fn chromedriver() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMEDRIVER") {
        return Some(PathBuf::from(p));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("chromedriver"))
            .find(|p| p.is_file())
    })
}

/// Kills the driver when the test ends, however it ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_driver(path: &Path) -> (Driver, String) {
    let port = free_port();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", path.display()));
    let driver = Driver(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "chromedriver did not listen");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (driver, format!("http://127.0.0.1:{port}"))
}

async fn start_app() -> SocketAddr {
    let roots =
        azpath_serve::Roots::new(&[Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios")])
            .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, azpath_serve::app(roots))
            .await
            .unwrap();
    });
    addr
}

async fn browser(driver: &str) -> Client {
    let mut args = vec![
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,1100",
    ];
    args.push("--hide-scrollbars");
    let mut options = json!({ "args": args });
    if Path::new("/usr/bin/chromium").is_file() {
        options["binary"] = json!("/usr/bin/chromium");
    }
    let caps = json!({ "goog:chromeOptions": options });
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps.as_object().unwrap().clone())
        .connect(driver)
        .await
        .unwrap()
}

async fn js(c: &Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![]).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_class_in_the_browser() {
    let Some(path) = chromedriver() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromedriver is missing in CI (.ci/run installs chromium-driver)"
        );
        eprintln!("skipped: no chromedriver here (apt-get install chromium chromium-driver)");
        return;
    };
    let (_driver, url) = start_driver(&path).await;
    let app = start_app().await;
    let c = browser(&url).await;
    // Run the class on its own task so that a failed assertion still closes the browser.
    let run = tokio::spawn({
        let c = c.clone();
        async move { class(&c, app).await }
    })
    .await;
    let _ = c.close().await;
    if let Err(e) = run {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn class(c: &Client, app: SocketAddr) {
    let base = format!("http://{app}");
    // The library: search narrows it to the lesson.
    c.goto(&format!("{base}/")).await.unwrap();
    let search = c.find(Locator::Id("search")).await.unwrap();
    search.send_keys("costs two firewalls").await.unwrap();
    let visible = js(
        c,
        "return [...document.querySelectorAll('.lesson-item')].filter(li => !li.hidden).map(li => li.querySelector('a.title').getAttribute('href'))",
    )
    .await;
    assert_eq!(
        visible,
        json!(["/lesson/0/virtual-wan/cross-region-private-endpoint.ron"]),
        "the search keeps only the lesson whose takeaway says so"
    );
    c.find(Locator::LinkText(
        "A private endpoint in another region is reached through both hub firewalls; one in the app's own VNet is reached directly",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();

    // Question 4: the dev app's trace through both hubs. Its answer is hidden until a guess.
    let q = c.find(Locator::Css("#q4")).await.unwrap();
    let answer = q.find(Locator::Css(".answer")).await.unwrap();
    assert!(
        !answer.is_displayed().await.unwrap(),
        "the answer starts hidden"
    );
    let commit = q.find(Locator::Css(".commit")).await.unwrap();
    assert!(
        !commit.is_enabled().await.unwrap(),
        "no reveal without a guess"
    );
    q.find(Locator::Css(".guess-choice"))
        .await
        .unwrap()
        .select_by_value("DroppedByFirewall")
        .await
        .unwrap();
    assert!(commit.is_enabled().await.unwrap());
    commit.click().await.unwrap();
    assert!(
        answer.is_displayed().await.unwrap(),
        "revealed after the guess"
    );
    let result = q
        .find(Locator::Css(".result"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        result,
        "You guessed DroppedByFirewall; azpath says Delivered."
    );

    // Step through the trace: hop 1 is the app, then the West US firewall, then the East US
    // hub's router; each step highlights its node and shows what decided it.
    let current = || async {
        js(
            c,
            "return [...document.querySelectorAll('#q4 svg .node.current')].map(n => n.dataset.id)",
        )
        .await
    };
    assert_eq!(current().await, json!(["nic:app-dev"]));
    let next = q.find(Locator::Css(".next")).await.unwrap();
    next.click().await.unwrap();
    assert_eq!(current().await, json!(["nic:fw-wus"]));
    let hop = q.find(Locator::Css(".hop[data-seq=\"1\"]")).await.unwrap();
    assert!(hop.is_displayed().await.unwrap());
    let rules = hop
        .find(Locator::Css(".rules"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        rules.contains("apps-to-openai: Allow, SNAT to the firewall"),
        "{rules}"
    );
    let shown = js(
        c,
        "return [...document.querySelectorAll('#q4 svg .seg.on')].map(s => s.dataset.seq)",
    )
    .await;
    assert_eq!(
        shown,
        json!(["1"]),
        "only the segments walked so far are drawn"
    );
    next.click().await.unwrap();
    assert_eq!(current().await, json!(["nic:hub-eus router"]));
    q.find(Locator::Css(".prev"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(current().await, json!(["nic:fw-wus"]));
    next.click().await.unwrap();
    next.click().await.unwrap();
    next.click().await.unwrap();
    assert_eq!(current().await, json!(["nic:pe-aoai-dev"]));
    let verdict_on = js(
        c,
        "return document.querySelector('#q4 svg .verdict').classList.contains('on')",
    )
    .await;
    assert_eq!(
        verdict_on,
        json!(false),
        "the verdict shows when the trace ends"
    );
    for _ in 0..5 {
        next.click().await.unwrap();
    }
    let verdict_on = js(
        c,
        "return document.querySelector('#q4 svg .verdict').classList.contains('on')",
    )
    .await;
    assert_eq!(verdict_on, json!(true));
    assert_eq!(
        current().await,
        json!(["nic:app-dev"]),
        "the reply ends at the client"
    );
    // Back to the firewall's step for the picture.
    for _ in 0..8 {
        q.find(Locator::Css(".prev"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    assert_eq!(current().await, json!(["nic:fw-wus"]));
    js(
        c,
        "document.querySelector('#q4 .trace').scrollIntoView(); window.scrollBy(0, -60); return null",
    )
    .await;
    let png = c.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    if let Some(file) = std::env::var_os("AZPATH_SCREENSHOT") {
        std::fs::write(file, &png).unwrap();
    }

    // Every lesson page finishes loading; the slowest and the largest page's times are
    // reported. The 200 ms target is a release-build figure, measured as the README says, not
    // asserted here: a debug build on a loaded machine says nothing about it.
    c.goto(&format!("{base}/")).await.unwrap();
    let lessons = js(
        c,
        "return [...document.querySelectorAll('a.title')].map(a => a.getAttribute('href'))",
    )
    .await;
    let mut slowest = (0.0_f64, String::new(), 0.0_f64);
    let mut largest = (0.0_f64, String::new(), 0.0_f64);
    for href in lessons.as_array().unwrap() {
        let href = href.as_str().unwrap();
        c.goto(&format!("{base}{href}")).await.unwrap();
        // The load event's end is stamped just after the load event: wait for it.
        let mut t = json!([0.0, 0.0]);
        for _ in 0..100 {
            t = js(
                c,
                "const n = performance.getEntriesByType('navigation')[0]; return [n.loadEventEnd > 0 ? n.loadEventEnd - n.startTime : 0, document.documentElement.outerHTML.length]",
            )
            .await;
            if t[0].as_f64().unwrap() > 0.0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(
            t[0].as_f64().unwrap() > 0.0,
            "{href} never finished loading"
        );
        let ms = t[0].as_f64().unwrap();
        let size = t[1].as_f64().unwrap();
        if ms > slowest.0 {
            slowest = (ms, href.to_string(), size);
        }
        if size > largest.2 {
            largest = (ms, href.to_string(), size);
        }
    }
    eprintln!(
        "page load: slowest {:.0} ms ({}); largest page {} ({:.0} bytes) {:.0} ms",
        slowest.0, slowest.1, largest.1, largest.2, largest.0
    );
}
