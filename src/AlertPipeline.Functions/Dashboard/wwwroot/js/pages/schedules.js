import { request, unionPath, ApiError } from "../api.js";
import { h, tableBox, add, field, input, select, showError, clearErrors, announce } from "../ui.js";
import { templateEditor } from "../templates.js";
import { findCampaign } from "./campaigns.js";

const ZONES = ["Europe/London", "Europe/Berlin", "Europe/Paris", "Europe/Moscow", "Asia/Aqtau", "Asia/Almaty", "America/New_York", "America/Chicago", "America/Los_Angeles", "UTC"];

function notFound(main) {
  document.title = "Not found · AlertPipeline";
  main.append(h("h1", {}, "Not found"),
    h("p", { role: "alert" }, "No such campaign for your union: it does not exist, or your union neither runs it nor takes part in it."),
    h("p", {}, h("a", { href: "#/campaigns" }, "Back to campaigns")));
}

/** "2027-03-14T09:30+05:00" → {day: "2027-03-14", time: "09:30", offset: "+05:00"} (the schedule's own zone). */
function local(iso) {
  const m = String(iso).match(/^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(.*)$/);
  return m ? { day: m[1], time: m[2], offset: m[3] } : { day: iso, time: "", offset: "" };
}

function dayWords(day) {
  const d = new Date(day + "T12:00:00Z");
  return isNaN(d) ? day : d.toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

function monthWords(day) {
  const d = new Date(day.slice(0, 7) + "-15T12:00:00Z");
  return isNaN(d) ? day.slice(0, 7) : d.toLocaleDateString(undefined, { month: "long", year: "numeric", timeZone: "UTC" });
}

const REMINDER_WORDS = { P7D: "a week before", P1D: "the day before", P0D: "on the day" };
function reminderWords(code) {
  if (!code) return "";
  const base = code.split("@")[0];
  const at = code.includes("@") ? " at " + code.split("@")[1] : "";
  return (REMINDER_WORDS[base] ?? code) + at;
}

function occurrenceWords(o, schedule) {
  if (o.kind === "hearing-moved") return `Notice: ${schedule.scheduleId} hearing moved`;
  if (o.kind === "hearing-cancelled") return `Notice: ${schedule.scheduleId} hearing cancelled`;
  const event = local(o.eventAtLocal);
  return `Reminder (${reminderWords(o.reminder)}) of ${schedule.scheduleId} on ${event.day} ${event.time}`;
}

/** The campaign's calendar: every schedule's upcoming reminders and events by month, the schedules, and (owner) a new schedule. */
export async function calendarPage(main, campaignId) {
  let campaign;
  try {
    campaign = await findCampaign(campaignId);
  } catch (error) {
    showError(main, error);
    return;
  }
  if (!campaign) { notFound(main); return; }
  document.title = `${campaign.name} · Calendar · AlertPipeline`;
  const owner = campaign.role === "owner";
  add(main,
    h("p", { class: "crumbs" }, h("a", { href: "#/campaigns" }, "Campaigns"), " › ", campaign.name),
    h("h1", {}, campaign.name),
    h("p", { class: "actions" }, h("a", { class: "button secondary", href: `#/campaigns/${campaignId}/compose` }, "Compose and send now")),
    owner ? null : h("p", { class: "note" }, "Your union takes part in this campaign; only the union that runs it can change its schedules."));

  const calendar = h("section", { "aria-labelledby": "cal-h" }, h("h2", { id: "cal-h" }, "Calendar"));
  const table = h("section", { "aria-labelledby": "sch-h" }, h("h2", { id: "sch-h" }, "Schedules"));
  main.append(calendar, table);
  let schedules;
  try {
    const list = (await request(unionPath(`campaigns/${campaignId}/schedules`))).items;
    schedules = await Promise.all(list.map((s) => request(unionPath(`campaigns/${campaignId}/schedules/${s.scheduleId}`))));
  } catch (error) {
    showError(main, error);
    return;
  }
  renderCalendar(calendar, campaignId, schedules);
  renderSchedules(table, campaignId, schedules);
  if (owner) main.append(newScheduleForm(campaignId));
}

function renderCalendar(section, campaignId, schedules) {
  const entries = [];
  for (const s of schedules) {
    const events = new Set();
    for (const o of s.next ?? []) {
      const at = local(o.fireAtLocal);
      entries.push({ day: at.day, time: at.time, text: occurrenceWords(o, s), schedule: s, kind: o.kind === "reminder" ? "reminder" : "notice" });
      if (o.eventAtLocal) events.add(o.eventAtLocal);
    }
    for (const e of events) {
      const at = local(e);
      entries.push({ day: at.day, time: at.time, text: `${s.kind === "trial" ? "Hearing" : "Anniversary"}: ${s.scheduleId} (${s.timeZone})`, schedule: s, kind: "event" });
    }
  }
  entries.sort((a, b) => (a.day + a.time).localeCompare(b.day + b.time));
  if (entries.length === 0) {
    section.append(h("p", {}, "Nothing is planned."));
    return;
  }
  let month = null;
  let list = null;
  for (const e of entries) {
    if (e.day.slice(0, 7) !== month) {
      month = e.day.slice(0, 7);
      list = h("ol", { class: "agenda" });
      section.append(h("h3", {}, monthWords(e.day)), list);
    }
    list.append(h("li", { class: `agenda-${e.kind}` },
      h("time", { datetime: `${e.day}T${e.time}` }, `${dayWords(e.day)} ${e.time}`),
      " ",
      h("a", { href: `#/campaigns/${campaignId}/schedules/${e.schedule.scheduleId}` }, e.text)));
  }
  section.append(h("p", { class: "hint" }, "Times are in each schedule's own time zone."));
}

function renderSchedules(section, campaignId, schedules) {
  if (schedules.length === 0) { section.append(h("p", {}, "This campaign has no schedules yet.")); return; }
  const body = h("tbody");
  for (const s of schedules) {
    body.append(h("tr", {},
      h("th", { scope: "row" }, h("a", { href: `#/campaigns/${campaignId}/schedules/${s.scheduleId}` }, s.scheduleId)),
      h("td", {}, s.kind === "trial" ? "Trial" : "Anniversary"),
      h("td", {}, `${s.date} ${s.time}`),
      h("td", {}, s.timeZone),
      h("td", {}, s.reminders.map(reminderWords).join(", ")),
      h("td", {}, s.status === "cancelled" ? "Cancelled" : s.notice?.kind === "hearing-moved" ? `Moved (revision ${s.revision})` : "Scheduled")));
  }
  section.append(tableBox(h("table", { "aria-label": "Schedules" },
    h("thead", {}, h("tr", {}, ["Schedule", "Kind", "Date and time", "Time zone", "Reminders", "Status"].map((t) => h("th", { scope: "col" }, t)))),
    body)));
}

function newScheduleForm(campaignId) {
  const kind = select({ name: "kind" }, [["trial", "Trial hearing"], ["anniversary", "Yearly anniversary"]]);
  const id = input({ name: "scheduleId", spellcheck: "false", autocapitalize: "none" });
  const date = input({ name: "date", type: "date" });
  const time = input({ name: "time", type: "time", value: "10:00" });
  const zone = input({ name: "timeZone", list: "zones", value: Intl.DateTimeFormat().resolvedOptions().timeZone || "Europe/London", spellcheck: "false" });
  const zones = h("datalist", { id: "zones" }, ZONES.map((z) => h("option", { value: z })));
  const reminders = input({ name: "reminders", value: "P7D, P1D", spellcheck: "false" });
  const firstYear = input({ name: "firstYear", type: "number", min: 1, max: 9999, value: new Date().getFullYear() });
  const sms = h("input", { type: "checkbox", checked: true, value: "sms" });
  const email = h("input", { type: "checkbox", value: "email" });
  const texts = templateEditor({ title: "Reminder texts" });
  const moved = templateEditor({ prefix: "movedTemplates", title: "Text if the hearing is moved (optional)", optional: true,
    hint: "Needed to notify members of a new date. May use {{previousDate}} and {{previousTime}}." });
  const cancelled = templateEditor({ prefix: "cancelledTemplates", title: "Text if the hearing is cancelled (optional)", optional: true });
  const notices = h("details", { class: "notices" },
    h("summary", {}, "Texts for a moved or cancelled hearing (optional)"), moved.element, cancelled.element);
  const firstYearField = field("First year", firstYear, { apiField: "firstYear" });
  const channels = h("fieldset", { "data-field": "channels", id: "channels-group" }, h("legend", {}, "Channels"),
    h("label", { class: "check" }, sms, " SMS"), h("label", { class: "check" }, email, " Email"));
  const submit = h("button", { type: "submit" }, "Create schedule");
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "new-h" },
    h("h2", { id: "new-h" }, "New schedule"),
    field("Kind", kind, { apiField: "kind" }),
    field("Schedule id", id, { hint: "Lowercase letters, digits and single hyphens, e.g. appeal-hearing.", apiField: "scheduleId" }),
    field("Date", date, { hint: "The hearing's date; for an anniversary, any year's date of it.", apiField: "date" }),
    field("Time", time, { hint: "Local time in the time zone below.", apiField: "time" }),
    field("Time zone", zone, { hint: "An IANA id such as Europe/London or Asia/Aqtau.", apiField: "timeZone" }), zones,
    field("Reminders", reminders, { hint: "Comma-separated: P7D (a week before), P1D (the day before), P1D@18:00, P0D@07:00 (on the day), PT2H.", apiField: "reminders" }),
    firstYearField,
    channels,
    texts.element, notices,
    submit);
  const sync = () => {
    const trial = kind.value === "trial";
    firstYearField.hidden = trial;
    notices.hidden = !trial;
    [texts, moved, cancelled].forEach((t) => t.setEmail(email.checked));
  };
  kind.addEventListener("change", sync);
  email.addEventListener("change", sync);
  sync();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const trial = kind.value === "trial";
    const body = {
      kind: kind.value,
      scheduleId: id.value.trim(),
      timeZone: zone.value.trim(),
      date: trial ? date.value : date.value.slice(5),
      time: time.value,
      reminders: reminders.value.split(",").map((r) => r.trim()).filter(Boolean),
      channels: [sms.checked ? "sms" : null, email.checked ? "email" : null].filter(Boolean),
      templates: texts.value(),
    };
    if (!trial) body.firstYear = Number(firstYear.value);
    if (trial && moved.value()) body.movedTemplates = moved.value();
    if (trial && cancelled.value()) body.cancelledTemplates = cancelled.value();
    submit.disabled = true;
    try {
      const created = await request(unionPath(`campaigns/${campaignId}/schedules`), { method: "POST", json: body });
      announce(`Schedule ${created.scheduleId} created.`);
      location.hash = `#/campaigns/${campaignId}/schedules/${created.scheduleId}`;
    } catch (error) {
      showError(form, error);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/** One schedule: what it sends, what is still to fire, what has fired; for the owner's trials, postpone and cancel. */
export async function schedulePage(main, campaignId, scheduleId) {
  let campaign;
  let schedule;
  try {
    campaign = await findCampaign(campaignId);
    if (!campaign) { notFound(main); return; }
    schedule = await request(unionPath(`campaigns/${campaignId}/schedules/${scheduleId}`));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      main.append(h("h1", {}, "Not found"), h("p", { role: "alert" }, "No such schedule in this campaign."),
        h("p", {}, h("a", { href: `#/campaigns/${campaignId}` }, "Back to the calendar")));
      return;
    }
    showError(main, error);
    return;
  }
  document.title = `${scheduleId} · ${campaign.name} · AlertPipeline`;
  const render = (s) => {
    main.replaceChildren(); add(main,
      h("p", { class: "crumbs" }, h("a", { href: "#/campaigns" }, "Campaigns"), " › ",
        h("a", { href: `#/campaigns/${campaignId}` }, campaign.name), " › ", s.scheduleId),
      h("h1", {}, `${s.kind === "trial" ? "Trial" : "Anniversary"}: ${s.scheduleId}`),
      h("dl", { class: "facts" },
        h("dt", {}, s.kind === "trial" ? "Hearing" : "Every year on"), h("dd", { "data-testid": "hearing" }, `${s.date} ${s.time} (${s.timeZone})`),
        h("dt", {}, "Status"), h("dd", {}, s.status === "cancelled" ? "Cancelled" : "Scheduled", s.revision ? ` · revision ${s.revision}` : ""),
        s.notice ? [h("dt", {}, "Notice"), h("dd", {}, `${s.notice.kind === "hearing-moved" ? "Moved from " + s.notice.previousHearing : "Cancelled"}, due ${s.notice.dueAt}`)] : null,
        h("dt", {}, "Reminders"), h("dd", {}, s.reminders.map(reminderWords).join(", ")),
        h("dt", {}, "Channels"), h("dd", {}, s.channels.join(", "))),
      h("h2", {}, "Still to send"),
      (s.next ?? []).length
        ? h("ol", { class: "agenda" }, s.next.map((o) => h("li", {}, h("time", { datetime: o.fireAt }, local(o.fireAtLocal).day + " " + local(o.fireAtLocal).time), " ", occurrenceWords(o, s))))
        : h("p", {}, "Nothing."),
      (s.records ?? []).length
        ? [h("h2", {}, "Sent or withdrawn"), h("ul", {}, s.records.map((r) => h("li", {}, `${r.state}: ${r.key.split("|").slice(1).join(" ")}`)))]
        : null);
    if (campaign.role === "owner" && s.kind === "trial" && s.status !== "cancelled") {
      main.append(postponeForm(campaignId, s, render), cancelForm(campaignId, s, render));
    }
    main.focus();
  };
  render(schedule);
}

