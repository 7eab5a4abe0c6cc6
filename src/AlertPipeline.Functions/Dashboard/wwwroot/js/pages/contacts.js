import { request, unionPath, ApiError } from "../api.js";
import { h, tableBox, field, input, select, showError, clearErrors, announce, maskPhone, maskEmail, formatNumber, formatDateTime } from "../ui.js";

/** The union's branches (union admin). */
export async function branchesPage(main) {
  document.title = "Contacts · AlertPipeline";
  main.append(h("h1", {}, "Contacts by branch"));
  try {
    const branches = (await request(unionPath("branches"))).items;
    main.append(branches.length
      ? h("ul", { class: "cards" }, branches.map((b) => h("li", { class: "card" }, h("h2", {}, h("a", { href: `#/contacts/${b.branchId}` }, b.name)), h("p", { class: "muted" }, b.branchId))))
      : h("p", {}, "Your union has no branches yet."));
  } catch (error) {
    showError(main, error);
  }
}

/** A branch's contacts, page by page (numbers and addresses masked), and the CSV import with its per-line report. */
export async function contactsPage(main, branchId) {
  let branch;
  try {
    branch = await request(unionPath(`branches/${branchId}`));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      main.append(h("h1", {}, "Not found"), h("p", { role: "alert" }, "No such branch in your union."));
      return;
    }
    showError(main, error);
    return;
  }
  document.title = `${branch.name} · Contacts · AlertPipeline`;
  main.append(h("p", { class: "crumbs" }, h("a", { href: "#/contacts" }, "Contacts"), " › ", branch.name), h("h1", {}, branch.name));
  // The page's life: leaving it (the router calls the returned stop) ends any polling of an import job.
  const timers = new Set();
  const life = {
    stopped: false,
    sleep: (ms) => new Promise((resolve) => { const t = setTimeout(() => { timers.delete(t); resolve(); }, ms); timers.add(t); }),
  };
  main.append(importForm(branchId, () => { list.replaceChildren(); loadPage(null); }, life));
  const list = h("tbody");
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Show more");
  main.append(h("h2", {}, "Members"), tableBox(h("table", { "aria-label": "Members" },
    h("thead", {}, h("tr", {}, ["Name", "Id", "Phone", "Email", "Language", "SMS", "Email consent", ""].map((t) => h("th", { scope: "col" }, t)))),
    list)), more);
  let token = null;
  async function loadPage(from) {
    const query = "?pageSize=50" + (from ? "&continuationToken=" + encodeURIComponent(from) : "");
    try {
      const page = await request(unionPath(`branches/${branchId}/contacts${query}`));
      for (const c of page.items) {
        list.append(h("tr", {},
          h("th", { scope: "row" }, c.name),
          h("td", {}, c.contactId),
          h("td", { class: "masked" }, c.phone ? maskPhone(c.phone) : "—", c.phoneError ? ` (${c.phoneError})` : ""),
          h("td", { class: "masked" }, c.email ? maskEmail(c.email) : "—"),
          h("td", {}, c.language ?? ""),
          h("td", {}, c.smsOptedOutAt ? "opted out" : c.smsConsent ? "yes" : "no"),
          h("td", {}, c.emailOptedOutAt ? "opted out" : c.emailConsent ? "yes" : "no"),
          h("td", {}, h("a", { href: `#/contacts/${branchId}/${c.contactId}`, "aria-label": `Edit ${c.name}` }, "Edit"))));
      }
      if (list.childElementCount === 0) list.append(h("tr", {}, h("td", { colspan: 8 }, "No members yet.")));
      token = page.continuationToken;
      more.hidden = !token;
    } catch (error) {
      showError(main, error);
    }
  }
  more.addEventListener("click", () => loadPage(token));
  await loadPage(null);
  return () => { life.stopped = true; for (const t of timers) clearTimeout(t); timers.clear(); };
}

/** How often a running import job is asked for its progress, and for how long before the page stops asking. */
const POLL_MS = 1500;
const POLL_LIMIT_MS = 30 * 60 * 1000;

const STATE_WORDS = { queued: "waiting to start", running: "importing", succeeded: "finished", failed: "failed" };

