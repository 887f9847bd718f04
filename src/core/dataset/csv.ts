// A small RFC 4180 CSV reader: comma-separated fields, optional double quotes, "" for a quote
// inside a quoted field, quoted fields may span lines, CRLF or LF row ends, a UTF-8 BOM is
// skipped. No installed dependency reads CSV, and this is all the import needs.

export interface CsvRow {
  /** 1-based line on which the row starts. */
  line: number;
  fields: string[];
}

export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

export function parseCsv(text: string, delimiter = ','): CsvRow[] {
  const rows: CsvRow[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let fields: string[] = [];
  let field = '';
  let rowLine = 1;
  let quoted = false;
  let afterQuote = false;
  const endField = () => {
    fields.push(field);
    field = '';
    afterQuote = false;
  };
  const endRow = () => {
    endField();
    // A blank line is not a row with one empty field.
    if (!(fields.length === 1 && fields[0] === '')) rows.push({ line: rowLine, fields });
    fields = [];
  };
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          afterQuote = true;
        }
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === delimiter) endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else if (c === '"' && field === '' && !afterQuote) quoted = true;
    else if (afterQuote) throw new CsvError(`unexpected character ${JSON.stringify(c)} after a closing quote; quote the whole field and double the quotes inside it`, line);
    else field += c;
  }
  if (quoted) throw new CsvError('a quoted field is never closed', rowLine);
  if (field !== '' || fields.length > 0 || afterQuote) endRow();
  return rows;
}
