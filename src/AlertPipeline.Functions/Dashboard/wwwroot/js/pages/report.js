import { request, unionPath, sentAlerts, ApiError } from "../api.js";
import { h, tableBox, s, field, input, showError, clearErrors, formatNumber, formatDateTime, download } from "../ui.js";
import { parseCsv } from "../csv.js";
import { skipWords } from "./compose.js";

const STATUS_ORDER = ["pending", "sending", "sent", "delivered", "undelivered", "failed", "skipped"];
const STATUS_WORDS = {
  pending: "Waiting", sending: "Sending", sent: "Sent (awaiting delivery report)", delivered: "Delivered",
  undelivered: "Undelivered", failed: "Failed", skipped: "Skipped",
};
/** The sent-over-time chart reads every row (the CSV): only for alerts up to this many of the union's messages. */
const CHART_MAX_ROWS = 5000;
/** invalidNumber → "invalid number" (the API's reasons are camelCase names). */
const reasonWords = (r) => (r ? r.replace(/([A-Z])/g, " $1").toLowerCase() : "no reason given");

/** Alerts sent from this tab, and a box to open any alert's report by id (the API has no list of alerts). */
export function reportsPage(main) {
  document.title = "Reports · AlertPipeline";
  main.append(h("h1", {}, "Delivery reports"));
  const sent = sentAlerts();
  main.append(h("h2", {}, "Sent from this tab"), sent.length
    ? h("ul", {}, sent.map((a) => h("li", {}, h("a", { href: `#/reports/${a.alertId}` }, `${a.eventId}`), ` · ${formatDateTime(a.at)}`)))
    : h("p", {}, "Nothing yet."));
  const id = input({ spellcheck: "false", autocapitalize: "none", pattern: "[a-f0-9]+" });
  const form = h("form", { class: "card narrow", novalidate: true },
    h("h2", {}, "Open a report"), field("Alert id", id, { hint: "32 hexadecimal digits, as the send answered.", apiField: "alertId" }),
    h("button", { type: "submit" }, "Open"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearErrors(form);
    const value = id.value.trim().toLowerCase();
    if (!/^[a-f0-9]{32}$/.test(value)) { showError(form, { message: "That is not an alert id.", errors: [{ field: "alertId", message: "must be 32 hexadecimal digits" }] }); return; }
    location.hash = `#/reports/${value}`;
  });
  main.append(form);
}

/** One alert's report for the caller's union, refreshed every few seconds until no row is still on its way. */
export function reportPage(main, alertId) {
  document.title = "Report · AlertPipeline";
  let timer = null;
  let stopped = false;
  let waited = 0;
  const heading = h("h1", {}, "Delivery report");
  const state = h("p", { class: "big", "data-testid": "report-state", "aria-live": "polite" }, "Loading…");
  const body = h("div");
  const exportButton = h("button", { type: "button", class: "secondary" }, "Export CSV");
  const refresh = h("button", { type: "button", class: "secondary" }, "Refresh now");
  main.append(h("p", { class: "crumbs" }, h("a", { href: "#/reports" }, "Reports"), " › ", alertId), heading, state,
    h("p", { class: "actions" }, refresh, " ", exportButton), body);

  exportButton.addEventListener("click", async () => {
    try {
      const csv = await request(unionPath(`alerts/${alertId}/report`), { accept: "text/csv" });
      download(`alert-${alertId}.csv`, csv, "text/csv;charset=utf-8");
    } catch (error) {
      showError(body, error);
    }
  });

  async function load() {
    timer = null;
    let report;
    try {
      report = await request(unionPath(`alerts/${alertId}/report`));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404 && waited < 30) {
        // Just sent: the alert is stored when fan-out takes it off the queue.
        waited++;
        state.textContent = "Waiting for the alert to start…";
        schedule(2000);
        return;
      }
      if (error instanceof ApiError && error.status === 503 && error.retryAfterSeconds !== null) {
        // The storage did not answer in time: keep the counts shown and ask again when the API says.
        state.textContent = `The storage is busy; asking again in ${error.retryAfterSeconds} s.`;
        schedule(error.retryAfterSeconds * 1000);
        return;
      }
      state.textContent = "";
      showError(body, error);
      return;
    }
    let rows = null;
    if (!report.partial && report.rows <= CHART_MAX_ROWS) {
      try {
        rows = parseCsv(await request(unionPath(`alerts/${alertId}/report`), { accept: "text/csv" }));
      } catch {
        rows = [];
      }
    }
    render(report, rows);
    const open = report.channels.reduce((n, c) => n + (c.byStatus.pending ?? 0) + (c.byStatus.sending ?? 0) + (c.byStatus.sent ?? 0), 0);
    const moving = report.channels.reduce((n, c) => n + (c.byStatus.pending ?? 0) + (c.byStatus.sending ?? 0), 0);
    if (report.partial) {
      state.textContent = `Counting: ${formatNumber(report.rows)} messages so far.`;
      schedule(3000);
    } else if (report.rows === 0 && !report.expiredOnArrival) {
      state.textContent = "Preparing the list of recipients…";
      schedule(2000);
    } else if (moving > 0) {
      state.textContent = `Sending: ${formatNumber(moving)} still to go.`;
      schedule(2000);
    } else if (open > 0) {
      state.textContent = `All handed over; waiting for ${formatNumber(open)} delivery ${open === 1 ? "report" : "reports"}.`;
      schedule(3000);
    } else {
      state.textContent = "Final: every message has its outcome.";
    }
  }

  function schedule(ms) { if (!stopped) timer = setTimeout(load, ms); }

  function render(report, rows) {
    heading.textContent = `Delivery report: ${report.eventId}`;
    document.title = `${report.eventId} · Report · AlertPipeline`;
    body.replaceChildren();
    body.append(h("p", { class: "muted" }, `Campaign ${report.campaignId} · your union's ${formatNumber(report.rows)} messages · received ${formatDateTime(report.receivedAt)}`));
    body.append(h("p", { class: "muted", "data-testid": "report-as-of" },
      report.partial ? `Still counting (started ${formatTime(report.asOf)}): the figures below cover only the messages counted so far.` : `Counts as of ${formatTime(report.asOf)}.`));
    if (report.expiredOnArrival) body.append(h("p", { role: "alert", class: "error-summary" }, "The alert arrived after its event was over: nothing was sent."));
    const head = h("tr", {}, h("th", { scope: "col" }, "Status"), report.channels.map((c) => h("th", { scope: "col" }, c.channel === "sms" ? "SMS" : "Email")));
    const lines = STATUS_ORDER.filter((st) => report.channels.some((c) => (c.byStatus[st] ?? 0) > 0)).map((st) =>
      h("tr", { "data-status": st }, h("th", { scope: "row" }, STATUS_WORDS[st]), report.channels.map((c) => h("td", {}, formatNumber(c.byStatus[st] ?? 0)))));
    lines.push(h("tr", { class: "total" }, h("th", { scope: "row" }, "Total"), report.channels.map((c) => h("td", {}, formatNumber(c.total)))));
    body.append(tableBox(h("table", { "data-testid": "status-table" }, h("caption", {}, "Messages by status and channel"), h("thead", {}, head), h("tbody", {}, lines))));
    body.append(rows ? chart(rows) : h("section", {}, h("h2", {}, "Sent over time"),
      h("p", {}, report.partial ? "Shown once the count is complete." : `Shown for alerts of up to ${formatNumber(CHART_MAX_ROWS)} messages; Export CSV has every message's times.`)));
    const reasons = h("section", { "aria-labelledby": "why-h" }, h("h2", { id: "why-h" }, "Why some were not delivered"));
    let any = false;
    for (const c of report.channels) {
      const skipped = Object.values(c.skipped ?? {}).some((n) => n > 0);
      if (skipped) { any = true; reasons.append(h("p", {}, `${c.channel === "sms" ? "SMS" : "Email"} skipped: ${skipWords(c.skipped)}.`)); }
      if (c.failures.length) {
        any = true;
        reasons.append(h("ul", { "data-testid": `failures-${c.channel}` }, c.failures.map((f) => h("li", {},
          `${c.channel === "sms" ? "SMS" : "Email"} ${STATUS_WORDS[f.status]?.toLowerCase() ?? f.status}: ${formatNumber(f.count)} × ${reasonWords(f.reason)}${f.errorCode ? ` (error ${f.errorCode})` : ""}`))));
      }
    }
    if (!any) reasons.append(h("p", {}, "None so far."));
    body.append(reasons);
  }

  refresh.addEventListener("click", () => { if (timer) clearTimeout(timer); load(); });
  load();
  return () => { stopped = true; if (timer) clearTimeout(timer); };
}

