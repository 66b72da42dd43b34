// The one script of the review site: the index table (sort, filter, pages), the report page's
// source panel, the comparison's "changed only" switch. Data comes from JSON in the page itself,
// so the pages work from the file system with no server.
"use strict";

function readData(id) {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent) : null;
}

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

// ---- index ----------------------------------------------------------------------------------
function setupIndex(data) {
  const state = {key: "name", dir: 1, page: 0, rows: data.rows};
  const body = document.querySelector("#reports tbody");
  const filter = document.getElementById("filter");
  const template = document.getElementById("template-filter");
  const errorsOnly = document.getElementById("errors-only");

  function visible() {
    const q = filter.value.trim().toLowerCase();
    return data.rows.filter(r => (!q || `${r.name} ${r.agency} ${r.year}`.toLowerCase().includes(q)) &&
      (!template.value || r.template === template.value) && (!errorsOnly.checked || r.errors > 0));
  }

  function compare(a, b) {
    const x = a[state.key], y = b[state.key];
    if (x === y) return a.name < b.name ? -1 : 1;
    if (x === null || x === "") return 1;
    if (y === null || y === "") return -1;
    return (x < y ? -1 : 1) * state.dir;
  }

  function row(r) {
    const tr = el("tr", r.errors ? {class: "has-errors"} : {});
    const link = el("td");
    link.appendChild(el("a", {href: "reports/" + encodeURIComponent(r.page)}, r.name));
    tr.appendChild(link);
    tr.appendChild(el("td", {}, r.agency));
    tr.appendChild(el("td", {class: "num"}, r.year));
    tr.appendChild(el("td", {}, r.template));
    tr.appendChild(el("td", {class: "num"}, `${r.read}/${r.cells}`));
    tr.appendChild(el("td", {class: "num err"}, r.errors));
    tr.appendChild(el("td", {class: "num"}, r.warnings));
    const cmp = el("td");
    for (const [label, page, breaks] of r.compare) {
      const a = el("a", {href: "compare/" + encodeURIComponent(page), class: breaks !== "0" ? "error" : ""}, label);
      cmp.appendChild(a);
      cmp.appendChild(document.createTextNode(" "));
    }
    tr.appendChild(cmp);
    return tr;
  }

  function draw() {
    const rows = visible().sort(compare);
    const pages = Math.max(1, Math.ceil(rows.length / data.page_size));
    state.page = Math.min(state.page, pages - 1);
    const shown = rows.slice(state.page * data.page_size, (state.page + 1) * data.page_size);
    body.replaceChildren(...shown.map(row));
    document.getElementById("page").textContent = `page ${state.page + 1} of ${pages}`;
    document.getElementById("count").textContent = `${rows.length} of ${data.rows.length} reports`;
    document.getElementById("prev").disabled = state.page === 0;
    document.getElementById("next").disabled = state.page >= pages - 1;
    for (const th of document.querySelectorAll("#reports th[data-key]")) {
      th.classList.toggle("asc", th.dataset.key === state.key && state.dir === 1);
      th.classList.toggle("desc", th.dataset.key === state.key && state.dir === -1);
    }
  }

  for (const th of document.querySelectorAll("#reports th[data-key]")) {
    th.addEventListener("click", () => {
      const numeric = ["year", "read", "errors", "warnings"].includes(th.dataset.key);
      // numbers sort largest first on the first click: the worst report on top
      state.dir = state.key === th.dataset.key ? -state.dir : (numeric ? -1 : 1);
      state.key = th.dataset.key;
      state.page = 0;
      draw();
    });
  }
  for (const input of [filter, template, errorsOnly]) {
    input.addEventListener("input", () => { state.page = 0; draw(); });
  }
  document.getElementById("prev").addEventListener("click", () => { state.page -= 1; draw(); });
  document.getElementById("next").addEventListener("click", () => { state.page += 1; draw(); });
  draw();
}

