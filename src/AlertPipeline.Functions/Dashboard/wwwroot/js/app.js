// The dashboard's router: hash routes (#/campaigns/…), one page module per screen, navigation by role.
import { session, signOut } from "./api.js";
import { h, announce } from "./ui.js";
import { signInPage } from "./pages/signin.js";
import { campaignsPage } from "./pages/campaigns.js";
import { calendarPage, schedulePage } from "./pages/schedules.js";
import { composePage } from "./pages/compose.js";
import { reportPage, reportsPage } from "./pages/report.js";
import { branchesPage, contactsPage, contactPage } from "./pages/contacts.js";
import { keysPage, auditPage } from "./pages/admin.js";

// [pattern, page, roles allowed (null: any signed-in key)]
const routes = [
  [/^campaigns$/, campaignsPage, null],
  [/^campaigns\/([a-z0-9-]+)$/, calendarPage, ["organiser"]],
  [/^campaigns\/([a-z0-9-]+)\/schedules\/([a-z0-9-]+)$/, schedulePage, ["organiser"]],
  [/^campaigns\/([a-z0-9-]+)\/compose$/, composePage, ["organiser"]],
  [/^reports$/, reportsPage, ["organiser"]],
  [/^reports\/([a-f0-9]+)$/, reportPage, ["organiser"]],
  [/^contacts$/, branchesPage, ["union-admin"]],
  [/^contacts\/([a-z0-9-]+)$/, contactsPage, ["union-admin"]],
  [/^contacts\/([a-z0-9-]+)\/([a-z0-9-]+)$/, contactPage, ["union-admin"]],
  [/^keys$/, keysPage, ["union-admin"]],
  [/^audit$/, auditPage, ["union-admin"]],
];

const NAV = [
  ["#/campaigns", "Campaigns", null],
  ["#/reports", "Reports", ["organiser"]],
  ["#/contacts", "Contacts", ["union-admin"]],
  ["#/keys", "API keys", ["union-admin"]],
  ["#/audit", "Audit log", ["union-admin"]],
];

let stopCurrent = null;
let visits = 0;

function renderChrome(current) {
  const s = session();
  const nav = document.getElementById("nav");
  const who = document.getElementById("who");
  nav.replaceChildren();
  who.replaceChildren();
  if (!s) return;
  const list = h("ul");
  for (const [href, text, roles] of NAV) {
    if (roles && !roles.includes(s.role)) continue;
    const active = current.startsWith(href.slice(2));
    list.append(h("li", {}, h("a", { href, "aria-current": active ? "page" : null }, text)));
  }
  nav.append(list);
  who.append(
    h("span", {}, `${s.unionId} · ${s.role === "union-admin" ? "union admin" : "organiser"}`),
    h("button", { type: "button", class: "link", onclick: () => { signOut(); announce("Signed out."); location.hash = "#/signin"; } }, "Sign out"));
}

async function route() {
  if (stopCurrent) { stopCurrent(); stopCurrent = null; }
  const main = document.getElementById("main");
  const path = decodeURIComponent(location.hash.replace(/^#\/?/, ""));
  const s = session();
  if (!s || path === "signin") {
    if (s && path === "signin") { location.hash = "#/campaigns"; return; }
    renderChrome("");
    visits++;
    const view = h("div", { class: "view" });
    main.replaceChildren(view);
    signInPage(view, () => { location.hash = "#/campaigns"; });
    return;
  }
  renderChrome(path);
  for (const [pattern, page, roles] of routes) {
    const match = path.match(pattern);
    if (!match) continue;
    // Each visit renders into a view of its own: a page still loading when the user moves on fills a detached view.
    const view = h("div", { class: "view" });
    main.replaceChildren(view);
    if (roles && !roles.includes(s.role)) {
      notFound(view, "This page is not available to your key's role.");
      return;
    }
    const visit = ++visits;
    try {
      const stop = (await page(view, ...match.slice(1))) ?? null;
      if (visit === visits) stopCurrent = stop; else if (stop) stop();
    } catch (error) {
      view.replaceChildren(h("h1", {}, "Something went wrong"), h("p", { role: "alert" }, error.message));
    }
    if (visit === visits) main.focus();
    return;
  }
  if (path === "") { location.hash = "#/campaigns"; return; }
  const view = h("div", { class: "view" });
  main.replaceChildren(view);
  notFound(view, "There is no such page.");
}

function notFound(main, text) {
  document.title = "Not found · AlertPipeline";
  main.append(h("h1", {}, "Not found"), h("p", { role: "alert" }, text), h("p", {}, h("a", { href: "#/campaigns" }, "Back to campaigns")));
}

window.addEventListener("hashchange", route);
route();
