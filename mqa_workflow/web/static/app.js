// Light touches only; every page works without JavaScript.
"use strict";

// ---- The score sheet (reviewer/sheet.html) ------------------------------------------
// One item at a time, picked in the navigator; the band of the typed percentage lit in
// the scoring guide; done marks, the count and the running total kept live; the draft
// saved through the API shortly after each change and once more on leaving the page.
const AUTOSAVE_DELAY_MS = 1200;

function allowedOf(input) {
  return input.dataset.allowed.split(",").map(Number);
}

// A percentage as typed: the number if the scoring guide allows it, else null ("" → undefined).
function typedPercentage(input) {
  const raw = input.value.trim();
  if (raw === "") return undefined;
  const value = Number(raw);
  return Number.isInteger(value) && allowedOf(input).includes(value) ? value : null;
}

// The standards/sheet.py band rule: enumerated values, else low ≤ v < high (100 in the top band).
function bandContains(row, value) {
  if (row.dataset.values) return row.dataset.values.split(",").map(Number).includes(value);
  const low = Number(row.dataset.low), high = Number(row.dataset.high);
  return (low <= value && value < high) || (value === high && high === 100);
}

// A draft (score sheet or application form) saved through the API; on leaving the page
// the browser finishes the request itself (keepalive).
function putDraft(url, body, csrf, leaving) {
  return fetch(url, {
    method: "PUT", credentials: "same-origin", keepalive: leaving,
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify(body),
  });
}

