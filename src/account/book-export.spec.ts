import { csvField, type ExportedBook, writeCsvExport, writeJsonExport } from './book-export';

function book(n: number, fields: Partial<ExportedBook> = {}): ExportedBook {
  return {
    id: String(n),
    title: `Book ${n}`,
    author: 'A',
    publishedDate: '',
    description: '',
    coverUrl: null,
    createdAt: '2026-12-02T00:00:00.000Z',
    updatedAt: '2026-12-02T00:00:00.000Z',
    ...fields,
  };
}

async function* pages(count: number, size: number, read: { pages: number }): AsyncGenerator<ExportedBook[]> {
  for (let start = 0; start < count; start += size) {
    read.pages++;
    yield Array.from({ length: Math.min(size, count - start) }, (_, i) => book(start + i));
  }
}

const USER = { id: 'sub-1', name: 'Ada', email: 'ada@example.com' };

describe(writeJsonExport.name, () => {
  it('writes the user, the time and every book, as one JSON document', async () => {
    const chunks: string[] = [];
    await writeJsonExport(USER, pages(3, 2, { pages: 0 }), async (c) => void chunks.push(c), new Date('2026-12-02T10:00:00Z'));
    const parsed = JSON.parse(chunks.join('')) as { user: unknown; exportedAt: string; books: ExportedBook[] };
    expect(parsed.user).toEqual(USER);
    expect(parsed.exportedAt).toBe('2026-12-02T10:00:00.000Z');
    expect(parsed.books.map((b) => b.id)).toEqual(['0', '1', '2']);
  });

  it('writes an empty list for someone with no books', async () => {
    const chunks: string[] = [];
    await writeJsonExport(USER, pages(0, 100, { pages: 0 }), async (c) => void chunks.push(c));
    expect((JSON.parse(chunks.join('')) as { books: unknown[] }).books).toEqual([]);
  });

  it('writes each page before the next is read: 100,000 books are never in memory at once', async () => {
    const read = { pages: 0 };
    let writtenWhenLastPageWasRead = 0;
    let written = 0;
    await writeJsonExport(USER, pages(100_000, 100, read), async () => {
      written++;
      if (read.pages === 1000) writtenWhenLastPageWasRead ||= written;
    });
    // The prefix and 999 pages were out before the thousandth page was read: the first write after it is
    // that page's own, the 1001st (had everything been read first, it would be the prefix, the 1st).
    expect(writtenWhenLastPageWasRead).toBe(1001);
    expect(written).toBe(1002);
  });
});

describe(csvField.name, () => {
  it.each([
    ['plain', 'plain'],
    ['with, comma', '"with, comma"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tindented', "'\tindented"],
    ['\rreturn', `"'\rreturn"`],
    ['', ''],
  ])('writes %j as %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });
});

describe(writeCsvExport.name, () => {
  it('writes the header, then one CRLF-terminated row per book with its URL', async () => {
    const chunks: string[] = [];
    const cover = 'http://localhost:8080/covers/a.webp';
    async function* one(): AsyncGenerator<ExportedBook[]> {
      yield [book(7, { title: 'Dune, again', coverUrl: cover })];
    }
    await writeCsvExport(one(), new URL('http://localhost:8080'), async (c) => void chunks.push(c));
    expect(chunks.join('')).toBe(
      'Title,Author,Published Date,Description,Date Added,Cover URL,Book URL\r\n' +
        `"Dune, again",A,,,2026-12-02T00:00:00.000Z,${cover},http://localhost:8080/books/7\r\n`,
    );
  });
});
