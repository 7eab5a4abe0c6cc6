import { request, session, unionPath } from "../api.js";
import { h, showError } from "../ui.js";

const ROLE_WORDS = {
  owner: "Your union runs this campaign",
  subscriber: "Your union takes part",
  invited: "Invited (not yet joined)",
  requested: "Asked to join (waiting for the owner)",
  approved: "Approved (not yet subscribed)",
  open: "Open to join",
  none: "Not a member",
};

/** The campaigns the union's key can use: the organiser sees only campaigns its union owns or subscribes to. */
export async function campaignsPage(main) {
  document.title = "Campaigns · AlertPipeline";
  main.append(h("h1", {}, "Campaigns"));
  const s = session();
  let items;
  try {
    items = (await request(unionPath("campaigns"))).items;
  } catch (error) {
    showError(main, error);
    return;
  }
  const reachable = (c) => c.subscribed || c.role === "owner";
  const shown = s.role === "organiser" ? items.filter(reachable) : items;
  if (shown.length === 0) {
    main.append(h("p", {}, "Your union takes part in no campaign yet."));
    return;
  }
  const list = h("ul", { class: "cards" });
  for (const c of shown) {
    const actions = s.role === "organiser"
      ? h("p", { class: "actions" },
        h("a", { href: `#/campaigns/${c.campaignId}`, class: "button" }, "Calendar"),
        " ",
        h("a", { href: `#/campaigns/${c.campaignId}/compose`, class: "button secondary" }, "Compose and send"))
      : null;
    list.append(h("li", { class: "card" },
      h("h2", {}, s.role === "organiser" ? h("a", { href: `#/campaigns/${c.campaignId}` }, c.name) : c.name),
      h("p", { class: "muted" }, c.campaignId),
      h("p", {}, ROLE_WORDS[c.role] ?? c.role, c.subscribed && c.role !== "owner" && c.role !== "subscriber" ? " · subscribed" : "", c.open ? " · open" : ""),
      actions));
  }
  main.append(list);
}

/** The campaign as the union sees it, or null when the union neither owns nor subscribes to it. */
export async function findCampaign(campaignId) {
  const items = (await request(unionPath("campaigns"))).items;
  return items.find((c) => c.campaignId === campaignId && (c.subscribed || c.role === "owner")) ?? null;
}
