import type { BookView } from '../books/books.service';

/** One book as the exports show it: every field the person entered, and where to find it. */
export interface ExportedBook {
  id: string;
  title: string;
  author: string;
  publishedDate: string;
  description: string;
  coverUrl: string | null;
  createdAt: string;
  updatedAt: string;
}

export function exportedBook(book: BookView, baseUrl: URL): ExportedBook {
  return {
    id: book.id,
    title: book.title,
    author: book.author,
    publishedDate: book.publishedDate,
    description: book.description,
    coverUrl: book.cover ? new URL(book.cover.image, baseUrl).toString() : null,
    createdAt: book.createdAt.toISOString(),
    updatedAt: book.updatedAt.toISOString(),
  };
}

/** Where an export is written: resolves once the chunk is taken (after `drain` when the socket is full). */
export type Sink = (chunk: string) => Promise<void>;

/**
 * `{"user":…,"exportedAt":…,"books":[…]}`, written as the pages arrive: one page of books in memory at a
 * time, however many there are.
 */
export async function writeJsonExport(
  user: { id: string; name: string; email: string },
  pages: AsyncIterable<ExportedBook[]>,
  write: Sink,
  now = new Date(),
): Promise<void> {
  await write(
    `{"user":${JSON.stringify({ id: user.id, name: user.name, email: user.email })},"exportedAt":${JSON.stringify(now.toISOString())},"books":[`,
  );
  let first = true;
  for await (const page of pages) {
    if (page.length === 0) continue;
    await write((first ? '' : ',') + page.map((book) => JSON.stringify(book)).join(','));
    first = false;
  }
  await write(']}');
}

export const CSV_HEADER = ['Title', 'Author', 'Published Date', 'Description', 'Date Added', 'Cover URL', 'Book URL'];

/**
 * A CSV field (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled. A value that a
 * spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) gets a
 * leading `'` first, so opening the file never executes anything.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function csvRow(fields: string[]): string {
  return fields.map(csvField).join(',') + '\r\n';
}

/** The same books as CSV (UTF-8, CRLF line ends, a header row), page by page like the JSON export. */
export async function writeCsvExport(pages: AsyncIterable<ExportedBook[]>, baseUrl: URL, write: Sink): Promise<void> {
  await write(csvRow(CSV_HEADER));
  for await (const page of pages) {
    if (page.length === 0) continue;
    await write(
      page
        .map((book) =>
          csvRow([
            book.title,
            book.author,
            book.publishedDate,
            book.description,
            book.createdAt,
            book.coverUrl ?? '',
            new URL(`/books/${encodeURIComponent(book.id)}`, baseUrl).toString(),
          ]),
        )
        .join(''),
    );
  }
}
