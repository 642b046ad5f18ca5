/**
 * Splits CSV text into records of fields, RFC 4180 style: quoted fields,
 * doubled quotes, embedded newlines, CRLF or LF line ends. The text may come
 * in chunks cut anywhere (inside a quoted field, between a quote and the one
 * that doubles it, between CR and LF), so a file of any size is read a chunk
 * at a time with the same result as read whole.
 */
export class CsvSplitter {
  #field = '';
  #record: string[] = [];
  #inQuotes = false;
  /** A quote inside quotes ended the last chunk: the next character says whether it was doubled. */
  #quoteAtEnd = false;
  /** A CR ended a record: an LF right after it belongs to the same line end. */
  #afterCr = false;

  /** The records completed by `chunk`. */
  push(chunk: string): string[][] {
    const out: string[][] = [];
    let i = 0;
    if (this.#afterCr && chunk.length > 0) {
      this.#afterCr = false;
      if (chunk[0] === '\n') i = 1;
    }
    if (this.#quoteAtEnd && i < chunk.length) {
      this.#quoteAtEnd = false;
      if (chunk[i] === '"') {
        this.#field += '"';
        i++;
      } else this.#inQuotes = false;
    }
    while (i < chunk.length) {
      if (!this.#inQuotes && this.#field === '' && this.#record.length === 0) {
        i = this.#wholeLines(chunk, i, out);
        if (i === chunk.length) break;
      }
      i = this.#inQuotes ? this.#quoted(chunk, i) : this.#plain(chunk, i, out);
    }
    return out;
  }

  /** The last record, when the text did not end with a line end. */
  end(): string[][] {
    this.#quoteAtEnd = false;
    this.#inQuotes = false;
    if (this.#field === '' && this.#record.length === 0) return [];
    const last = [...this.#record, this.#field];
    this.#record = [];
    this.#field = '';
    return [last];
  }

  /**
   * At a record's start: the complete lines from `i` with no quote or lone CR (nearly every line
   * a run writes), split at their commas at once; returns where the first other line starts.
   */
  #wholeLines(chunk: string, i: number, out: string[][]): number {
    for (;;) {
      const nl = chunk.indexOf('\n', i);
      if (nl < 0) return i;
      const end = nl > i && chunk.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
      const line = chunk.slice(i, end);
      if (line.includes('"') || line.includes('\r')) return i;
      out.push(line.split(','));
      i = nl + 1;
    }
  }

  /** Reads a quoted field's text from `i` up to its closing quote; returns where to go on. */
  #quoted(chunk: string, i: number): number {
    const q = chunk.indexOf('"', i);
    if (q < 0) {
      this.#field += chunk.slice(i);
      return chunk.length;
    }
    this.#field += chunk.slice(i, q);
    if (q + 1 === chunk.length) {
      this.#quoteAtEnd = true;
      return chunk.length;
    }
    if (chunk[q + 1] === '"') {
      this.#field += '"';
      return q + 2;
    }
    this.#inQuotes = false;
    return q + 1;
  }

  /** Reads unquoted text from `i` up to the next quote, comma or line end, and acts on that. */
  #plain(chunk: string, i: number, out: string[][]): number {
    SPECIAL.lastIndex = i;
    const m = SPECIAL.exec(chunk);
    const at = m ? m.index : chunk.length;
    this.#field += chunk.slice(i, at);
    if (!m) return at;
    const ch = m[0];
    if (ch === '"') this.#inQuotes = true;
    else {
      this.#record.push(this.#field);
      this.#field = '';
      if (ch !== ',') {
        out.push(this.#record);
        this.#record = [];
        if (ch === '\r') {
          if (at + 1 === chunk.length) this.#afterCr = true;
          else if (chunk[at + 1] === '\n') return at + 2;
        }
      }
    }
    return at + 1;
  }
}

const SPECIAL = /[",\r\n]/g;
const CR = 13;

/** Splits whole CSV text into records of fields. */
export function parseCsv(text: string): string[][] {
  const splitter = new CsvSplitter();
  return [...splitter.push(text), ...splitter.end()];
}
