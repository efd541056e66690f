// azpath serve: the library's search, quiz mode, stepping through a trace, what-if marks and the
// editor. Plain JavaScript, no framework, no build step.
"use strict";

function librarySearch() {
  const box = document.getElementById("search");
  if (!box) return;
  box.addEventListener("input", () => {
    const words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    document.querySelectorAll(".topic").forEach((topic) => {
      let inTopic = 0;
      topic.querySelectorAll(".lesson-item").forEach((li) => {
        const hay = li.dataset.search || "";
        const ok = words.every((w) => hay.includes(w));
        li.hidden = !ok;
        if (ok) inTopic++;
      });
      topic.hidden = inTopic === 0;
      shown += inTopic;
    });
    document.getElementById("nomatch").hidden = shown !== 0;
  });
}

// A question's answer stays hidden until the student commits a guess.
function quiz() {
  document.querySelectorAll(".question").forEach((q) => {
    const choice = q.querySelector(".guess-choice");
    const free = q.querySelector(".guess-text");
    const input = choice || free;
    const commit = q.querySelector(".commit");
    if (!input || !commit) return;
    const update = () => { commit.disabled = input.value.trim() === ""; };
    input.addEventListener("input", update);
    input.addEventListener("change", update);
    commit.addEventListener("click", () => {
      const guess = input.value.trim();
      if (!guess) return;
      input.disabled = true;
      commit.disabled = true;
      const answer = q.querySelector(".answer");
      const result = q.querySelector(".result");
      if (choice && q.dataset.verdict) {
        const right = guess === q.dataset.verdict;
        result.textContent = right
          ? "You guessed " + guess + ": right."
          : "You guessed " + guess + "; azpath says " + q.dataset.verdict + ".";
        result.className = "result " + (right ? "right" : "wrong");
        q.classList.add(right ? "guessed-right" : "guessed-wrong");
      } else {
        result.textContent = "Your guess: " + guess;
        result.className = "result";
      }
      answer.hidden = false;
      const trace = q.querySelector(".trace");
      if (trace) step(trace, 0);
    });
  });
}

function cssEscape(s) {
  return window.CSS && CSS.escape ? CSS.escape(s) : s.replace(/["\\]/g, "\\$&");
}

// Shows hop `i` of a trace: the segments and marks up to it, the hop's node, and its panel
// (the routes that competed and the rule that decided). `i` = -1 shows the whole path.
function step(trace, i) {
  const n = parseInt(trace.dataset.hops, 10);
  const all = i < 0;
  if (!all) i = Math.max(0, Math.min(n - 1, i));
  trace.dataset.at = String(i);
  const svg = trace.querySelector("svg");
  svg.classList.add("stepping");
  svg.querySelectorAll("[data-seq]").forEach((el) => {
    const s = parseInt(el.dataset.seq, 10);
    el.classList.toggle("on", all || s <= i);
    el.classList.toggle("current", !all && s === i);
  });
  svg.querySelectorAll(".node.current").forEach((el) => el.classList.remove("current"));
  let where = "whole path";
  trace.querySelectorAll(".hop").forEach((h) => {
    const s = parseInt(h.dataset.seq, 10);
    const here = !all && s === i;
    h.hidden = !here;
    if (here) {
      const node = svg.querySelector('.node[data-id="' + cssEscape("nic:" + h.dataset.nic) + '"]');
      if (node) node.classList.add("current");
      where = h.dataset.leg + " hop " + (s + 1) + " of " + n + ": " + h.dataset.nic;
    }
  });
  trace.querySelector(".where").textContent = where;
  trace.querySelector(".prev").disabled = !all && i <= 0;
  trace.querySelector(".next").disabled = !all && i >= n - 1;
}

function stepper() {
  document.querySelectorAll(".trace").forEach((trace) => {
    const at = () => parseInt(trace.dataset.at || "0", 10);
    trace.querySelector(".prev").addEventListener("click", () => step(trace, at() < 0 ? 0 : at() - 1));
    trace.querySelector(".next").addEventListener("click", () => step(trace, at() < 0 ? 0 : at() + 1));
    trace.querySelector(".all").addEventListener("click", () => step(trace, -1));
  });
}

function editor() {
  const ed = document.querySelector(".editor");
  if (!ed) return;
  const key = ed.dataset.key;
  const src = document.getElementById("source");
  const list = document.getElementById("diagnostics");
  const results = document.getElementById("results");
  const status = document.getElementById("status");
  let timer = null;
  const check = (run) => {
    fetch("/api/check/" + key, { method: "POST", body: src.value, headers: { "content-type": "text/plain; charset=utf-8" } })
      .then((r) => r.json())
      .then((a) => {
        list.textContent = "";
        a.diagnostics.forEach((d) => {
          const li = document.createElement("li");
          li.className = d.severity === "Error" ? "diag error" : "diag warning";
          li.textContent = "line " + d.line + ", column " + d.column + ": " + d.message + (d.hint ? " (hint: " + d.hint + ")" : "");
          li.addEventListener("click", () => goTo(src, d.line, d.column));
          list.appendChild(li);
        });
        status.textContent = a.ok ? a.passed + " passed, " + a.failed + " failed" : "does not load";
        status.className = a.ok && a.failed === 0 ? "ok" : "bad";
        if (run || !a.ok) results.textContent = a.ok ? a.text : "";
      })
      .catch((e) => { status.textContent = "check failed: " + e; });
  };
  src.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => check(false), 300);
  });
  document.getElementById("run").addEventListener("click", () => check(true));
  document.getElementById("save").addEventListener("click", () => {
    fetch("/api/save/" + key, { method: "POST", body: src.value, headers: { "content-type": "text/plain; charset=utf-8" } })
      .then((r) => r.text().then((t) => { status.textContent = t; }));
  });
  check(false);
}

function goTo(area, line, column) {
  const lines = area.value.split("\n");
  let pos = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
  pos += column - 1;
  area.focus();
  area.setSelectionRange(pos, pos + 1);
}

librarySearch();
quiz();
stepper();
editor();
