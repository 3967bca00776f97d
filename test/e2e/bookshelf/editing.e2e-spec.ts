import { describeOnEveryBackend } from '../../helpers/backends';
import type { WebClient } from '../../helpers/web-client';
import { addBook, withBookshelf, titlesOn, XSS } from './support';

/** The book form: validation, control characters, escaping and template syntax, in-process, on every backend. */
describeOnEveryBackend('Bookshelf in-process: adding and editing', (backend) => {
  let ada: WebClient;

  withBookshelf('in-process', backend, (started) => ({ ada } = started));

  describe('books', () => {
    it('sends an invalid form back to its page (303), which shows the entered values and a message at the field (422), once', async () => {
      await ada.get('/books/add');
      const refused = await ada.post('/books/add', {
        _csrf: ada.csrfToken(),
        title: '  ',
        author: 'Kept Author',
        description: 'Kept text',
      });
      // Post/redirect/get: Back and Reload never resend the form.
      expect(refused.status).toBe(303);
      expect(refused.headers.get('location')).toBe('/books/add');
      const page = await ada.get('/books/add');
      expect(page.status).toBe(422);
      expect(page.html.querySelector('h1')?.text).toBe('Add book');
      expect(page.html.querySelector('#title-error')?.text).toBe('Title is required.');
      expect(page.html.querySelector('#title')?.getAttribute('aria-describedby')).toBe('title-error');
      expect(page.html.querySelector('#author')?.getAttribute('value')).toBe('Kept Author');
      expect(page.html.querySelector('#description')?.text).toBe('Kept text');
      // The focus goes to the first refused field.
      expect(page.html.querySelector('#title')?.hasAttribute('autofocus')).toBe(true);
      expect(page.html.querySelector('#author')?.hasAttribute('autofocus')).toBe(false);
      // Shown once: reloading the page gives the empty form.
      const again = await ada.get('/books/add');
      expect(again.status).toBe(200);
      expect(again.html.querySelector('#author')?.getAttribute('value')).toBe('');
      expect(again.html.querySelector('#title')?.classList.contains('is-invalid')).toBe(false);
    });

    it('forgets a refused form when another page is visited first', async () => {
      await ada.get('/books/add');
      await ada.post('/books/add', { _csrf: ada.csrfToken(), title: '', author: 'Left behind' });
      await ada.get('/books/mine');
      const page = await ada.get('/books/add');
      expect(page.status).toBe(200);
      expect(page.html.querySelector('#author')?.getAttribute('value')).toBe('');
    });

    it('sends a refused edit back to the edit form with what was typed, not the stored book', async () => {
      const id = await addBook(ada, { title: 'Stored title', author: 'Stored author' });
      await ada.get(`/books/${id}/edit`);
      const refused = await ada.post(`/books/${id}/edit`, { _csrf: ada.csrfToken(), title: '', author: 'Typed author' });
      expect(refused.status).toBe(303);
      expect(refused.headers.get('location')).toBe(`/books/${id}/edit`);
      const page = await ada.get(`/books/${id}/edit`);
      expect(page.status).toBe(422);
      expect(page.html.querySelector('#author')?.getAttribute('value')).toBe('Typed author');
      expect(page.html.querySelector('#title-error')?.text).toBe('Title is required.');
      expect((await ada.get(`/books/${id}`)).html.querySelector('h1')?.text).toBe('Stored title');
    });

    it('refuses control characters with 422 and stores nothing', async () => {
      await ada.get('/books/add');
      const page = await ada.post('/books/add', { _csrf: ada.csrfToken(), title: 'Null\u0000byte' }, { follow: true });
      expect(page.status).toBe(422);
      expect(page.html.querySelector('#title-error')?.text).toBe('Title contains characters that are not allowed.');
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