/** A time of day with seconds (counts move by the second). */
function formatTime(iso) {
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** Messages handed to the carrier over time (cumulative, by channel), as an inline SVG; its numbers in words for screen readers. */
function chart(rows) {
  const section = h("section", { "aria-labelledby": "chart-h" }, h("h2", { id: "chart-h" }, "Sent over time"));
  const points = rows.filter((r) => r.sentAt).map((r) => ({ channel: r.channel, t: Date.parse(r.sentAt) })).filter((p) => !isNaN(p.t)).sort((a, b) => a.t - b.t);
  if (points.length === 0) { section.append(h("p", {}, "Nothing sent yet.")); return section; }
  const start = points[0].t;
  const end = Math.max(points[points.length - 1].t, start + 1000);
  const W = 600, H = 200, L = 44, B = 28, T = 10, R = 10;
  const max = Math.max(...["sms", "email"].map((ch) => points.filter((p) => p.channel === ch).length), 1);
  const x = (t) => L + ((t - start) / (end - start)) * (W - L - R);
  const y = (n) => H - B - (n / max) * (H - B - T);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-labelledby": "chart-h chart-d" });
  svg.append(s("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, class: "axis" }), s("line", { x1: L, y1: T, x2: L, y2: H - B, class: "axis" }));
  svg.append(s("text", { x: L - 6, y: T + 10, class: "tick", "text-anchor": "end" }, String(max)), s("text", { x: L - 6, y: H - B, class: "tick", "text-anchor": "end" }, "0"));
  const seconds = Math.round((end - start) / 1000);
  svg.append(s("text", { x: L, y: H - 8, class: "tick" }, new Date(start).toLocaleTimeString()), s("text", { x: W - R, y: H - 8, class: "tick", "text-anchor": "end" }, `+${seconds} s`));
  const words = [];
  for (const ch of ["sms", "email"]) {
    const mine = points.filter((p) => p.channel === ch);
    if (!mine.length) continue;
    let d = `M ${x(start)} ${y(0)}`;
    mine.forEach((p, i) => { d += ` L ${x(p.t)} ${y(i)} L ${x(p.t)} ${y(i + 1)}`; });
    d += ` L ${x(end)} ${y(mine.length)}`;
    svg.append(s("path", { d, class: `line line-${ch}` }));
    words.push(`${mine.length} ${ch === "sms" ? "SMS" : "emails"} in ${Math.round((mine[mine.length - 1].t - start) / 1000)} s`);
  }
  section.append(svg, h("p", { id: "chart-d", class: "legend" },
    h("span", { class: "key key-sms" }, "SMS"), " ", h("span", { class: "key key-email" }, "Email"), " · ", words.join(", ")));
  return section;
}
