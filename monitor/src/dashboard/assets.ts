/**
 * The dashboard's only static files, kept as strings in a module so `tsc` ships them with the code
 * (no front-end build step, nothing to copy). Served from /assets/ so the CSP can forbid inline code.
 */

export const DASHBOARD_CSS = `
:root { --red:#c62828; --amber:#e08600; --green:#2e7d32; --ink:#1d2430; --muted:#5f6b7a; --line:#dde3ea; --bg:#f5f7fa; --card:#fff; --accent:#1f5fbf; }
* { box-sizing: border-box; }
body { margin:0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color:var(--ink); background:var(--bg); }
header.top { background:#17202e; color:#fff; padding:0 24px; display:flex; align-items:center; gap:28px; height:56px; }
header.top .brand { font-weight:700; letter-spacing:.2px; }
header.top nav a { color:#c9d4e3; text-decoration:none; margin-right:18px; padding:17px 0; border-bottom:3px solid transparent; }
header.top nav a.here, header.top nav a:hover { color:#fff; border-bottom-color:#7fb0ff; }
header.top .who { margin-left:auto; font-size:13px; color:#c9d4e3; display:flex; gap:12px; align-items:center; }
header.top .who form { margin:0; }
header.top .who button { background:none; border:1px solid #5d6b80; color:#fff; border-radius:4px; padding:3px 10px; cursor:pointer; }
main { max-width:1240px; margin:0 auto; padding:24px; }
h1 { font-size:24px; margin:0 0 4px; }
h2 { font-size:18px; margin:28px 0 10px; }
p.lead { color:var(--muted); margin:0 0 20px; }
.muted { color:var(--muted); }
a { color:var(--accent); }
.cards { display:flex; gap:14px; flex-wrap:wrap; margin:0 0 22px; }
.card { flex:1 1 0; background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 16px; min-width:120px; }
.card .big { font-size:26px; font-weight:700; }
.card .label { color:var(--muted); font-size:13px; }
table { width:100%; border-collapse:collapse; background:var(--card); border:1px solid var(--line); border-radius:8px; overflow:hidden; }
th, td { text-align:left; padding:9px 12px; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#eef2f7; font-size:12px; text-transform:uppercase; letter-spacing:.4px; color:var(--muted); font-weight:600; }
tr:last-child td { border-bottom:none; }
tr:target td { background:#fff7d6; }
td.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
.pill { display:inline-block; padding:2px 10px; border-radius:999px; font-size:12px; font-weight:700; color:#fff; text-transform:uppercase; letter-spacing:.5px; }
.pill.red { background:var(--red); } .pill.amber { background:var(--amber); } .pill.green { background:var(--green); }
.state { font-size:12px; font-weight:600; padding:2px 8px; border-radius:4px; background:#e8edf3; }
.state.open { background:#fde2e1; color:#8e1c1c; } .state.acknowledged { background:#fff0cc; color:#7a4d00; } .state.resolved { background:#e0f2e3; color:#1e5a24; }
.sev { font-size:12px; color:var(--muted); }
.sev.critical, .sev.high { color:var(--red); font-weight:600; }
/* The handoff's name and its health reasons: wide enough to read as sentences, not a word per line. */
td.handoff { min-width:16rem; }
.reasons { margin:4px 0 0; padding:0; list-style:none; font-size:13px; color:var(--muted); }
.owner small { color:var(--muted); display:block; }
.sla-over { color:var(--red); font-weight:600; } .sla-soon { color:var(--amber); font-weight:600; }
form.filters { display:flex; gap:12px; align-items:end; flex-wrap:wrap; margin:0 0 16px; background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 14px; }
form.filters label { display:flex; flex-direction:column; font-size:12px; color:var(--muted); gap:4px; }
input, select { font:inherit; padding:6px 8px; border:1px solid #c4ccd6; border-radius:5px; background:#fff; }
button, .button { font:inherit; padding:6px 14px; border-radius:5px; border:1px solid var(--accent); background:var(--accent); color:#fff; cursor:pointer; text-decoration:none; display:inline-block; }
button.secondary { background:#fff; color:var(--accent); }
form.inline { display:inline; margin:0 4px 0 0; }
.actions { white-space:nowrap; }
dl.facts { display:grid; grid-template-columns:180px 1fr; gap:6px 16px; background:var(--card); border:1px solid var(--line); border-radius:8px; padding:14px 18px; margin:0; }
dl.facts dt { color:var(--muted); }
dl.facts dd { margin:0; overflow-wrap:anywhere; }
pre { background:#0f1722; color:#e3e9f2; padding:14px 16px; border-radius:8px; overflow:auto; font-size:13px; white-space:pre-wrap; overflow-wrap:anywhere; }
.checklist { list-style:none; padding:0; margin:0; counter-reset:item; }
.checklist > li { background:var(--card); border:1px solid var(--line); border-left:6px solid var(--green); border-radius:8px; padding:14px 18px; margin:0 0 12px; }
.checklist > li.look { border-left-color:var(--amber); }
.checklist h3 { margin:0 0 4px; font-size:16px; }
.checklist h3 .verdict { font-size:12px; font-weight:700; margin-left:8px; text-transform:uppercase; color:var(--green); }
.checklist li.look h3 .verdict { color:var(--amber); }
.checklist ul.details { margin:8px 0 0; padding-left:20px; color:#2f3a4a; font-size:14px; }
ol.trace { list-style:none; margin:8px 0 4px; padding:0; display:flex; flex-wrap:wrap; gap:6px; align-items:center; }
ol.trace li { background:#eef2f7; border-radius:5px; padding:3px 9px; font-size:13px; }
ol.trace li + li::before { content:"→"; margin:0 8px 0 -2px; color:var(--muted); }
ol.trace li.completed { background:#e0f2e3; } ol.trace li.bad { background:#fde2e1; }
.update { display:flex; gap:10px; align-items:center; }
.update output { flex:1; background:#f0f4fa; border:1px solid var(--line); border-radius:6px; padding:10px 12px; font-weight:600; }
.map { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:8px; }
.map svg { width:100%; height:auto; display:block; }
.legend { display:flex; gap:18px; font-size:13px; color:var(--muted); margin:10px 0 0; }
.legend span::before { content:""; display:inline-block; width:22px; height:4px; margin-right:6px; vertical-align:middle; background:currentColor; }
.legend .red { color:var(--red); } .legend .amber { color:var(--amber); } .legend .green { color:var(--green); }
.login { max-width:420px; margin:60px auto; background:var(--card); border:1px solid var(--line); border-radius:10px; padding:26px 28px; }
.login label { display:block; margin:14px 0 6px; font-weight:600; }
.login input { width:100%; }
.login .error { color:var(--red); margin:10px 0 0; }
.flash { background:#e0f2e3; border:1px solid #b8dcbf; border-radius:6px; padding:8px 12px; margin:0 0 16px; }
.flash.bad { background:#fde2e1; border-color:#f1b9b6; }
svg.spark { vertical-align:middle; }
.empty { background:var(--card); border:1px dashed var(--line); border-radius:8px; padding:18px; color:var(--muted); }
`;

