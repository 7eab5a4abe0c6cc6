// Small DOM helpers: elements are built with textContent and attributes only (never innerHTML with data).

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Appends children to parent, skipping null/false and flattening arrays (native append would print "null"). */
export function add(parent, ...children) {
  append(parent, children);
  return parent;
}

const SVG = "http://www.w3.org/2000/svg";
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  append(el, children);
  return el;
}

let fieldCounter = 0;

/** A labelled control: the label names it, hint and error are tied to it with aria-describedby. data-field names the API field. */
export function field(label, control, { hint, apiField } = {}) {
  const id = control.id || `f${++fieldCounter}`;
  control.id = id;
  if (apiField) control.dataset.field = apiField;
  const hintEl = hint ? h("p", { class: "hint", id: id + "-hint" }, hint) : null;
  const errorEl = h("p", { class: "field-error", id: id + "-error", hidden: true });
  control.setAttribute("aria-describedby", [hintEl ? id + "-hint" : null, id + "-error"].filter(Boolean).join(" "));
  return h("div", { class: "field" }, h("label", { for: id }, label), hintEl, control, errorEl);
}

export function input(attrs) { return h("input", { type: "text", ...attrs }); }

export function select(attrs, options) {
  return h("select", attrs, options.map(([value, text]) => h("option", { value }, text)));
}

/**
 * A table in a box that scrolls sideways on a narrow screen: focusable (keyboard users can scroll it) and named after
 * the table's caption or the given name.
 */
export function tableBox(table, name) {
  const label = name ?? table.querySelector("caption")?.textContent ?? table.getAttribute("aria-label") ?? "Table";
  return h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": label }, table);
}

/** Announces a short message in the live region. */
export function announce(text) {
  const status = document.getElementById("status");
  status.textContent = "";
  status.textContent = text;
}

/** Clears a form's error marks. */
export function clearErrors(scope) {
  scope.querySelectorAll(".field-error").forEach((e) => { e.hidden = true; e.textContent = ""; });
  scope.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
  scope.querySelectorAll(".error-summary").forEach((e) => e.remove());
}

/** Readable names for the API's field paths. */
const FIELD_NAMES = {
  scheduleId: "Schedule id", eventId: "Event id", timeZone: "Time zone", date: "Date", time: "Time",
  reminders: "Reminders", firstYear: "First year", channels: "Channels", hearing: "New date and time", notify: "Notify members",
  contactId: "Contact id", name: "Name", phone: "Phone", email: "Email", language: "Language",
  smsConsent: "SMS consent", emailConsent: "Email consent", line: "Line", header: "Header", body: "Request",
  "occurrence.timeZone": "Time zone", "occurrence.localDateTime": "Date and time", reminder: "Reminder", role: "Role",
  branchId: "Branch id",
};

export function fieldName(path) {
  const clean = String(path ?? "").replace(/^\$\./, "");
  if (FIELD_NAMES[clean]) return FIELD_NAMES[clean];
  let m = clean.match(/^(moved|cancelled)?[Tt]emplates\.([^.]+)\.sms$/);
  if (m) return `${m[1] ? (m[1] === "moved" ? "Moved notice" : "Cancelled notice") + " " : ""}SMS text (${m[2]})`;
  m = clean.match(/^templates\.([^.]+)\.email\.(subject|text)$/);
  if (m) return `Email ${m[2]} (${m[1]})`;
  m = clean.match(/^reminders\[(\d+)\]$/);
  if (m) return `Reminder ${Number(m[1]) + 1}`;
  return clean || "Request";
}

/**
 * Shows an error: its words at the top of `scope`, each field error next to the control whose data-field matches (or
 * whose data-field is a prefix of it), and in the summary with the field's name. Unknown errors are shown as text.
 */
export function showError(scope, error) {
  clearErrors(scope);
  const summary = h("div", { class: "error-summary", role: "alert", tabindex: "-1" },
    h("p", {}, error?.message ?? String(error)));
  const list = h("ul");
  const errors = error?.errors ?? [];
  for (const e of errors) {
    const path = String(e.field ?? "").replace(/^\$\./, "");
    const control = [...scope.querySelectorAll("[data-field]")]
      .filter((c) => path === c.dataset.field || path.startsWith(c.dataset.field + ".") || path.startsWith(c.dataset.field + "["))
      .sort((a, b) => b.dataset.field.length - a.dataset.field.length)[0];
    const text = `${fieldName(path)}: ${e.message}`;
    if (control) {
      control.closest("details")?.setAttribute("open", "");
      control.setAttribute("aria-invalid", "true");
      const message = document.getElementById(control.id + "-error");
      if (message) {
        message.hidden = false;
        message.textContent = message.textContent ? message.textContent + " " + e.message : e.message;
      }
      list.append(h("li", {}, h("a", { href: "#" + control.id, onclick: (ev) => { ev.preventDefault(); control.focus(); } }, text)));
    } else {
      list.append(h("li", {}, text));
    }
  }
  if (errors.length === 0 && error?.detail && error.status !== 404) list.append(h("li", {}, error.detail));
  if (list.childElementCount) summary.append(list);
  scope.prepend(summary);
  summary.focus();
  return summary;
}

/** A phone number with all but its country code's first digits and the last two hidden: +44 •••• ••••23. */
export function maskPhone(e164) {
  if (!e164) return "";
  const digits = String(e164).replace(/[^\d]/g, "");
  if (digits.length < 5) return "•••";
  return "+" + digits.slice(0, 2) + " " + "•".repeat(digits.length - 4) + digits.slice(-2);
}

/** An email with the local part hidden but its first letter: a•••@example.org. */
export function maskEmail(email) {
  if (!email) return "";
  const at = email.indexOf("@");
  return at <= 0 ? "•••" : email[0] + "•••" + email.slice(at);
}

export function formatNumber(n) { return new Intl.NumberFormat().format(n ?? 0); }

export function formatDateTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h("a", { href: url, download: filename, class: "visually-hidden" }, "download");
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
