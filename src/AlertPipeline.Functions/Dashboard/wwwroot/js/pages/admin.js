import { request, unionPath, session } from "../api.js";
import { h, tableBox, field, select, showError, clearErrors, announce, formatDateTime } from "../ui.js";

const ROLE_WORDS = { "union-admin": "Union admin", organiser: "Organiser" };

/** The union's API keys (union admin): create one (shown once), rotate, revoke. Never a key's secret after creation. */
export async function keysPage(main) {
  document.title = "API keys · AlertPipeline";
  main.append(h("h1", {}, "API keys"));
  const role = select({}, [["organiser", "Organiser: schedules, previews, sends, reports"], ["union-admin", "Union admin: branches, contacts, keys, audit"]]);
  const create = h("button", { type: "submit" }, "Create key");
  const shown = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "nk-h" },
    h("h2", { id: "nk-h" }, "New key"), field("Role", role, { apiField: "role" }), create, shown);
  const body = h("tbody");
  main.append(form, h("h2", {}, "Keys"), tableBox(h("table", { "aria-label": "Keys" },
    h("thead", {}, h("tr", {}, ["Key id", "Role", "Created", "State", ""].map((t) => h("th", { scope: "col" }, t)))), body)));

  const showSecret = (created, what) => {
    const secret = h("code", { class: "secret", "data-testid": "new-key" }, created.key);
    const copy = h("button", { type: "button", class: "secondary" }, "Copy");
    copy.addEventListener("click", async () => { try { await navigator.clipboard.writeText(created.key); announce("Copied."); } catch { announce("Select the key and copy it."); } });
    shown.replaceChildren(h("div", { class: "note", role: "alert" },
      h("p", {}, `${what} ${created.keyId} (${ROLE_WORDS[created.role]}). Copy it now: it is shown only once.`), secret, " ", copy));
  };

  async function load() {
    body.replaceChildren();
    try {
      const keys = (await request(unionPath("keys"))).items;
      for (const k of keys) {
        const revoked = Boolean(k.revokedAt);
        const actions = revoked ? "" : [
          h("button", { type: "button", class: "secondary", onclick: () => rotate(k) }, "Rotate"), " ",
          h("button", { type: "button", class: "danger", onclick: () => revoke(k) }, "Revoke")];
        body.append(h("tr", {},
          h("th", { scope: "row" }, h("code", {}, k.keyId)),
          h("td", {}, ROLE_WORDS[k.role] ?? k.role),
          h("td", {}, formatDateTime(k.createdAt)),
          h("td", {}, revoked ? `Revoked ${formatDateTime(k.revokedAt)}${k.replacedBy ? ` (replaced by ${k.replacedBy})` : ""}` : "Active"),
          h("td", {}, actions)));
      }
    } catch (error) {
      showError(main, error);
    }
  }

  async function rotate(k) {
    if (!window.confirm(`Rotate key ${k.keyId}? It stops working at once; a new key with the same role replaces it.`)) return;
    try {
      showSecret(await request(unionPath(`keys/${k.keyId}/rotate`), { method: "POST" }), "New key replacing");
      await load();
    } catch (error) {
      showError(form, error);
    }
  }

  async function revoke(k) {
    if (!window.confirm(`Revoke key ${k.keyId}? Whoever uses it is signed out for good.`)) return;
    try {
      await request(unionPath(`keys/${k.keyId}`), { method: "DELETE" });
      announce(`Key ${k.keyId} revoked.`);
      await load();
    } catch (error) {
      showError(form, error);
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    create.disabled = true;
    try {
      showSecret(await request(unionPath("keys"), { method: "POST", json: { role: role.value } }), "Created key");
      await load();
    } catch (error) {
      showError(form, error);
    } finally {
      create.disabled = false;
    }
  });
  await load();
}

/** The union's audit log, newest first, a page at a time. */
export async function auditPage(main) {
  document.title = "Audit log · AlertPipeline";
  main.append(h("h1", {}, "Audit log"), h("p", {}, "Every change made with your union's keys, and changes to campaigns your union takes part in. Newest first."));
  const body = h("tbody");
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Show older");
  main.append(tableBox(h("table", { "aria-label": "Audit log" },
    h("thead", {}, h("tr", {}, ["When", "Who", "What", "Targets", "Result"].map((t) => h("th", { scope: "col" }, t)))), body)), more);
  let token = null;
  async function load(from) {
    try {
      const page = await request(unionPath("audit?limit=50" + (from ? "&continuationToken=" + encodeURIComponent(from) : "")));
      for (const r of page.items) {
        body.append(h("tr", { class: r.outcome === "Refused" ? "refused" : "" },
          h("td", {}, formatDateTime(r.at)),
          h("td", {}, `${r.actor} (${r.role})${r.actorUnion && r.actorUnion !== session().unionId ? ` of ${r.actorUnion}` : ""}`),
          h("td", {}, `${r.method} ${r.route}`),
          h("td", {}, r.targets ?? ""),
          h("td", {}, `${r.outcome} (${r.status})`)));
      }
      if (body.childElementCount === 0) body.append(h("tr", {}, h("td", { colspan: 5 }, "Nothing yet.")));
      token = page.continuationToken;
      more.hidden = !token;
    } catch (error) {
      showError(main, error);
    }
  }
  more.addEventListener("click", () => load(token));
  await load(null);
}
