import { safeReturnPath } from './return-path';

describe(safeReturnPath.name, () => {
  it.each(['/books', '/books/mine', '/books/12/edit?x=1', '/', '/books?page_token=a.b'])('keeps the same-origin path %s', (path) => {
    expect(safeReturnPath(path)).toBe(path);
  });

  it.each([
    ['a protocol-relative URL', '//evil.example'],
    ['a backslash host', '/\\evil.example'],
    ['a backslash later on', '/books\\..\\x'],
    ['an absolute URL', 'https://evil.example/books'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a tab that browsers strip', '/\t/evil.example'],
    ['a newline', '/\n/evil.example'],
    ['a relative path', 'books'],
    ['nothing', ''],
    ['a repeated parameter', ['/books', '//evil.example']],
    ['a very long path', `/${'a'.repeat(3000)}`],
  ])('falls back to /books for %s', (_name, value) => {
    expect(safeReturnPath(value)).toBe('/books');
  });
});
