import { drivingWord, MAX_WORD_LENGTH, queryWords, searchPrefixes, wordsOf } from './search-words';

describe('search words', () => {
  it('folds case and accents, and splits on punctuation', () => {
    expect(wordsOf("L'Étranger")).toEqual(['l', 'etranger']);
    expect(wordsOf('J. R. R. Tolkien')).toEqual(['j', 'r', 'r', 'tolkien']);
    expect(wordsOf('Ｆｕｌｌｗｉｄｔｈ ﬁligree Ἡ Ὀδύσσεια')).toEqual(['fullwidth', 'filigree', 'η', 'οδυσσεια']);
    expect(wordsOf('İstanbul—Ölüdeniz/東京')).toEqual(['istanbul', 'oludeniz', '東京']);
    expect(wordsOf('  ...  ')).toEqual([]);
  });

  it('keeps at most 8 query words of at most 40 characters, without repeats', () => {
    expect(queryWords('Tolk LORD tolk')).toEqual(['tolk', 'lord']);
    expect(queryWords('a b c d e f g h i j')).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    expect(queryWords('x'.repeat(50))).toEqual(['x'.repeat(MAX_WORD_LENGTH)]);
    expect(queryWords('😀'.repeat(50))).toEqual([]);
    expect(queryWords('é'.repeat(45))).toEqual(['e'.repeat(40)]);
    expect(queryWords('  ')).toEqual([]);
  });

  it('indexes every prefix of every word of title and author, up to 40 characters', () => {
    expect(searchPrefixes('The Lord', 'Tolkien').sort()).toEqual(
      ['t', 'th', 'the', 'l', 'lo', 'lor', 'lord', 'to', 'tol', 'tolk', 'tolki', 'tolkie', 'tolkien'].sort(),
    );
    const long = searchPrefixes('y'.repeat(60), '');
    expect(long).toHaveLength(MAX_WORD_LENGTH);
    expect(long).toContain('y'.repeat(40));
    // Every query word of a matching query is one of the book's prefixes.
    const prefixes = new Set(searchPrefixes("L'Étranger", 'Albert Camus'));
    for (const word of queryWords('étr CAM l alb')) expect(prefixes.has(word)).toBe(true);
    expect(prefixes.has('tranger')).toBe(false);
  });

  it('drives the walk with the longest word', () => {
    expect(drivingWord(['lo', 'tolk', 'rin'])).toBe('tolk');
    expect(drivingWord(['ab', 'cd'])).toBe('ab');
  });
});
