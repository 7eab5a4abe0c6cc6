import { request, unionPath, rememberSent } from "../api.js";
import { h, tableBox, add, field, input, select, showError, clearErrors, announce, formatNumber } from "../ui.js";
import { templateEditor, counterText } from "../templates.js";
import { findCampaign } from "./campaigns.js";

const SKIP_WORDS = {
  optedOut: "opted out", noConsent: "no consent", noAddress: "no number or address", invalidNumber: "invalid number",
  expired: "too late (expired)", templateError: "text could not be filled in",
};

export function skipWords(reasons) {
  const parts = Object.entries(reasons ?? {}).filter(([, n]) => n > 0).map(([r, n]) => `${formatNumber(n)} ${SKIP_WORDS[r] ?? r}`);
  return parts.length ? parts.join(", ") : "none";
}

function tomorrow() {
  const d = new Date(Date.now() + 86400000);
  return d.toISOString().slice(0, 10);
}

/** Compose an alert, preview it (texts as sent, audience after de-duplication and opt-outs, cost), then send it now. */
export async function composePage(main, campaignId) {
  let campaign;
  try {
    campaign = await findCampaign(campaignId);
  } catch (error) {
    showError(main, error);
    return;
  }
  if (!campaign) {
    main.append(h("h1", {}, "Not found"), h("p", { role: "alert" }, "No such campaign for your union: it does not exist, or your union neither runs it nor takes part in it."));
    return;
  }
  document.title = `Compose · ${campaign.name} · AlertPipeline`;
  const eventId = input({ spellcheck: "false", autocapitalize: "none" });
  const kind = select({}, [["anniversary", "Anniversary"], ["trial-date", "Trial date"], ["trial-postponed", "Trial postponed"], ["trial-cancelled", "Trial cancelled"]]);
  const date = input({ type: "date", value: tomorrow() });
  const time = input({ type: "time", value: "10:00" });
  const zone = input({ value: Intl.DateTimeFormat().resolvedOptions().timeZone || "Europe/London", spellcheck: "false" });
  const reminder = select({}, [["immediate", "Now (immediate)"], ["on-the-day", "On the day"], ["day-before", "The day before"], ["week-before", "A week before"]]);
  const sms = h("input", { type: "checkbox", checked: true });
  const email = h("input", { type: "checkbox" });
  const texts = templateEditor({ title: "Texts by language" });
  const previewButton = h("button", { type: "submit" }, "Preview");
  const sendButton = h("button", { type: "button", class: "danger", disabled: true }, "Send now…");
  const result = h("section", { "aria-labelledby": "pv-h", class: "preview", hidden: true }, h("h2", { id: "pv-h" }, "Preview"));
  const form = h("form", { class: "card", novalidate: true },
    field("Event id", eventId, { hint: "A short name for this alert, e.g. appeal-vigil (lowercase, digits, hyphens).", apiField: "eventId" }),
    field("Kind", kind, { apiField: "kind" }),
    field("Date of the event", date, { apiField: "occurrence.localDateTime" }),
    field("Time of the event", time, {}),
    field("Time zone", zone, { hint: "An IANA id such as Europe/London or Asia/Aqtau. Nothing is sent after the event.", apiField: "occurrence.timeZone" }),
    field("Reminder", reminder, { apiField: "reminder" }),
    h("fieldset", { "data-field": "channels", id: "channels-group" }, h("legend", {}, "Channels"),
      h("label", { class: "check" }, sms, " SMS"), h("label", { class: "check" }, email, " Email")),
    texts.element,
    h("p", { class: "actions" }, previewButton, " ", sendButton));
  email.addEventListener("change", () => texts.setEmail(email.checked));

  let previewed = null; // {body, json, preview}
  const body = () => ({
    schemaVersion: 1,
    eventId: eventId.value.trim(),
    kind: kind.value,
    occurrence: { localDateTime: `${date.value}T${time.value}`, timeZone: zone.value.trim() },
    reminder: reminder.value,
    channels: [sms.checked ? "sms" : null, email.checked ? "email" : null].filter(Boolean),
    templates: texts.value(),
  });
  form.addEventListener("input", () => {
    if (previewed && JSON.stringify(body()) !== previewed.json) {
      sendButton.disabled = true;
      result.classList.add("stale");
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const b = body();
    previewButton.disabled = true;
    try {
      const preview = await request(unionPath(`campaigns/${campaignId}/preview`), { method: "POST", json: b });
      previewed = { body: b, json: JSON.stringify(b), preview };
      renderPreview(result, preview);
      result.classList.remove("stale");
      sendButton.disabled = preview.expired || preview.audience.people === 0;
      announce("Preview ready.");
    } catch (error) {
      previewed = null;
      sendButton.disabled = true;
      result.hidden = true;
      showError(form, error);
    } finally {
      previewButton.disabled = false;
    }
  });
  sendButton.addEventListener("click", () => confirmSend(main, form, campaignId, previewed, sendButton));

  add(main,
    h("p", { class: "crumbs" }, h("a", { href: "#/campaigns" }, "Campaigns"), " › ", h("a", { href: `#/campaigns/${campaignId}` }, campaign.name), " › Compose"),
    h("h1", {}, `Compose: ${campaign.name}`),
    campaign.role === "owner" ? null : h("p", { class: "note" }, "Your union takes part in this campaign: what you send reaches your own union's members only."),
    form, result);
}

/** "3 people in 2 branches"; "at least 4,000 people in at least 12 branches" when the preview counted only part of the audience. */
function audienceWords(p) {
  const a = p.audience;
  const least = p.partial ? "at least " : "";
  return `${least}${formatNumber(a.people)} ${a.people === 1 ? "person" : "people"} in ${least}${formatNumber(a.branches)} ${a.branches === 1 ? "branch" : "branches"}`;
}

function renderPreview(section, p) {
  section.hidden = false;
  section.replaceChildren(h("h2", { id: "pv-h" }, "Preview"));
  if (p.expired) section.append(h("p", { class: "error-summary", role: "alert" }, "This event is already over: a send now would send nothing. Choose a later date."));
  const a = p.audience;
  section.append(h("p", { class: "big", "data-testid": "audience" }, audienceWords(p)));
  if (p.partial) {
    section.append(h("p", { class: "note", "data-testid": "audience-partial" },
      `Counted in the time allowed: ${formatNumber(a.branchesRead)} of ${a.branchesInAudience ? formatNumber(a.branchesInAudience) : "the"} branches read. `
      + "Every figure below is a lower bound; a send reaches the whole audience."));
  }
  const rows = a.channels.map((c) => h("tr", {},
    h("th", { scope: "row" }, c.channel === "sms" ? "SMS" : "Email"),
    h("td", {}, formatNumber(c.recipients)),
    h("td", {}, formatNumber(c.duplicates)),
    h("td", {}, skipWords(c.skipped)),
    h("td", {}, c.channel === "sms" ? formatNumber(c.segments) : "—")));
  section.append(tableBox(h("table", {},
    h("caption", {}, "Audience after removing duplicates and opt-outs"),
    h("thead", {}, h("tr", {}, ["Channel", "Will receive", "Duplicates removed", "Not sent", "SMS segments"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows))));
  const cost = p.cost;
  section.append(h("p", { "data-testid": "cost" }, `Estimated SMS cost: ${formatNumber(cost.segments)} segments × ${cost.pricePerSegment} ${cost.currency} = `,
    h("strong", {}, new Intl.NumberFormat(undefined, { style: "currency", currency: cost.currency }).format(cost.estimate))));
  for (const l of p.languages) {
    const block = h("article", { class: "card sample", lang: l.language, "data-language": l.language }, h("h3", {}, `Language: ${l.language}`));
    if (l.problem) block.append(h("p", { role: "alert", class: "field-error" }, l.problem));
    if (l.sms) {
      block.append(
        h("p", { class: "sms-sample" }, l.sms.text),
        h("p", { class: "counter", "data-testid": "server-segments" },
          `As sent: ${l.sms.encoding} · ${l.sms.characters} characters · ${l.sms.units} units · ${l.sms.segments} ${l.sms.segments === 1 ? "segment" : "segments"}`),
        h("p", { class: "hint" }, `Counted here: ${counterText(l.sms.text)}`));
    }
    if (l.email) block.append(h("p", {}, h("strong", {}, "Email: "), l.email.subject), h("pre", { class: "email-sample" }, l.email.body));
    block.append(h("p", { class: "muted" }, `Goes to ${formatNumber(l.recipients.sms ?? 0)} by SMS, ${formatNumber(l.recipients.email ?? 0)} by email.`));
    section.append(block);
  }
  section.append(h("p", { class: "hint" }, "Samples are written for a made-up member; each member gets their own name and local time."));
}

function confirmSend(main, form, campaignId, previewed, sendButton) {
  if (!previewed) return;
  const p = previewed.preview;
  const sms = p.audience.channels.find((c) => c.channel === "sms");
  const email = p.audience.channels.find((c) => c.channel === "email");
  const question = `Send to ${audienceWords(p)}?`;
  const send = h("button", { type: "button", class: "danger" }, "Send now");
  const cancel = h("button", { type: "button", class: "secondary" }, "Go back");
  const dialog = h("dialog", { "aria-labelledby": "send-h", "aria-describedby": "send-d" },
    h("h2", { id: "send-h" }, question),
    h("p", { id: "send-d" },
      sms ? `${formatNumber(sms.recipients)} SMS (${formatNumber(sms.segments)} segments, about ${p.cost.estimate} ${p.cost.currency}). ` : "",
      email ? `${formatNumber(email.recipients)} emails. ` : "",
      "This cannot be undone."),
    h("p", { class: "actions" }, send, " ", cancel));
  document.body.append(dialog);
  const close = () => { dialog.close(); dialog.remove(); sendButton.focus(); };
  cancel.addEventListener("click", close);
  dialog.addEventListener("cancel", (e) => { e.preventDefault(); close(); });
  send.addEventListener("click", async () => {
    send.disabled = true;
    try {
      const sent = await request(unionPath(`campaigns/${campaignId}/alerts`), { method: "POST", json: previewed.body });
      rememberSent({ alertId: sent.alertId, campaignId, eventId: sent.eventId, at: new Date().toISOString() });
      dialog.close();
      dialog.remove();
      announce("Sending started.");
      location.hash = `#/reports/${sent.alertId}`;
    } catch (error) {
      close();
      showError(form, error);
    }
  });
  dialog.showModal();
  cancel.focus();
}
