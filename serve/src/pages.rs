//! The pages and endpoints.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use azpath_engine::analysis::whatif::what_if;
use azpath_engine::diag::Located;
use azpath_engine::expect::{self, CheckReport};
use azpath_engine::report::{diagram, svg, text, whatif as whatif_text};
use azpath_engine::{load_file, load_str, Loaded};

use crate::files::Roots;
use crate::views::{self, QuestionView};

type Shared = State<Arc<Roots>>;

const SCRIPT: &str = include_str!("../assets/app.js");
const STYLESHEET: &str = include_str!("../assets/app.css");

/// The script, compiled in.
pub async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
        .into_response()
}

/// The stylesheet, compiled in.
pub async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        STYLESHEET,
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    heading: &'a str,
    message: &'a str,
}

fn error(status: StatusCode, heading: &str, message: &str) -> Response {
    let page = ErrorPage { heading, message };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => (status, e.to_string()).into_response(),
    }
}

fn page(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the page could not be drawn",
            &e.to_string(),
        ),
    }
}

fn no_such_file(key: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "no such lesson",
        &format!("`{key}` is not a scenario under the folders being served"),
    )
}

/// Anything else.
pub async fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "no such page",
        "go back to the library",
    )
}

struct LessonItem {
    key: String,
    title: String,
    takeaway: String,
    search: String,
    variant: bool,
    questions: usize,
    error: Option<String>,
}

struct Topic {
    name: String,
    lessons: Vec<LessonItem>,
}

#[derive(Template)]
#[template(path = "library.html")]
struct LibraryPage {
    count: usize,
    topics: Vec<Topic>,
}

/// The library: every lesson, grouped by topic (its folder).
pub async fn library(State(roots): Shared) -> Response {
    let mut topics: BTreeMap<String, Vec<LessonItem>> = BTreeMap::new();
    let mut count = 0;
    for e in roots.entries() {
        let item = match load_file(&e.path) {
            Ok(l) => {
                let net = &l.network;
                let title = if net.title.is_empty() {
                    e.key.clone()
                } else {
                    net.title.clone()
                };
                let takeaway = net.takeaway.clone().unwrap_or_default();
                LessonItem {
                    search: format!("{title} {takeaway} {}", e.topic).to_lowercase(),
                    key: e.key.clone(),
                    title,
                    takeaway,
                    variant: l.document.extends.is_some(),
                    questions: net.questions.len(),
                    error: None,
                }
            }
            Err(err) => LessonItem {
                search: e.key.to_lowercase(),
                key: e.key.clone(),
                title: e.key.clone(),
                takeaway: String::new(),
                variant: false,
                questions: 0,
                error: Some(err.to_string()),
            },
        };
        count += 1;
        topics.entry(e.topic.clone()).or_default().push(item);
    }
    page(&LibraryPage {
        count,
        topics: topics
            .into_iter()
            .map(|(name, lessons)| Topic { name, lessons })
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "lesson.html")]
struct LessonPage {
    key: String,
    title: String,
    story: Option<String>,
    takeaway: Option<String>,
    warnings: Vec<String>,
    variant: bool,
    topology: String,
    questions: Vec<QuestionView>,
    about: String,
    sources: Vec<String>,
}

fn load(roots: &Roots, key: &str) -> Result<(std::path::PathBuf, Loaded), Box<Response>> {
    let path = roots
        .resolve(key)
        .ok_or_else(|| Box::new(no_such_file(key)))?;
    let loaded = load_file(&path).map_err(|e| {
        Box::new(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "this scenario does not load",
            &e.to_string(),
        ))
    })?;
    Ok((path, loaded))
}

/// A lesson in quiz mode.
pub async fn lesson(State(roots): Shared, Path(key): Path<String>) -> Response {
    let (_, loaded) = match load(&roots, &key) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    // The header and sources come from the text the lesson was loaded from, not a second read
    // that could fail (or see a newer file) and silently show an empty header.
    let raw = loaded.source.text.as_str();
    let net = &loaded.network;
    let report = expect::check(net, loaded.dataplane());
    let d = diagram::build(net, &views::traces(&report));
    page(&LessonPage {
        title: if net.title.is_empty() {
            key.clone()
        } else {
            net.title.clone()
        },
        key,
        story: net.story.clone(),
        takeaway: net.takeaway.clone(),
        warnings: loaded.warnings.iter().map(ToString::to_string).collect(),
        variant: loaded.document.extends.is_some(),
        topology: svg::render(&d, None),
        questions: views::questions(&report, &loaded.source, &d),
        about: views::header(raw),
        sources: views::sources(raw),
    })
}

