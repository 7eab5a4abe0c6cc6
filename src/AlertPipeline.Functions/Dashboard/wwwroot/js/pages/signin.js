import { request, ApiError } from "../api.js";
import { h, field, input, showError, announce } from "../ui.js";

const SESSION = "alertpipeline.session";

/** Sign in: union id and API key; the role is what the API lets the key do (GET keys: 200 union admin, 403 organiser). */
export function signInPage(main, done) {
  const union = input({ name: "union", autocomplete: "username", required: true, spellcheck: "false", autocapitalize: "none", pattern: "[a-z0-9-]+" });
  const key = input({ type: "password", name: "key", autocomplete: "current-password", required: true, spellcheck: "false" });
  const button = h("button", { type: "submit" }, "Sign in");
  const form = h("form", { class: "card narrow", novalidate: true },
    field("Union id", union, { hint: "Lowercase letters, digits and hyphens, e.g. kz-oil-workers.", apiField: "union" }),
    field("API key", key, { hint: "Starts with apk_. It stays in this browser tab only and is cleared when you sign out or close the tab.", apiField: "key" }),
    button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const unionId = union.value.trim();
    const secret = key.value.trim();
    const missing = [];
    if (!/^[a-z0-9-]{1,64}$/.test(unionId)) missing.push({ field: "union", message: "is required: lowercase letters, digits and hyphens" });
    if (!secret) missing.push({ field: "key", message: "is required" });
    if (missing.length) { showError(form, { message: "Please fill in both fields.", errors: missing }); return; }
    button.disabled = true;
    const auth = { unionId, key: secret };
    try {
      await request(`unions/${unionId}/campaigns`, { auth });
      let role = "union-admin";
      try {
        await request(`unions/${unionId}/keys`, { auth });
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 403) throw error;
        role = "organiser";
      }
      sessionStorage.setItem(SESSION, JSON.stringify({ unionId, key: secret, role }));
      announce(`Signed in to ${unionId}.`);
      done();
    } catch (error) {
      const words = error.status === 404 || error.status === 401
        ? { message: "The union id and key do not match a current key. Check both and try again.", errors: [] }
        : error;
      showError(form, words);
    } finally {
      button.disabled = false;
    }
  });
  document.title = "Sign in · AlertPipeline";
  main.append(h("h1", {}, "Sign in"), h("p", {}, "Sign in with an API key of your union, as given to you by your union's admin."), form);
  union.focus();
}
