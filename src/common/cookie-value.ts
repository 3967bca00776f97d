/**
 * The value of the cookie `name` in a `Cookie` request header, or undefined when the header does not
 * carry it. Names match exactly (case-sensitive, as browsers send them); the first of a repeated name
 * wins, as in Express and the `cookie` package. Values are returned as sent, not URL-decoded.
 */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const index = pair.indexOf('=');
    if (index < 0) continue;
    if (pair.slice(0, index).trim() === name) return pair.slice(index + 1).trim();
  }
  return undefined;
}
