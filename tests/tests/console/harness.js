// Runs the console page's script under Node with a minimal DOM and a fetch that answers
// with the gateway's real answers (captured by the Rust test), then prints what the page
// shows: every table's rows as cell texts, and the status line. Usage:
//   node harness.js SCRIPT.js ANSWERS.json
"use strict";
const fs = require("fs");
const vm = require("vm");

const [, , scriptPath, answersPath] = process.argv;
const answers = JSON.parse(fs.readFileSync(answersPath, "utf8"));

class El {
  constructor(tag) { this.tag = tag; this.children = []; this.text = ""; this.className = ""; this.colSpan = 1; }
  set textContent(t) { this.text = String(t); this.children = []; }
  get textContent() { return this.text + this.children.map(c => c.textContent).join(""); }
  append(...c) { this.children.push(...c); }
  replaceChildren(...c) { this.children = c; this.text = ""; }
}
const byId = new Map();
const fetched = [];
const context = {
  document: {
    title: "",
    createElement: tag => new El(tag),
    getElementById: id => { if (!byId.has(id)) byId.set(id, new El("#" + id)); return byId.get(id); },
  },
  fetch: async path => {
    fetched.push(path);
    const a = answers[path];
    if (!a) throw new Error("the page fetched " + path + ", which the test did not capture");
    return { ok: a.status < 300, status: a.status, statusText: "", json: async () => a.body };
  },
  setInterval: () => 0,
  Date, Math, Object, String, Map, Set, Error, JSON, Promise, Number,
  console,
};
vm.createContext(context);
vm.runInContext(fs.readFileSync(scriptPath, "utf8"), context);

(async () => {
  await context.refresh();
  const tables = {};
  for (const [id, el] of byId) {
    if (el.children.length && el.children[0].tag === "tr") {
      tables[id] = el.children.map(tr => tr.children.map(td => ({ text: td.textContent, cls: td.className })));
    }
  }
  const status = byId.get("status");
  const backups = byId.get("backups");
  process.stdout.write(JSON.stringify({
    title: context.document.title,
    status: { text: status.textContent, cls: status.className },
    states: byId.get("states").textContent,
    backups: backups.children.map(c => ({ text: c.textContent, cls: c.className })),
    tables,
    fetched,
  }));
})().catch(e => { console.error(e); process.exit(1); });
