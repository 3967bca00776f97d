'use strict';
/**
 * A deterministic, realistic-looking catalogue: titles of 2 to 9 words (some with accents, ligatures or
 * CJK, so that sort keys exercise NFKC), authors, free-text dates and descriptions of 1 to 8 sentences.
 */

function random(seed) {
  // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ADJECTIVES =
  'silent hidden last lost golden broken secret distant bright quiet wild hollow crimson northern burning endless forgotten gentle final frozen little ancient iron glass paper velvet midnight summer winter restless shining'.split(
    ' ',
  );
const NOUNS =
  'river house garden city kingdom road sea mountain letter library island forest clock shadow dream voyage orchard harbour tower lantern bridge map mirror promise station archive storm compass winter tide'.split(
    ' ',
  );
const PEOPLE =
  'gardener cartographer queen stranger daughter detective engineer sailor archivist painter translator astronomer baker thief widow'.split(
    ' ',
  );
const PLACES = 'Lisbon Kyoto the Valley Marrakesh the North Prague Dublin Patagonia Oaxaca the Fens Tbilisi Alexandria'.split(' ');
const FOREIGN = [
  'Le Château des Brumes',
  'Über die Brücke',
  'Ça ira',
  'Cien años de niebla',
  'Æther',
  'ﬁligree',
  'Ｆｕｌｌｗｉｄｔｈ Ｔａｌｅｓ',
  '東京の夜',
  'Śnieg w Krakowie',
  'Ölüdeniz',
  'Ἡ Ὀδύσσεια',
];
const FIRST =
  'Ada Grace Alan Margaret Chinua Toni Haruki Ursula Italo Jorge Clarice Gabriel Wisława Orhan Elena Kazuo Zadie Olga Teju Yiyun Min Jin Amitav Rohinton Ngũgĩ Hilary'.split(
    ' ',
  );
const LAST =
  "Lovelace Hopper Turing Hamilton Achebe Morrison Murakami Le Guin Calvino Borges Lispector Márquez Szymborska Pamuk Ferrante Ishiguro Smith Tokarczuk Cole Li Lee Ghosh Mistry Thiong'o Mantel".split(
    ' ',
  );
const MONTHS = 'January February March April May June July August September October November December'.split(' ');
const WORDS =
  'the a of and to in is was that for on with as by at from it an be this which or are have had not but were they his her their one all when there been has more would what so out about up into than them can only other new some could time these two may then do first any like now my such made over did down way only years after where most through back much before go good well long little very still own see men work day get here between both life being under never same another know while last might us great old year off come since against came right states used take three'.split(
    ' ',
  );

function pick(rnd, list) {
  return list[Math.floor(rnd() * list.length)];
}

function capitalise(word) {
  return word[0].toUpperCase() + word.slice(1);
}

function title(rnd) {
  const r = rnd();
  if (r < 0.05) return pick(rnd, FOREIGN) + (rnd() < 0.5 ? '' : ` ${Math.floor(rnd() * 9) + 2}`);
  if (r < 0.3) return `The ${capitalise(pick(rnd, ADJECTIVES))} ${capitalise(pick(rnd, NOUNS))}`;
  if (r < 0.5) return `${capitalise(pick(rnd, NOUNS))} of ${capitalise(pick(rnd, NOUNS))}s`;
  if (r < 0.65) return `The ${capitalise(pick(rnd, PEOPLE))} of ${pick(rnd, PLACES)}`;
  if (r < 0.8) {
    const noun = capitalise(pick(rnd, NOUNS));
    return `${/^[AEIOU]/.test(noun) ? 'An' : 'A'} ${noun} in ${pick(rnd, PLACES)}: ${capitalise(pick(rnd, ADJECTIVES))} ${capitalise(pick(rnd, NOUNS))}s and Other Stories`;
  }
  if (r < 0.9) return `${capitalise(pick(rnd, ADJECTIVES))} ${capitalise(pick(rnd, NOUNS))}`;
  return `what the ${pick(rnd, PEOPLE)} saw in the ${pick(rnd, NOUNS)}`;
}

function author(rnd) {
  if (rnd() < 0.04) return '';
  const name = `${pick(rnd, FIRST)} ${pick(rnd, LAST)}`;
  return rnd() < 0.1 ? `${name} and ${pick(rnd, FIRST)} ${pick(rnd, LAST)}` : name;
}

function publishedDate(rnd) {
  const year = 1850 + Math.floor(rnd() * 176);
  const r = rnd();
  if (r < 0.1) return '';
  if (r < 0.6) return String(year);
  if (r < 0.85) return `${pick(rnd, MONTHS)} ${year}`;
  return `${year}-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}`;
}

function sentence(rnd) {
  const length = 8 + Math.floor(rnd() * 18);
  const words = [];
  for (let i = 0; i < length; i++) words.push(rnd() < 0.15 ? pick(rnd, NOUNS) : pick(rnd, WORDS));
  return `${capitalise(words.join(' '))}.`;
}

function description(rnd) {
  if (rnd() < 0.05) return '';
  const sentences = 1 + Math.floor(rnd() * 8);
  const parts = [];
  for (let i = 0; i < sentences; i++) parts.push(sentence(rnd));
  // Paragraphs now and then, as people type them.
  return parts.join(rnd() < 0.2 ? '\n\n' : ' ');
}

/** The seeded users: `reader{i}@bench.example`, signed in through the benchmark's identity provider. */
function userFor(i) {
  const rnd = random(1_000_003 + i);
  return { email: `reader${i}@bench.example`, name: `${pick(rnd, FIRST)} ${pick(rnd, LAST)} (${i})` };
}

module.exports = { random, title, author, publishedDate, description, userFor };
