import { compareSortKeys, SORT_KEY_LENGTH, sortKeyFor } from './book';

describe(sortKeyFor.name, () => {
  it('normalises with NFKC and lower-cases', () => {
    expect(sortKeyFor('ＤＵＮＥ')).toBe('dune');
    expect(sortKeyFor('ﬀ Ligature')).toBe('ff ligature');
  });

  it('turns tabs and line breaks into spaces and drops trailing spaces, as MySQL compares with PAD SPACE', () => {
    expect(sortKeyFor('apple\tpie\n')).toBe('apple pie');
    expect(sortKeyFor('apple   ')).toBe('apple');
  });

  it('is bounded in code points, whatever NFKC expands to', () => {
    expect([...sortKeyFor('\uFDFA'.repeat(200))].length).toBeLessThanOrEqual(SORT_KEY_LENGTH);
  });
});

describe(compareSortKeys.name, () => {
  it('compares by code point like the databases, not by UTF-16 unit like JavaScript', () => {
    // U+FF5E sorts after U+1F600 in UTF-16 units, but before it by code point.
    expect('\uFF5E' < '😀').toBe(false);
    expect(compareSortKeys('\uFF5E', '😀')).toBeLessThan(0);
  });
});