// ---- one report -----------------------------------------------------------------------------
function setupReport(data) {
  const source = document.getElementById("source");
  const title = document.getElementById("panel-title");
  const list = document.getElementById("panel-findings");
  const naming = {};  // cell path -> indices of the findings that name it
  data.findings.forEach((f, i) => f.cells.forEach(p => (naming[p] = naming[p] || []).push(i)));

  function showSpans(spans) {
    source.replaceChildren();
    if (!spans.length) {
      source.appendChild(el("span", {class: "gap"}, "No source span: this was not read from the text."));
      return;
    }
    if (!data.excerpts.length) {
      source.appendChild(el("span", {class: "gap"}, `No source text (${data.source_note}).`));
      return;
    }
    const [start] = spans[0];
    const excerpt = data.excerpts.find(([s, text]) => s <= start && start < s + text.length);
    if (!excerpt) return;
    const [base, text] = excerpt;
    const marks = spans.filter(([s, e]) => s >= base && e <= base + text.length).sort((a, b) => a[0] - b[0]);
    let at = 0;
    for (const [s, e] of marks) {
      if (s - base < at) continue;
      addText(text.slice(at, s - base));
      source.appendChild(el("mark", {}, text.slice(s - base, e - base)));
      at = e - base;
    }
    addText(text.slice(at));
    const first = source.querySelector("mark");
    if (first) source.scrollTop = Math.max(0, first.offsetTop - source.offsetTop - source.clientHeight / 3);
  }

  // An HTML source is shown as its text: tags become line breaks (rows, paragraphs) or gaps (cells).
  const BREAK = /^<\/?(tr|p|br|div|h\d|li|table|thead|tbody)\b/i;
  function addText(chunk) {
    if (!data.html) {
      source.appendChild(document.createTextNode(chunk));
      return;
    }
    const plain = chunk.replace(/<[^>]*>/g, tag => (BREAK.test(tag) ? "\n" : (/^<\/?t[dh]\b/i.test(tag) ? "  " : "")));
    source.appendChild(document.createTextNode(plain.replace(/\n\s*\n+/g, "\n")));
  }

  function select(nodes) {
    for (const n of document.querySelectorAll(".selected")) n.classList.remove("selected");
    for (const n of nodes) n.classList.add("selected");
  }

  function listFindings(indices) {
    list.replaceChildren(...indices.map(i => {
      const f = data.findings[i];
      return el("li", {class: "sev-" + f.severity}, `${f.rule}: ${f.message}`);
    }));
  }

  // A cell read from a PDF: its page, with the cell's box marked (boxes in PDF points, top left origin).
  const pageBox = document.getElementById("page-image");
  function showPage(path) {
    const box = data.boxes[path];
    pageBox.hidden = !box;
    pageBox.replaceChildren();
    if (!box) return;
    const [page, x0, y0, x1, y1] = box;
    const [file, width, height] = data.pages[page];
    const img = el("img", {src: "../pages/" + encodeURIComponent(file), alt: `page ${page}`});
    pageBox.appendChild(img);
    const pct = (v, of) => `${(100 * v / of).toFixed(3)}%`;
    const mark = el("div", {class: "box", style: `left:${pct(x0, width)};top:${pct(y0, height)};` +
      `width:${pct(x1 - x0, width)};height:${pct(y1 - y0, height)}`});
    pageBox.appendChild(mark);
    const panel = document.getElementById("panel");
    img.addEventListener("load", () => { panel.scrollTop = pageBox.offsetTop + mark.offsetTop - panel.clientHeight / 2; });
  }

  function showCell(td) {
    const path = td.dataset.path;
    const indices = naming[path] || [];
    select([td]);
    title.textContent = `${path} = ${td.textContent.trim() || "(blank)"}`;
    listFindings(indices);
    showSpans(data.spans[path] ? [data.spans[path]] : []);
    showPage(path);
  }

  function showFinding(li) {
    const f = data.findings[Number(li.dataset.i)];
    const cells = f.cells.map(p => document.querySelector(`td[data-path="${p}"]`)).filter(Boolean);
    select([li, ...cells]);
    title.textContent = `${f.rule} (${f.severity})`;
    listFindings([Number(li.dataset.i)]);
    showSpans(f.spans);
    showPage(f.cells.find(p => data.boxes[p]));
  }

  for (const td of document.querySelectorAll("td.cell")) td.addEventListener("click", () => showCell(td));
  for (const li of document.querySelectorAll("li.finding")) li.addEventListener("click", () => showFinding(li));
  for (const li of document.querySelectorAll("li.fact")) {
    li.addEventListener("click", () => {
      select([li]);
      title.textContent = li.textContent;
      list.replaceChildren();
      showSpans([data.facts[Number(li.dataset.i)]]);
      showPage(null);
    });
  }
}

// ---- comparison -----------------------------------------------------------------------------
function setupCompare(data) {
  const body = document.querySelector("#cells tbody");
  const show = v => (v === null || v === undefined ? "" : String(v));
  body.replaceChildren(...data.cells.map(([path, label, prev, cur]) => {
    const tr = el("tr", {class: prev === cur ? "same" : "changed", "data-path": path});
    tr.appendChild(el("td", {}, path.split(".")[0]));
    tr.appendChild(el("td", {}, label));
    tr.appendChild(el("td", {class: "num"}, show(prev)));
    tr.appendChild(el("td", {class: "num"}, show(cur)));
    const change = typeof prev === "number" && typeof cur === "number" ? Math.round((cur - prev) * 1e4) / 1e4 : null;
    const cls = change > 0 ? "up" : (change < 0 ? "down" : "");
    tr.appendChild(el("td", {class: "num " + cls}, change ? (change > 0 ? "+" : "") + change : ""));
    return tr;
  }));
  const box = document.getElementById("changed-only");
  box.addEventListener("change", () => document.body.classList.toggle("changed-only", box.checked));
}

document.addEventListener("DOMContentLoaded", () => {
  const index = readData("index-data");
  if (index) setupIndex(index);
  const report = readData("report-data");
  if (report) setupReport(report);
  const pair = readData("compare-data");
  if (pair) setupCompare(pair);
});
