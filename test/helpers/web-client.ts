import { type HTMLElement, parse } from 'node-html-parser';

export interface Page {
  status: number;
  url: string;
  headers: Headers;
  body: string;
  html: HTMLElement;
}

type Fields = Record<string, string>;

/**
 * A scripted browser for end-to-end tests: one cookie jar per origin, redirects followed by hand,
 * forms submitted the way a browser would. No JavaScript runs, none is needed.
 */
export class WebClient {
  private readonly jars = new Map<string, Map<string, string>>();
  lastPage: Page | undefined;

  /** `headers` go with every request (a `user-agent`, to be a particular browser). */
  constructor(
    readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async get(path: string, options: { follow?: boolean } = {}): Promise<Page> {
    return this.request('GET', path, undefined, options.follow ?? true);
  }

  /** POSTs url-encoded fields, or multipart when given FormData. Does not follow the redirect. */
  async post(path: string, body: Fields | FormData, options: { follow?: boolean } = {}): Promise<Page> {
    const encoded = body instanceof FormData ? body : new URLSearchParams(body);
    return this.request('POST', path, encoded, options.follow ?? false);
  }

  /** The CSRF token of the last page (any form's `_csrf`). */
  csrfToken(page: Page | undefined = this.lastPage): string {
    const token = page?.html.querySelector('input[name="_csrf"]')?.getAttribute('value');
    if (!token) throw new Error(`No CSRF token on ${page?.url}`);
    return token;
  }

  /** Fills and submits the page's form matched by `selector`, following redirects. */
  async submit(page: Page, selector: string, fields: Fields = {}): Promise<Page> {
    const form = page.html.querySelector(selector);
    if (!form) throw new Error(`No form ${selector} on ${page.url}:\n${page.body.slice(0, 2000)}`);
    const values: Fields = {};
    for (const input of form.querySelectorAll('input[name]')) {
      values[input.getAttribute('name')!] = input.getAttribute('value') ?? '';
    }
    Object.assign(values, fields);
    const action = new URL(form.getAttribute('action') ?? page.url, page.url).toString();
    return this.request((form.getAttribute('method') ?? 'GET').toUpperCase(), action, new URLSearchParams(values), true);
  }

  /**
   * Signs in through the development identity provider, starting from `returnUrl`'s sign-in link.
   * Returns the page the app lands on afterwards.
   */
  async signIn(email: string, name: string, returnUrl = '/books'): Promise<Page> {
    const login = await this.get(`/oauth2authorize?return_url=${encodeURIComponent(returnUrl)}`);
    if (!login.html.querySelector('input[name="email"]')) {
      throw new Error(`Expected the provider's sign-in form at ${login.url}, got ${login.status}:\n${login.body.slice(0, 2000)}`);
    }
    let page = await this.submit(login, 'form', { email, name });
    // A consent page may follow; it is a form with a submit button too.
    if (page.url.includes('/dev-idp/interaction/')) page = await this.submit(page, 'form');
    return page;
  }

  cookie(name: string, origin = new URL(this.baseUrl).origin): string | undefined {
    return this.jars.get(origin)?.get(name);
  }

  setCookie(name: string, value: string, origin = new URL(this.baseUrl).origin): void {
    this.jar(origin).set(name, value);
  }

  private async request(method: string, target: string, body: URLSearchParams | FormData | undefined, follow: boolean): Promise<Page> {
    let url = new URL(target, this.baseUrl);
    let currentMethod = method;
    let currentBody = body;
    for (let hop = 0; hop < 15; hop++) {
      const response = await fetch(url, {
        method: currentMethod,
        body: currentBody,
        redirect: 'manual',
        headers: { ...this.headers, cookie: this.cookieHeader(url.origin) },
      });
      this.storeCookies(url.origin, response.headers);
      const location = response.headers.get('location');
      if (follow && location && response.status >= 300 && response.status < 400) {
        await response.arrayBuffer();
        url = new URL(location, url);
        if (response.status !== 307 && response.status !== 308) {
          currentMethod = 'GET';
          currentBody = undefined;
        }
        continue;
      }
      const text = await response.text();
      this.lastPage = { status: response.status, url: url.toString(), headers: response.headers, body: text, html: parse(text) };
      return this.lastPage;
    }
    throw new Error(`Too many redirects from ${target}`);
  }

  private jar(origin: string): Map<string, string> {
    let jar = this.jars.get(origin);
    if (!jar) this.jars.set(origin, (jar = new Map()));
    return jar;
  }

  private cookieHeader(origin: string): string {
    return [...this.jar(origin)].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private storeCookies(origin: string, headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      const expired = attributes.some((a) => {
        const [k, v] = a.trim().split('=');
        return (k.toLowerCase() === 'max-age' && Number(v) <= 0) || (k.toLowerCase() === 'expires' && Date.parse(v) < Date.now());
      });
      if (expired || value === '') this.jar(origin).delete(name);
      else this.jar(origin).set(name, value);
    }
  }
}