/** Copy button for the leadership line and a live SLA countdown; the pages work without it. */
export const DASHBOARD_JS = `
(function () {
  document.querySelectorAll('[data-copy]').forEach(function (button) {
    button.addEventListener('click', function () {
      var target = document.getElementById(button.getAttribute('data-copy'));
      if (!target || !navigator.clipboard) return;
      navigator.clipboard.writeText(target.textContent).then(function () { button.textContent = 'Copied'; });
    });
  });
  document.querySelectorAll('form[data-autosubmit] select').forEach(function (select) {
    select.addEventListener('change', function () { select.form.submit(); });
  });
  function fmt(ms) {
    var s = Math.round(Math.abs(ms) / 1000), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    var parts = [d && d + 'd', h && h + 'h', m && m + 'm', (!d && !h && !m) && (s % 60) + 's'].filter(Boolean);
    return parts.slice(0, 2).join(' ');
  }
  function tick() {
    document.querySelectorAll('[data-due]').forEach(function (el) {
      var left = Number(el.getAttribute('data-due')) - Date.now();
      el.textContent = left > 0 ? 'due in ' + fmt(left) : 'overdue by ' + fmt(left);
      el.classList.toggle('sla-over', left <= 0);
    });
  }
  setInterval(tick, 30000);
})();
`;
