'use strict';
/**
 * A scripted browser for the benchmark's sign-ins: one cookie jar per origin, redirects followed by hand,
 * forms submitted the way a browser would (the same approach as test/helpers/web-client.ts, in plain JS).
 */
const { parse } = require('node-html-parser');

class WebClient {
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
    this.jars = new Map();
  }

  get(path) {
    return this.request('GET', path, undefined);
  }

  /** Submits the first form matching `selector` with its inputs plus `fields`, following redirects. */
  submit(page, selector, fields = {}) {
    const form = page.html.querySelector(selector);
    if (!form) throw new Error(`No form ${selector} on ${page.url} (status ${page.status}):\n${page.body.slice(0, 1500)}`);
    const values = {};
    for (const input of form.querySelectorAll('input[name]')) values[input.getAttribute('name')] = input.getAttribute('value') ?? '';
    Object.assign(values, fields);
    const action = new URL(form.getAttribute('action') ?? page.url, page.url).toString();
    return this.request((form.getAttribute('method') ?? 'GET').toUpperCase(), action, new URLSearchParams(values));
  }

  /** Signs in through an OpenID provider that shows our development sign-in form (email, name). */
  async signIn(email, name, returnUrl = '/books/mine') {
    const login = await this.get(`/oauth2authorize?return_url=${encodeURIComponent(returnUrl)}`);
    if (!login.html.querySelector('input[name="email"]')) {
      throw new Error(`Expected the provider's sign-in form at ${login.url}, got ${login.status}:\n${login.body.slice(0, 1500)}`);
    }
    let page = await this.submit(login, 'form', { email, name });
    if (page.url.includes('/interaction/')) page = await this.submit(page, 'form');
    if (new URL(page.url).origin !== new URL(this.baseUrl).origin || page.status !== 200) {
      throw new Error(`Sign-in as ${email} ended at ${page.url} with ${page.status}:\n${page.body.slice(0, 1500)}`);
    }
    return page;
  }

  cookieHeader(origin = new URL(this.baseUrl).origin) {
    return [...this.jar(origin)].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  csrfToken(page) {
    const token = page.html.querySelector('input[name="_csrf"]')?.getAttribute('value');
    if (!token) throw new Error(`No CSRF token on ${page.url}`);
    return token;
  }

  async request(method, target, body) {
    let url = new URL(target, this.baseUrl);
    for (let hop = 0; hop < 15; hop++) {
      const response = await fetch(url, { method, body, redirect: 'manual', headers: { cookie: this.cookieHeader(url.origin) } });
      this.storeCookies(url.origin, response.headers);
      const location = response.headers.get('location');
      if (location && response.status >= 300 && response.status < 400) {
        await response.arrayBuffer();
        url = new URL(location, url);
        if (response.status !== 307 && response.status !== 308) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      const text = await response.text();
      return { status: response.status, url: url.toString(), headers: response.headers, body: text, html: parse(text) };
    }
    throw new Error(`Too many redirects from ${target}`);
  }

  jar(origin) {
    if (!this.jars.has(origin)) this.jars.set(origin, new Map());
    return this.jars.get(origin);
  }

  storeCookies(origin, headers) {
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

module.exports = { WebClient };