function importForm(branchId, reload, life) {
  const file = h("input", { type: "file", accept: ".csv,text/csv" });
  const button = h("button", { type: "submit" }, "Import");
  const report = h("div", { "aria-live": "polite" });
  const recent = h("div");
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "imp-h" },
    h("h2", { id: "imp-h" }, "Import a CSV file"),
    field("CSV file", file, {
      apiField: "body",
      hint: "UTF-8, at most 5 MB, with the header contactId,name,phone,email,language,timeZone,smsConsent,emailConsent. Good lines are imported; bad ones are listed below. Long files are imported in the background: this page shows their progress.",
    }),
    button, report, recent);
  // Only the newest followed job updates the page: choosing another one (or a new import) stops the previous polling.
  let following = 0;

  /** Polls a job (every POLL_MS, for at most POLL_LIMIT_MS, until it succeeds or fails or the user leaves), then shows its report. */
  async function follow(job) {
    const mine = ++following;
    const current = () => mine === following && !life.stopped;
    const bar = h("progress", { id: `imp-progress-${job.jobId}`, max: Math.max(job.linesTotal, 1), value: job.linesDone });
    const words = h("p", { "data-testid": "import-progress-text" });
    const progress = h("section", { class: "import-progress", "aria-live": "off" },
      h("label", { for: bar.id }, "Import progress"), bar, words);
    const show = (j) => {
      bar.max = Math.max(j.linesTotal, 1);
      bar.value = j.linesDone;
      words.textContent = `${formatNumber(j.linesDone)} of ${formatNumber(j.linesTotal)} lines (${STATE_WORDS[j.state] ?? j.state}): ${formatNumber(j.imported)} imported, ${formatNumber(j.rejected)} rejected${j.state === "succeeded" || j.state === "failed" ? "" : " so far"}.`;
    };
    show(job);
    report.replaceChildren(progress);
    const started = Date.now();
    let failures = 0;
    while (job.state === "queued" || job.state === "running") {
      if (Date.now() - started > POLL_LIMIT_MS) {
        report.append(h("p", { role: "alert" }, "The import is still running. It goes on without this page: see it under Recent imports later."));
        return;
      }
      await life.sleep(POLL_MS);
      if (!current()) return;
      try {
        // One small page while it runs: only the counts are needed until the end.
        job = await request(unionPath(`imports/${encodeURIComponent(job.jobId)}?pageSize=1`));
        failures = 0;
      } catch (error) {
        if (!current()) return;
        // A dropped connection or a busy server: try again a few times before giving up in words.
        if ((error.status === 0 || error.status >= 500) && ++failures < 4) continue;
        showError(form, error);
        return;
      }
      if (!current()) return;
      show(job);
    }
    if (job.state === "failed") {
      report.append(h("p", { role: "alert", class: "error-summary" }, "The import failed: " + (job.failure || "no reason was given.") +
        ` Lines 1 to ${formatNumber(job.linesDone)} were worked through; importing the same file again continues safely (members are matched by their contact id).`));
      refreshRecent();
      return;
    }
    // Succeeded: the whole per-line report, every page of it.
    const errors = [];
    const warnings = [];
    let token = null;
    try {
      do {
        const page = await request(unionPath(`imports/${encodeURIComponent(job.jobId)}?pageSize=1000` + (token ? "&continuationToken=" + encodeURIComponent(token) : "")));
        if (!current()) return;
        errors.push(...(page.errors ?? []));
        warnings.push(...(page.warnings ?? []));
        job = page;
        token = page.continuationToken;
      } while (token);
    } catch (error) {
      if (current()) showError(form, error);
      return;
    }
    show(job);
    report.replaceChildren(progress, importReport({ imported: job.imported, rejected: job.rejected, errors, warnings }));
    announce(`Import finished: imported ${job.imported}, rejected ${job.rejected}.`);
    reload();
    refreshRecent();
  }

  async function refreshRecent() {
    try {
      const jobs = (await request(unionPath("imports?limit=10"))).items ?? [];
      if (life.stopped) return;
      recent.replaceChildren(jobs.length ? recentJobs(jobs, (job) => { clearErrors(form); follow(job); }) : []);
    } catch {
      // The list is an extra: the form works without it (an error here would hide the import's own messages).
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    report.replaceChildren();
    const chosen = file.files?.[0];
    if (!chosen) { showError(form, { message: "Choose a file first.", errors: [{ field: "body", message: "no file chosen" }] }); return; }
    following++;
    button.disabled = true;
    report.append(h("p", {}, "Importing…"));
    let result;
    try {
      result = await request(unionPath(`branches/${branchId}/contacts:import`), { method: "POST", body: await chosen.arrayBuffer(), contentType: "text/csv" });
    } catch (error) {
      report.replaceChildren();
      const header = error.errors?.find((e) => e.field === "header");
      showError(form, header ? { ...error, message: "The file's first line is not the expected header." } : error);
      return;
    } finally {
      button.disabled = false;
    }
    if (result?.jobId) {
      // 202: a long file became a background job (docs/api.md "Import jobs").
      announce(`The file has ${result.linesTotal} lines: it is imported in the background.`);
      refreshRecent();
      await follow(result);
      return;
    }
    report.replaceChildren(importReport(result));
    announce(`Imported ${result.imported}, rejected ${result.rejected}.`);
    reload();
  });
  refreshRecent();
  return form;
}

