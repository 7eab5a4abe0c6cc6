// The per-language text editor shared by schedules and compose: one block per language with the SMS text (and the email
// subject and text when email is a channel), and a live GSM-7/UCS-2 segment counter under each SMS text.
import { analyze, MAX_BODY_LENGTH } from "./sms.js";
import { h, field, input } from "./ui.js";

export function counterText(text) {
  const a = analyze(text);
  const unit = a.encoding === "GSM-7" ? "septets" : "UTF-16 units";
  const over = text.length > MAX_BODY_LENGTH ? ` — over the ${MAX_BODY_LENGTH}-character limit` : "";
  return `${a.encoding} · ${a.characters} characters · ${a.units} ${unit} · ${a.segments} ${a.segments === 1 ? "segment" : "segments"}${over}`;
}

/**
 * prefix: the API field of the templates ("templates", "movedTemplates"); languages: initial tags; email: show email fields.
 * Answers {element, value(), setEmail(bool), languages()}.
 */
export function templateEditor({ prefix = "templates", title = "Texts", languages = ["en"], email = false, optional = false, hint } = {}) {
  const blocks = h("div", { class: "languages" });
  const rows = [];
  let withEmail = email;

  function addLanguage(tag = "") {
    const language = input({ value: tag, size: 6, spellcheck: "false", autocapitalize: "none", class: "short" });
    const sms = h("textarea", { rows: 3, spellcheck: "true", class: "sms-text" });
    const counter = h("p", { class: "counter", "data-counter": "" });
    const update = () => { counter.textContent = counterText(sms.value); };
    sms.addEventListener("input", update);
    const subject = input({});
    const text = h("textarea", { rows: 4 });
    const emailBlock = h("div", { class: "email-fields" },
      field("Email subject", subject, {}), field("Email text", text, {}));
    const remove = h("button", { type: "button", class: "link" }, "Remove this language");
    const block = h("fieldset", { class: "language" },
      h("legend", {}, "Language"),
      field("Language tag", language, { hint: "en, ru, kk…" }),
      field("SMS text", sms, { hint: "Placeholders: {{name}}, {{date}}, {{time}}, {{union}}, {{branch}}, {{campaign}}." }),
      counter,
      emailBlock,
      remove);
    const row = { block, language, sms, subject, text, emailBlock, counter };
    const bind = () => {
      const tag = language.value.trim() || "?";
      sms.dataset.field = `${prefix}.${tag}.sms`;
      subject.dataset.field = `${prefix}.${tag}.email.subject`;
      text.dataset.field = `${prefix}.${tag}.email.text`;
      language.dataset.field = `${prefix}.${tag}`;
    };
    language.addEventListener("input", bind);
    remove.addEventListener("click", () => {
      if (rows.length === 1 && !optional) return;
      rows.splice(rows.indexOf(row), 1);
      block.remove();
      (rows[0]?.sms ?? addButton).focus();
    });
    bind();
    update();
    emailBlock.hidden = !withEmail;
    rows.push(row);
    blocks.append(block);
    return row;
  }

  const addButton = h("button", { type: "button", class: "secondary" }, "Add a language");
  addButton.addEventListener("click", () => addLanguage("").language.focus());
  languages.forEach((l) => addLanguage(l));

  const element = h("fieldset", { class: "templates", "data-field": prefix },
    h("legend", {}, title), hint ? h("p", { class: "hint" }, hint) : null, blocks, addButton);
  element.id = `${prefix}-group`;

  return {
    element,
    rows,
    setEmail(on) { withEmail = on; rows.forEach((r) => { r.emailBlock.hidden = !on; }); },
    /** The API's templates object, or undefined when every text is empty (optional notices). */
    value() {
      const result = {};
      let any = false;
      for (const r of rows) {
        const tag = r.language.value.trim();
        const entry = {};
        if (r.sms.value.trim()) { entry.sms = r.sms.value; any = true; }
        if (withEmail && (r.subject.value.trim() || r.text.value.trim())) {
          entry.email = { subject: r.subject.value, text: r.text.value };
          any = true;
        }
        result[tag] = entry;
      }
      return optional && !any ? undefined : result;
    },
  };
}