function postponeForm(campaignId, s, render) {
  const date = input({ type: "date", value: s.date });
  const time = input({ type: "time", value: s.time });
  const notify = h("input", { type: "checkbox", checked: true });
  const canNotify = Boolean(s.movedTemplates || s.movedTemplateRef);
  const button = h("button", { type: "submit" }, "Postpone");
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "pp-h" },
    h("h2", { id: "pp-h" }, "Postpone the hearing"),
    field("New date", date, { apiField: "hearing" }),
    field("New time", time, { hint: `Local time in ${s.timeZone}.` }),
    canNotify ? h("label", { class: "check" }, notify, " Tell members the new date now") : h("p", { class: "hint" }, "Members cannot be told of the move: this schedule has no text for it."),
    button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    if (!window.confirm(`Move the hearing ${s.scheduleId} to ${date.value} ${time.value}? Reminders of the old date not yet sent are withdrawn.`)) return;
    button.disabled = true;
    try {
      const changed = await request(unionPath(`campaigns/${campaignId}/schedules/${s.scheduleId}:postpone`), {
        method: "POST", json: { hearing: `${date.value}T${time.value}`, notify: canNotify && notify.checked },
      });
      announce(`Hearing moved to ${changed.date} ${changed.time}.`);
      render(changed);
    } catch (error) {
      showError(form, error);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function cancelForm(campaignId, s, render) {
  const notify = h("input", { type: "checkbox", checked: true });
  const canNotify = Boolean(s.cancelledTemplates || s.cancelledTemplateRef);
  const button = h("button", { type: "submit", class: "danger" }, "Cancel the hearing");
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "cc-h" },
    h("h2", { id: "cc-h" }, "Cancel the hearing"),
    canNotify ? h("label", { class: "check" }, notify, " Tell members it is cancelled") : h("p", { class: "hint" }, "Members cannot be told: this schedule has no cancellation text."),
    button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    if (!window.confirm(`Cancel the hearing ${s.scheduleId}? No further reminder is sent, and this cannot be undone.`)) return;
    button.disabled = true;
    try {
      const changed = await request(unionPath(`campaigns/${campaignId}/schedules/${s.scheduleId}:cancel`), {
        method: "POST", json: { notify: canNotify && notify.checked },
      });
      announce(`Hearing ${s.scheduleId} cancelled.`);
      render(changed);
    } catch (error) {
      showError(form, error);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
