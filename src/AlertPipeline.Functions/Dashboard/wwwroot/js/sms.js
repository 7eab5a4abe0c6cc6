// SMS encoding and segments, the same rules as the server's SmsEncoder (src/AlertPipeline.Core/Messaging/SmsEncoding.cs):
// GSM-7 when every UTF-16 unit is in the GSM 03.38 basic or extension table (extension characters cost 2 septets),
// otherwise UCS-2; one segment up to 160 septets / 70 units, else parts of 153 / 67 split greedily without breaking an
// extension character or a surrogate pair. A browser test compares this with SmsEncoder.Analyze.

export const GSM7_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
export const GSM7_EXTENSION = "\f^{}\\[~]|€";
export const MAX_BODY_LENGTH = 1600;

const basic = new Set(GSM7_BASIC);
const extension = new Set(GSM7_EXTENSION);

function septets(unit) {
  return basic.has(unit) ? 1 : extension.has(unit) ? 2 : 0;
}

const isHigh = (code) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code) => code >= 0xdc00 && code <= 0xdfff;

/** {encoding: "GSM-7"|"UCS-2", characters, units, segments} of text, as the server counts them. */
export function analyze(text) {
  // Iterate UTF-16 units (text[i]), as C#'s string indexer does.
  let gsm = true;
  for (let i = 0; i < text.length; i++) {
    if (septets(text[i]) === 0) { gsm = false; break; }
  }
  return gsm ? analyzeGsm7(text) : analyzeUcs2(text);
}

function analyzeGsm7(text) {
  let units = 0;
  for (let i = 0; i < text.length; i++) units += septets(text[i]);
  if (units <= 160) return { encoding: "GSM-7", characters: text.length, units, segments: 1 };
  let segments = 1;
  let used = 0;
  for (let i = 0; i < text.length; i++) {
    const cost = septets(text[i]);
    if (used + cost > 153) { segments++; used = 0; }
    used += cost;
  }
  return { encoding: "GSM-7", characters: text.length, units, segments };
}

function analyzeUcs2(text) {
  let characters = 0;
  for (let i = 0; i < text.length; i++) {
    if (isHigh(text.charCodeAt(i)) && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) i++;
    characters++;
  }
  if (text.length <= 70) return { encoding: "UCS-2", characters, units: text.length, segments: 1 };
  let segments = 1;
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const width = isHigh(text.charCodeAt(i)) && i + 1 < text.length && isLow(text.charCodeAt(i + 1)) ? 2 : 1;
    if (i + width - start > 67) { segments++; start = i; }
    i += width;
  }
  return { encoding: "UCS-2", characters, units: text.length, segments };
}
