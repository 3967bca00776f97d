import { randomBytes } from 'node:crypto';
import hbs from 'hbs';

/** The values of one viewer that a page shows, by name; null, undefined and '' are "not set". */
export type ViewerValues<K extends string> = Readonly<Record<K, string | null | undefined>>;

/**
 * Lets one rendering of a page serve every viewer: the page is rendered with a mark in place of each of
 * the viewer's values, cut at the marks, and filled per request with that viewer's values, HTML-escaped
 * exactly as Handlebars escapes `{{value}}`. The marks are letters and digits around a random nonce drawn
 * at start-up, so escaping leaves them as they are and no data (a book title, say) can contain one.
 *
 * Exact for templates that show a viewer's value with `{{…}}` and test whether it is set (`{{#if …}}`):
 * a value that is not set is rendered as it is, and which values are set is the page's `variant`, kept
 * apart. Anything else done with a value (a comparison, a helper, `{{{…}}}`) cannot be filled in: it
 * belongs in the handler, which then keeps the page for that viewer alone. The book pages cache's tests
 * render every kept page both ways and compare them byte for byte.
 */
export class ViewerMarks<K extends string> {
  private readonly nonce = randomBytes(16).toString('hex');
  private readonly marks: RegExp;

  constructor(private readonly names: readonly K[]) {
    this.marks = new RegExp(`${this.nonce}v(\\d+)x`, 'g');
  }

  /** Which of the values are set: pages rendered for one variant are filled only with values of it. */
  variant(values: ViewerValues<K>): string {
    return this.names.map((name) => (values[name] ? '1' : '0')).join('');
  }

  /** What to render instead of the values: a mark for each one that is set, the others as they are. */
  marked(values: ViewerValues<K>): ViewerValues<K> {
    return Object.fromEntries(this.names.map((name, i) => [name, values[name] ? `${this.nonce}v${i}x` : values[name]])) as ViewerValues<K>;
  }

  /** The page rendered with `marked(...)` values, cut at its marks. */
  cut(html: string): MarkedPage<K> {
    const parts: Buffer[] = [];
    const holes: K[] = [];
    let last = 0;
    for (const match of html.matchAll(this.marks)) {
      parts.push(Buffer.from(html.slice(last, match.index)));
      holes.push(this.names[Number(match[1])]);
      last = match.index + match[0].length;
    }
    parts.push(Buffer.from(html.slice(last)));
    return new MarkedPage(parts, holes);
  }
}

/** A rendered page with holes where the viewer's values go. */
export class MarkedPage<K extends string> {
  constructor(
    private readonly parts: readonly Buffer[],
    private readonly holes: readonly K[],
  ) {}

  /** The page for one viewer (of the variant it was rendered for): the same bytes a direct rendering gives. */
  fill(values: ViewerValues<K>): Buffer {
    if (this.holes.length === 0) return this.parts[0];
    const chunks: Buffer[] = [this.parts[0]];
    let length = this.parts[0].length;
    for (let i = 0; i < this.holes.length; i++) {
      const value = Buffer.from(hbs.handlebars.Utils.escapeExpression(values[this.holes[i]] ?? ''));
      chunks.push(value, this.parts[i + 1]);
      length += value.length + this.parts[i + 1].length;
    }
    return Buffer.concat(chunks, length);
  }
}
