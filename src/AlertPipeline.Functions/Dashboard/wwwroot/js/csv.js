// RFC 4180 reading (quoted fields, doubled quotes, line breaks inside quotes) for the report's CSV.
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let fieldText = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { fieldText += '"'; i++; }
      else if (c === '"') quoted = false;
      else fieldText += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(fieldText); fieldText = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(fieldText); fieldText = "";
      rows.push(row); row = [];
    } else fieldText += c;
  }
  if (fieldText !== "" || row.length) { row.push(fieldText); rows.push(row); }
  const [header, ...data] = rows.filter((r) => r.length > 1 || r[0] !== "");
  return (data ?? []).map((r) => Object.fromEntries((header ?? []).map((name, i) => [name, r[i] ?? ""])));
}