// The time of day in Beijing time, as the pages say when a draft was saved.
function beijingNow() {
  return new Date().toLocaleTimeString("zh-CN", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit" });
}

function setupScoreSheet(form) {
  const panels = Array.from(document.querySelectorAll(".item-panel"));
  const navLinks = Array.from(document.querySelectorAll("#item-nav [data-goto]"));
  const gotoLinks = Array.from(document.querySelectorAll("[data-goto]"));
  const inputs = Array.from(form.querySelectorAll("input.pct"));
  const editable = form.dataset.editable === "yes";
  const csrf = form.querySelector("input[name=csrf_token]").value;
  const state = document.getElementById("save-state");
  const dirtyNotes = new Set();
  let dirty = false, timer = null;

  form.classList.add("one-at-a-time");
  document.body.classList.add("has-sheet");

  function show(code, remember) {
    const panel = panels.find((p) => p.dataset.code === code) || panels[0];
    for (const p of panels) p.classList.toggle("current", p === panel);
    for (const a of navLinks) a.classList.toggle("current", a.dataset.goto === panel.dataset.code);
    for (const pane of panel.querySelectorAll(".pane")) pane.scrollTop = 0;
    if (remember) history.replaceState(null, "", "#" + panel.id);
    const link = navLinks.find((a) => a.dataset.goto === panel.dataset.code);
    if (link) link.scrollIntoView({ block: "nearest" });
  }

  function refreshItem(input) {
    const code = input.dataset.code;
    const value = typedPercentage(input);
    const panel = input.closest(".item-panel");
    let chosen = null;
    for (const row of panel.querySelectorAll("tr.band")) {
      const here = typeof value === "number" && bandContains(row, value);
      row.classList.toggle("chosen", here);
      if (here) chosen = row;
    }
    // Beside the form: the chosen band, the item's points, and what the band stands for.
    const band = document.getElementById("band-" + code);
    if (band) {
      band.replaceChildren();
      band.classList.toggle("empty", !chosen);
      if (chosen) {
        const head = document.createElement("strong");
        head.textContent = chosen.querySelector("th").innerText.replace(/\s+/g, " ") + " · " +
          (Number(input.dataset.points) * value / 100).toFixed(2) + " / " + input.dataset.points;
        band.append(head, chosen.querySelector("td ul").cloneNode(true));
      } else if (value === undefined) {
        band.textContent = form.dataset.msgNoBand;
      }
    }
    const error = document.getElementById("error-" + code);
    if (value === null) {
      error.textContent = form.dataset.msgNotAllowed + input.dataset.allowedText;
    } else if (error.dataset.server !== "kept" || value !== undefined) {
      error.textContent = "";  // fixed, or never wrong: a server refusal stays until then
    }
    const link = navLinks.find((a) => a.dataset.goto === code);
    if (link) link.dataset.state = error.textContent ? "error" : (value === undefined ? "todo" : "done");
  }

  function refreshFigures() {
    let total = 0, scored = 0;
    for (const input of inputs) {
      const value = typedPercentage(input);
      if (typeof value === "number") { total += Number(input.dataset.points) * value / 100; scored += 1; }
    }
    document.getElementById("live-total").textContent = total.toFixed(2);
    for (const input of inputs) {  // the summary table
      const row = document.querySelector(`[data-summary="${input.dataset.code}"]`);
      if (!row) continue;
      const value = typedPercentage(input);
      row.querySelector("[data-pct]").textContent = typeof value === "number" ? value + "%" : "—";
      row.querySelector("[data-points]").textContent = typeof value === "number"
        ? (Number(input.dataset.points) * value / 100).toFixed(2) + " / " + input.dataset.points
        : input.dataset.points;
    }
    const sum = document.querySelector("#summary [data-total]");
    if (sum) sum.textContent = total.toFixed(2);
    document.getElementById("scored-count").textContent = String(scored);
  }

  // The draft as the API takes it: the allowed percentages typed, and each note touched.
  function payload() {
    const scores = {}, comments = {};
    for (const input of inputs) {
      const value = typedPercentage(input);
      if (typeof value === "number") scores[input.dataset.code] = value;
    }
    for (const code of dirtyNotes) {
      comments[code] = {
        strengths: form.elements["strengths_" + code].value.trim(),
        opportunities: form.elements["opportunities_" + code].value.trim(),
      };
    }
    return { scores, comments, submit: false };
  }

  function say(text, failed) {
    if (!state) return;
    state.textContent = text;
    state.classList.toggle("failed", Boolean(failed));
  }

  async function saveDraft(leaving) {
    clearTimeout(timer);
    if (!dirty) return;
    dirty = false;
    const sending = payload();
    const request = putDraft("/api/assignments/" + form.dataset.assignment + "/sheet",
                             sending, csrf, leaving);
    if (leaving) return;  // the page is going: the browser finishes the request
    say(form.dataset.msgSaving);
    try {
      const response = await request;
      if (response.ok) {
        for (const code of Object.keys(sending.comments)) dirtyNotes.delete(code);
        const at = beijingNow();
        say(form.dataset.msgSaved + " " + at);
        const status = document.getElementById("sheet-status");
        if (status.dataset.status === "none") {
          status.dataset.status = "draft";
          status.textContent = status.dataset.draftText || status.textContent;
        }
      } else {
        dirty = true;
        let detail = String(response.status);
        try { const body = await response.json(); detail = body.detail || detail; } catch (e) { /* not JSON */ }
        say(form.dataset.msgFailed + " " + detail, true);
      }
    } catch (e) {
      dirty = true;
      say(form.dataset.msgOffline, true);
    }
  }

  function changed() {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(() => saveDraft(false), AUTOSAVE_DELAY_MS);
  }

  for (const error of form.querySelectorAll(".item-error")) {
    if (error.textContent.trim()) error.dataset.server = "kept";
  }
  for (const input of inputs) refreshItem(input);
  refreshFigures();

  for (const link of gotoLinks) {
    link.addEventListener("click", (event) => { event.preventDefault(); show(link.dataset.goto, true); });
  }
  for (const button of form.querySelectorAll("[data-step]")) {
    button.addEventListener("click", () => {
      const at = panels.indexOf(button.closest(".item-panel")) + Number(button.dataset.step);
      if (at >= 0 && at < panels.length) show(panels[at].dataset.code, true);
    });
  }
  const fromHash = location.hash.startsWith("#item-") ? location.hash.slice(6) : "";
  const firstOpen = inputs.find((input) => typedPercentage(input) === undefined);
  // First: a refused item, the one in the address, the first not scored, else the summary.
  show(form.dataset.focus || fromHash || (firstOpen ? firstOpen.dataset.code : "summary"), false);

  // A document opens in the side frame under the answer (PDFs and images; others download).
  for (const link of form.querySelectorAll("a[data-document=inline]")) {
    link.addEventListener("click", (event) => {
      const viewer = link.closest(".pane").querySelector(".doc-viewer");
      if (!viewer) return;
      event.preventDefault();
      viewer.hidden = false;
      viewer.querySelector("iframe").src = link.href;
      viewer.querySelector("[data-name]").textContent = link.textContent;
      viewer.querySelector("[data-new-tab]").href = link.href;
      viewer.scrollIntoView({ block: "nearest" });
    });
  }
  for (const close of form.querySelectorAll(".doc-viewer [data-close]")) {
    close.addEventListener("click", () => {
      const viewer = close.closest(".doc-viewer");
      viewer.hidden = true;
      viewer.querySelector("iframe").removeAttribute("src");
    });
  }

  if (!editable) return;
  form.addEventListener("input", (event) => {
    const target = event.target;
    if (target.matches("input.pct")) { refreshItem(target); refreshFigures(); changed(); }
    else if (target.matches("textarea")) { dirtyNotes.add(target.name.replace(/^(strengths|opportunities)_/, "")); changed(); }
  });
  form.addEventListener("submit", () => { clearTimeout(timer); dirty = false; });
  // Leaving (another tab, closing, following a link): save what is not saved yet.
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") saveDraft(true); });
  window.addEventListener("pagehide", () => saveDraft(true));
}

// ---- The application form (applicant/detail.html) -------------------------------------
// A character count under each answer, "answered n / m", done marks; the draft saved
// through the API shortly after each change and once more on leaving; the one submit
// button at the end enabled once everything is filled in, and asking before it sends.
function setupApplicationForm(form) {
  const boxes = Array.from(form.querySelectorAll("textarea[data-code]"));
  const items = boxes.filter((box) => box.dataset.code !== "profile");
  const csrf = form.querySelector("input[name=csrf_token]").value;
  const state = document.getElementById("save-state");
  const submit = document.getElementById("submit-application");
  let dirty = false, timer = null;

  function refresh() {
    let answered = 0, missing = 0;
    for (const box of boxes) {
      const filled = box.value.trim() !== "";
      const count = form.querySelector(`[data-count-for="${box.dataset.code}"]`);
      if (count) count.textContent = form.dataset.msgChars.replace("%d", String(box.value.length));
      if (!filled) missing += 1;
      if (box.dataset.code === "profile") continue;
      if (filled) answered += 1;
      const mark = form.querySelector(`[data-mark="${box.dataset.code}"]`);
      if (mark) {
        mark.classList.toggle("done", filled);
        mark.classList.toggle("todo", !filled);
        mark.textContent = filled ? mark.dataset.doneText : mark.dataset.todoText;
      }
    }
    document.getElementById("answered-count").textContent = String(answered);
    document.getElementById("answered-progress").value = answered;
    for (const shown of form.querySelectorAll("[data-answered]")) shown.textContent = String(answered);
    const hint = document.getElementById("submit-hint");
    hint.textContent = missing ? form.dataset.msgLeft.replace("%d", String(missing)) : form.dataset.msgReady;
    hint.className = missing ? "hint" : "ok";
    if (submit) submit.disabled = missing > 0;
  }

  function say(text, failed) {
    state.textContent = text;
    state.classList.toggle("failed", Boolean(failed));
  }

  async function saveDraft(leaving) {
    clearTimeout(timer);
    if (!dirty) return;
    dirty = false;
    const body = { profile: form.elements.profile.value, items: {} };
    for (const box of items) body.items[box.dataset.code] = box.value;
    const request = putDraft("/api/applications/" + form.dataset.application + "/answers",
                             body, csrf, leaving);
    if (leaving) return;  // the page is going: the browser finishes the request
    say(form.dataset.msgSaving);
    try {
      const response = await request;
      if (response.ok) {
        const at = beijingNow();
        say(form.dataset.msgSaved + " " + at);
      } else {
        dirty = true;
        let detail = String(response.status);
        try { const answer = await response.json(); detail = answer.detail || detail; } catch (e) { /* not JSON */ }
        say(form.dataset.msgFailed + " " + detail, true);
      }
    } catch (e) {
      dirty = true;
      say(form.dataset.msgOffline, true);
    }
  }

  refresh();
  form.addEventListener("input", (event) => {
    if (!event.target.matches("textarea[data-code]")) return;
    refresh();
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(() => saveDraft(false), AUTOSAVE_DELAY_MS);
  });
  form.addEventListener("submit", (event) => {
    if (event.submitter && event.submitter.value === "submit" && !window.confirm(form.dataset.msgConfirm)) {
      event.preventDefault();
      return;
    }
    clearTimeout(timer);
    dirty = false;
  });
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") saveDraft(true); });
  window.addEventListener("pagehide", () => saveDraft(true));
}

document.addEventListener("DOMContentLoaded", () => {
  // A notice after a post (?saved=…, ?notice=…) is said once: a reload must not repeat it.
  const address = new URL(location.href);
  if (document.getElementById("notice") && (address.searchParams.has("saved") || address.searchParams.has("notice"))) {
    address.searchParams.delete("saved");
    address.searchParams.delete("notice");
    history.replaceState(null, "", address.pathname + address.search + address.hash);
  }
  const application = document.getElementById("application-form");
  if (application) setupApplicationForm(application);
  // A file over the size limit is refused here, before its bytes travel.
  const file = document.getElementById("upload-file");
  if (file) {
    file.addEventListener("change", () => {
      const name = document.getElementById("file-name");
      name.textContent = file.files.length ? file.files[0].name : name.dataset.none;
      const tooLarge = Array.from(file.files).some((f) => f.size > Number(file.dataset.maxBytes));
      document.getElementById("upload-error").textContent = tooLarge ? file.dataset.msgTooLarge : "";
      document.getElementById("upload").disabled = tooLarge;
    });
  }
  const withdraw = document.getElementById("withdraw-button");
  if (withdraw) {
    withdraw.addEventListener("click", (event) => {
      if (!window.confirm(withdraw.dataset.confirmWithdraw)) event.preventDefault();
    });
  }
  const sheet = document.getElementById("sheet-form");
  if (sheet && sheet.classList.contains("sheet-form")) setupScoreSheet(sheet);
  for (const link of document.querySelectorAll("a[data-back]")) {
    link.addEventListener("click", (event) => {
      if (history.length > 1) { event.preventDefault(); history.back(); }
    });
  }
  // A committee vote asks for confirmation; the page without this script asks on its own
  // page instead (the server counts a vote only once it is confirmed).
  for (const button of document.querySelectorAll("form.vote-form button[data-confirm]")) {
    button.addEventListener("click", (event) => {
      if (window.confirm(button.dataset.confirm)) button.form.elements.confirmed.value = "yes";
      else event.preventDefault();
    });
  }
  // Submitting a score sheet locks it: ask once.
  const submit = document.getElementById("submit-sheet");
  if (submit) {
    submit.addEventListener("click", (event) => {
      const message = document.documentElement.lang === "en"
        ? "Submit and lock this score sheet?" : "提交后评分表将锁定，确定提交？";
      if (!window.confirm(message)) event.preventDefault();
    });
  }
  // The case board: one box ticks (or clears) every case on the page.
  const tickAll = document.getElementById("tick-all");
  if (tickAll) {
    tickAll.addEventListener("change", () => {
      for (const box of document.querySelectorAll("#cases input.tick")) box.checked = tickAll.checked;
    });
  }
});
