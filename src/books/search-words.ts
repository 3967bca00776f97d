/**
 * Search words (docs/architecture.md section 3, "Search"): the same on every backend, for the query as
 * for the books. Unicode NFKD with every mark (\p{M}) removed, then lower-cased; anything that is not a
 * letter or a digit separates words (`L'Étranger` is `l` and `etranger`).
 */

/** A query keeps at most this many words... */
export const MAX_QUERY_WORDS = 8;
/** ...of at most this many characters (code points) each; the rest is ignored. */
export const MAX_WORD_LENGTH = 40;

const MARKS = /\p{M}/gu;
const SEPARATORS = /[^\p{L}\p{N}]+/u;

/** The words of a text, in order, repeats included. */
export function wordsOf(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(MARKS, '')
    .toLowerCase()
    .split(SEPARATORS)
    .filter((word) => word !== '');
}

function cut(word: string): string {
  const chars = [...word];
  return chars.length > MAX_WORD_LENGTH ? chars.slice(0, MAX_WORD_LENGTH).join('') : word;
}

/**
 * The words a query asks for: at most MAX_QUERY_WORDS, each cut to MAX_WORD_LENGTH, without repeats.
 * Empty for a blank query (the plain list).
 */
export function queryWords(q: string): string[] {
  return [...new Set(wordsOf(q).slice(0, MAX_QUERY_WORDS).map(cut))];
}

/**
 * What a book is found by: every prefix (1 to MAX_WORD_LENGTH characters) of every word of its title
 * and its author, without repeats. A query matches a book exactly when each of its words is one of them.
 * Bounded: title and author have at most 200 characters each, so at most 400 prefixes.
 */
export function searchPrefixes(title: string, author: string): string[] {
  const prefixes = new Set<string>();
  for (const word of [...wordsOf(title), ...wordsOf(author)]) {
    const chars = [...cut(word)];
    for (let i = 1; i <= chars.length; i++) prefixes.add(chars.slice(0, i).join(''));
  }
  return [...prefixes];
}

/**
 * The query word that drives an index walk: the longest (a longer prefix names fewer books), the first
 * of equals. The others are checked per book.
 */
export function drivingWord(words: readonly string[]): string {
  return words.reduce((best, word) => ([...word].length > [...best].length ? word : best));
}
