import { describeOnEveryBackend } from '../../helpers/backends';
import type { WebClient } from '../../helpers/web-client';
import { addBook, withBookshelf, titlesOn, XSS } from './support';

/** The book form: validation, control characters, escaping and template syntax, in-process, on every backend. */
describeOnEveryBackend('Bookshelf in-process: adding and editing', (backend) => {
  let ada: WebClient;

  withBookshelf('in-process', backend, (started) => ({ ada } = started));

  describe('books', () => {
    it('shows a form with the entered values and a message at the field when it is invalid (422)', async () => {
      await ada.get('/books/add');
      const page = await ada.post('/books/add', { _csrf: ada.csrfToken(), title: '  ', author: 'Kept Author', description: 'Kept text' });
      expect(page.status).toBe(422);
      expect(page.html.querySelector('h1')?.text).toBe('Add book');
      expect(page.html.querySelector('#title-error')?.text).toBe('Title is required.');
      expect(page.html.querySelector('#title')?.getAttribute('aria-describedby')).toBe('title-error');
      expect(page.html.querySelector('#author')?.getAttribute('value')).toBe('Kept Author');
      expect(page.html.querySelector('#description')?.text).toBe('Kept text');
    });

    it('refuses control characters with 422 and stores nothing', async () => {
      await ada.get('/books/add');
      const page = await ada.post('/books/add', { _csrf: ada.csrfToken(), title: 'Null\u0000byte' });
      expect(page.status).toBe(422);
      expect(titlesOn(await ada.get('/books/mine'))).not.toContain('Nullbyte');
    });

    it('escapes script in every field on every page', async () => {
      const id = await addBook(ada, { title: XSS, author: XSS, publishedDate: XSS.slice(0, 50), description: XSS });
      for (const path of ['/books', '/books/mine', `/books/${id}`, `/books/${id}/edit`, `/books/${id}/delete`]) {
        const page = await ada.get(path);
        expect(page.status).toBe(200);
        expect(page.body).not.toContain('<script>alert(1)');
        expect(page.body).not.toContain('<img src=x');
        expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      }
    });

    it('shows template syntax in user data as typed, never running it', async () => {
      const title = '{{7*7}} {{> nav}} {{{body}}} {{#each books}}x{{/each}}';
      const id = await addBook(ada, { title, author: '{{user.name}}', publishedDate: '', description: '{{csrfToken}}' });
      for (const path of ['/books', `/books/${id}`, `/books/${id}/edit`]) {
        const page = await ada.get(path);
        expect(page.status).toBe(200);
        // The parsed page has the very text typed; the raw page has no second navigation bar.
        expect(page.html.querySelectorAll('.navbar')).toHaveLength(1);
        expect(page.body).toContain('{{7*7}} {{&gt; nav}} {{{body}}} {{#each books}}x{{/each}}');
      }
      const view = await ada.get(`/books/${id}`);
      expect(view.html.querySelector('h1')?.text).toBe(title);
      expect(view.body).toContain('{{user.name}}');
      expect(view.body).toContain('{{csrfToken}}');
    });
  });
});
