/**
 * CSV as RFC 4180 writes it, for reports a user opens in a spreadsheet: a field with a comma, quote, CR or LF (or
 * edge spaces) is quoted with its quotes doubled; lines end in CRLF. A text field that a spreadsheet would run as a
 * formula (it starts with =, +, -, @, a tab or a CR: OWASP's "CSV injection") gets a leading apostrophe, which
 * Excel, LibreOffice and Google Sheets show as text. Numbers are written as they are. The JSON export keeps every
 * name exact; this guard only exists in the CSV.
 */
export function csvField(value: string | number | undefined | null): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return String(value);
  const s = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvRow(fields: ReadonlyArray<string | number | undefined | null>): string {
  return fields.map(csvField).join(',');
}

/** A whole document: header then rows, CRLF after every line. */
export function csvDocument(header: readonly string[], rows: Iterable<ReadonlyArray<string | number | undefined | null>>): string {
  const lines = [csvRow(header)];
  for (const r of rows) lines.push(csvRow(r));
  return lines.join('\r\n') + '\r\n';
}