/// A lesson's typed answers, as the engine serialises them.
#[derive(Serialize)]
struct LessonJson<'a> {
    title: &'a str,
    story: Option<&'a str>,
    takeaway: Option<&'a str>,
    report: &'a CheckReport,
    diagram: &'a diagram::Diagram,
}

/// A lesson's answers and diagram as JSON.
pub async fn lesson_json(State(roots): Shared, Path(key): Path<String>) -> Response {
    let (_, loaded) = match load(&roots, &key) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    let net = &loaded.network;
    let report = expect::check(net, loaded.dataplane());
    let d = diagram::build(net, &views::traces(&report));
    Json(LessonJson {
        title: &net.title,
        story: net.story.as_deref(),
        takeaway: net.takeaway.as_deref(),
        report: &report,
        diagram: &d,
    })
    .into_response()
}

struct RouteChangeRow {
    subnet: String,
    change: &'static str,
    prefix: String,
    source: String,
    next_hop: String,
    state: String,
}

struct FlowRow {
    flow: String,
    before: String,
    after: String,
    gone: String,
    added: String,
    verdict_changed: bool,
}

#[derive(Template)]
#[template(path = "whatif.html")]
struct WhatIfPage {
    key: String,
    title: String,
    base_name: String,
    summary: String,
    base_svg: String,
    variant_svg: String,
    routes: Vec<RouteChangeRow>,
    flows: Vec<FlowRow>,
    narrative: String,
}

/// A variant beside the scenario it extends: what changed.
pub async fn whatif(State(roots): Shared, Path(key): Path<String>) -> Response {
    let (path, variant) = match load(&roots, &key) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    let Some(extends) = &variant.document.extends else {
        return error(
            StatusCode::NOT_FOUND,
            "not a variant",
            &format!("`{key}` does not extend another scenario, so there is nothing to compare"),
        );
    };
    let base_path = path
        .parent()
        .map(|p| p.join(&extends.value))
        .unwrap_or_default();
    if !roots.contains(&base_path) {
        return error(
            StatusCode::FORBIDDEN,
            "the base is not served",
            &format!("`{}` lies outside the folders being served", extends.value),
        );
    }
    let base = match load_file(&base_path) {
        Ok(b) => b,
        Err(e) => {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "the base does not load",
                &e.to_string(),
            )
        }
    };
    let answer = what_if(&base, &variant, &[]);
    let mut routes = Vec::new();
    for r in &answer.routes {
        for (change, rows) in [("added", &r.added), ("removed", &r.removed)] {
            for row in rows {
                routes.push(RouteChangeRow {
                    subnet: r.subnet.clone(),
                    change,
                    prefix: row.route.prefix.to_string(),
                    source: row.route.source.to_string(),
                    next_hop: row.route.next_hop.to_string(),
                    state: row.state.to_string(),
                });
            }
        }
        for s in &r.state_changed {
            routes.push(RouteChangeRow {
                subnet: r.subnet.clone(),
                change: "state",
                prefix: s.route.prefix.to_string(),
                source: s.route.source.to_string(),
                next_hop: s.route.next_hop.to_string(),
                state: format!("{} -> {}", s.before, s.after),
            });
        }
    }
    let verdict = |p: &Option<azpath_engine::analysis::whatif::PathFacts>| {
        p.as_ref().map_or_else(
            || "(no such flow)".to_string(),
            |f| format!("{}: {}", f.verdict.name(), f.hops.join(" -> ")),
        )
    };
    let flows: Vec<FlowRow> = answer
        .flows
        .iter()
        .map(|f| FlowRow {
            flow: format!("{} -> {}:{}", f.flow.from, f.flow.to, f.flow.port),
            before: verdict(&f.before),
            after: verdict(&f.after),
            gone: f.hops_gone.join(", "),
            added: f.hops_added.join(", "),
            verdict_changed: f.verdict_changed,
        })
        .collect();
    let mark = |svg: String, ids: Vec<String>| -> String {
        ids.iter().fold(svg, |s, id| {
            s.replace(
                &format!("data-id=\"{}\"", svg::text(id)),
                &format!("data-id=\"{}\" data-changed=\"1\"", svg::text(id)),
            )
        })
    };
    let changed_subnets: Vec<String> = answer
        .routes
        .iter()
        .map(|r| format!("subnet:{}", r.subnet))
        .collect();
    let gone: Vec<String> = answer
        .flows
        .iter()
        .flat_map(|f| f.hops_gone.iter().map(|h| format!("nic:{h}")))
        .collect();
    let added: Vec<String> = answer
        .flows
        .iter()
        .flat_map(|f| f.hops_added.iter().map(|h| format!("nic:{h}")))
        .collect();
    let bd = diagram::build(&base.network, &[]);
    let vd = diagram::build(&variant.network, &[]);
    let summary = if answer.is_empty() {
        format!(
            "no change in {} subnet(s) and {} flow(s) compared",
            answer.subnets_compared, answer.flows_compared
        )
    } else {
        format!(
            "{} subnet(s) with changed routes, {} flow(s) with a changed path, of {} subnet(s) and {} flow(s) compared",
            answer.routes.len(),
            answer.flows.len(),
            answer.subnets_compared,
            answer.flows_compared
        )
    };
    page(&WhatIfPage {
        title: if variant.network.title.is_empty() {
            key.clone()
        } else {
            variant.network.title.clone()
        },
        key,
        base_name: extends.value.clone(),
        summary,
        base_svg: mark(
            svg::render(&bd, None),
            changed_subnets.iter().cloned().chain(gone).collect(),
        ),
        variant_svg: mark(
            svg::render(&vd, None),
            changed_subnets.into_iter().chain(added).collect(),
        ),
        routes,
        flows,
        narrative: whatif_text::what_if(&answer),
    })
}

