// The organiser API client: the signed-in key (session storage only), requests, and API errors in plain words.

const SESSION = "alertpipeline.session";
const SENT = "alertpipeline.sent";

/** The API root: the dashboard is served at {prefix}/dashboard/, the API at {prefix}/. */
export const apiRoot = new URL("../", new URL(".", document.baseURI)).pathname;

/** {unionId, key, role} or null. Kept in sessionStorage: gone when the tab closes, never in localStorage or a cookie. */
export function session() {
  try {
    const value = JSON.parse(sessionStorage.getItem(SESSION) ?? "null");
    return value && value.unionId && value.key && value.role ? value : null;
  } catch {
    return null;
  }
}

export function signOut() {
  sessionStorage.removeItem(SESSION);
  sessionStorage.removeItem(SENT);
}

/** Alerts sent from this tab (the API has no list of alerts): [{alertId, campaignId, eventId, at}]. */
export function sentAlerts() {
  try { return JSON.parse(sessionStorage.getItem(SENT) ?? "[]"); } catch { return []; }
}

export function rememberSent(alert) {
  const list = sentAlerts().filter((a) => a.alertId !== alert.alertId);
  list.unshift(alert);
  sessionStorage.setItem(SENT, JSON.stringify(list.slice(0, 50)));
}

/** An API refusal: status, the problem's detail, and errors [{field, message}]. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(describe(status, problem));
    this.status = status;
    this.detail = problem?.detail ?? "";
    this.errors = Array.isArray(problem?.errors) ? problem.errors : [];
    // A 503 from a report or preview that could not answer in time says when to ask again.
    this.retryAfterSeconds = Number.isInteger(problem?.retryAfterSeconds) ? problem.retryAfterSeconds : null;
  }
}

function describe(status, problem) {
  switch (status) {
    case 0: return "The server could not be reached. Check your connection and try again.";
    case 400: return "Some details need fixing before this can be saved.";
    case 401: return "Your key was not accepted: it is wrong, or it has been revoked. Sign in again with a current key.";
    case 403: return "Your key's role may not do this. Ask your union's admin.";
    case 404: return "Not found: it does not exist, or it does not belong to your union.";
    case 409: return "This cannot be done now: " + (problem?.detail || "it conflicts with the current state.");
    case 413: return "Too large: " + (problem?.detail || "the request is over the limit.");
    case 415: return "The file or request type was not accepted: " + (problem?.detail || "");
    case 503: return "Busy: " + (problem?.detail || "try again in a few seconds.");
    default: return status >= 500 ? "The server had a problem. Nothing was lost; try again in a minute." : `The request was refused (${status}).`;
  }
}

/**
 * Calls the API as the signed-in key (or `auth` at sign-in). Answers the parsed JSON (or text for CSV), throws ApiError.
 * options: {method, json, body, contentType, accept, auth: {unionId, key}}
 */
export async function request(path, options = {}) {
  const auth = options.auth ?? session();
  const headers = { Accept: options.accept ?? "application/json" };
  if (auth) headers.Authorization = "ApiKey " + auth.key;
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers["Content-Type"] = "application/json";
  } else if (options.contentType) {
    headers["Content-Type"] = options.contentType;
  }
  let response;
  try {
    response = await fetch(apiRoot + path, { method: options.method ?? "GET", headers, body, cache: "no-store", credentials: "omit" });
  } catch {
    throw new ApiError(0, null);
  }
  const type = response.headers.get("Content-Type") ?? "";
  if (!response.ok) {
    let problem = null;
    if (type.includes("json")) {
      try { problem = await response.json(); } catch { problem = null; }
    }
    throw new ApiError(response.status, problem);
  }
  if (response.status === 204) return null;
  if (type.includes("json")) return response.json();
  return response.text();
}

/** The signed-in union's path: unions/{union}/… */
export function unionPath(rest) {
  const s = session();
  return `unions/${encodeURIComponent(s.unionId)}/${rest}`;
}