/** The union's newest import jobs (all branches), each with a button that shows its progress or report here. */
function recentJobs(jobs, open) {
  return h("section", { class: "recent-imports" },
    h("h3", {}, "Recent imports"),
    tableBox(h("table", { "data-testid": "import-jobs" },
      h("caption", {}, "Recent background imports in your union"),
      h("thead", {}, h("tr", {}, ["Started", "Branch", "State", "Lines", "Imported", "Rejected", ""].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, jobs.map((j) => h("tr", {},
        h("td", {}, formatDateTime(j.createdAt)),
        h("td", {}, j.branchId),
        h("td", {}, STATE_WORDS[j.state] ?? j.state, j.failure ? `: ${j.failure}` : ""),
        h("td", {}, `${formatNumber(j.linesDone)} of ${formatNumber(j.linesTotal)}`),
        h("td", {}, formatNumber(j.imported)),
        h("td", {}, formatNumber(j.rejected)),
        h("td", {}, h("button", { type: "button", class: "link", "aria-label": `Show the import of ${formatDateTime(j.createdAt)} (${j.branchId})`, onclick: () => open(j) }, "Show"))))))));
}

function importReport(result) {
  const table = (caption, items, testid) => tableBox(h("table", { "data-testid": testid },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ["Line", "Field", "Problem"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, items.map((e) => h("tr", {}, h("td", {}, String(e.line)), h("td", {}, e.field), h("td", {}, e.message))))));
  return h("section", { class: "import-report" },
    h("p", { class: "big", "data-testid": "import-summary" }, `${formatNumber(result.imported)} imported, ${formatNumber(result.rejected)} rejected.`),
    result.errors?.length ? table("Lines not imported", result.errors, "import-errors") : null,
    result.warnings?.length ? table("Imported with a change", result.warnings, "import-warnings") : null);
}

const LANG_HINT = "A language tag: en, ru, kk…";

/** One contact's own edit form: the only place a phone number is shown in full. */
export async function contactPage(main, branchId, contactId) {
  let c;
  try {
    c = await request(unionPath(`branches/${branchId}/contacts/${contactId}`));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      main.append(h("h1", {}, "Not found"), h("p", { role: "alert" }, "No such member in this branch."));
      return;
    }
    showError(main, error);
    return;
  }
  document.title = `${c.name} · AlertPipeline`;
  const name = input({ value: c.name, autocomplete: "off" });
  const phone = input({ type: "tel", value: c.phone ?? "", autocomplete: "off" });
  const email = input({ type: "email", value: c.email ?? "", autocomplete: "off" });
  const language = input({ value: c.language ?? "", spellcheck: "false" });
  const zone = input({ value: c.timeZone ?? "", spellcheck: "false" });
  const sms = select({}, [["true", "Yes"], ["false", "No"]]);
  sms.value = String(Boolean(c.smsConsent));
  const mail = select({}, [["true", "Yes"], ["false", "No"]]);
  mail.value = String(Boolean(c.emailConsent));
  const save = h("button", { type: "submit" }, "Save");
  const form = h("form", { class: "card", novalidate: true },
    field("Name", name, { apiField: "name" }),
    field("Phone", phone, { apiField: "phone", hint: "International, e.g. +44 7700 900123." }),
    field("Email", email, { apiField: "email" }),
    field("Language", language, { apiField: "language", hint: LANG_HINT }),
    field("Time zone", zone, { apiField: "timeZone", hint: "An IANA id such as Europe/London." }),
    field("Agrees to SMS", sms, { apiField: "smsConsent" }),
    field("Agrees to email", mail, { apiField: "emailConsent" }),
    c.smsOptedOutAt || c.emailOptedOutAt ? h("p", { class: "note" }, "This member has opted out", c.smsOptedOutAt ? " of SMS" : "", c.emailOptedOutAt ? " of email" : "", "; saving keeps the opt-out.") : null,
    save);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    save.disabled = true;
    try {
      await request(unionPath(`branches/${branchId}/contacts/${contactId}`), {
        method: "PUT",
        json: {
          contactId, name: name.value.trim(), phone: phone.value.trim() || null, email: email.value.trim() || null,
          language: language.value.trim(), timeZone: zone.value.trim(), smsConsent: sms.value === "true", emailConsent: mail.value === "true",
        },
      });
      announce("Saved.");
      location.hash = `#/contacts/${branchId}`;
    } catch (error) {
      showError(form, error);
    } finally {
      save.disabled = false;
    }
  });
  main.append(h("p", { class: "crumbs" }, h("a", { href: "#/contacts" }, "Contacts"), " › ", h("a", { href: `#/contacts/${branchId}` }, branchId), " › ", c.name),
    h("h1", {}, `Edit ${c.name}`), form);
}