#[derive(Template)]
#[template(path = "editor.html")]
struct EditorPage {
    key: String,
    text: String,
}

/// The editor: the file's text in a text area.
pub async fn editor(State(roots): Shared, Path(key): Path<String>) -> Response {
    let Some(path) = roots.resolve(&key) else {
        return no_such_file(&key);
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => page(&EditorPage { key, text }),
        Err(e) => error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "cannot read the file",
            &e.to_string(),
        ),
    }
}

/// What checking the editor's text found.
#[derive(Serialize)]
struct CheckAnswer {
    /// Whether the text loads.
    ok: bool,
    /// Errors and warnings, located.
    diagnostics: Vec<Located>,
    /// Questions that held, failed, were skipped.
    passed: usize,
    failed: usize,
    skipped: usize,
    /// Each question's result, as `azpath check` prints it.
    text: String,
}

/// Checks the editor's text (never written to disk): located errors, or every question's
/// result.
pub async fn check(State(roots): Shared, Path(key): Path<String>, body: String) -> Response {
    if roots.resolve(&key).is_none() {
        return no_such_file(&key);
    }
    let answer = match load_str(&key, &body) {
        Err(e) => CheckAnswer {
            ok: false,
            diagnostics: e.diagnostics().to_vec(),
            passed: 0,
            failed: 0,
            skipped: 0,
            text: e.to_string(),
        },
        Ok(loaded) => {
            let report = expect::check(&loaded.network, loaded.dataplane());
            CheckAnswer {
                ok: true,
                diagnostics: loaded.warnings.clone(),
                passed: report.passed(),
                failed: report.failed(),
                skipped: report.skipped(),
                text: text::check(&report, &loaded.source),
            }
        }
    };
    Json(answer).into_response()
}

/// Saves the editor's text over the scenario file it was opened from: the only write, and only
/// when asked.
pub async fn save(State(roots): Shared, Path(key): Path<String>, body: String) -> Response {
    let Some(path) = roots.resolve(&key) else {
        return no_such_file(&key);
    };
    match std::fs::write(&path, body.as_bytes()) {
        Ok(()) => (StatusCode::OK, format!("saved {key}")).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("could not save {key}: {e}"),
        )
            .into_response(),
    }
}
