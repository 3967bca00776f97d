import { describeOnEveryBackend } from '../../helpers/backends';
import { sendHeadOnly } from '../../helpers/raw-http';
import { WebClient } from '../../helpers/web-client';
import { addBook, withBookshelf, type TestApp } from './support';

/** Who may change what: owners, other people and anonymous visitors, in-process, on every backend. */
describeOnEveryBackend('Bookshelf in-process: ownership', (backend) => {
  let app: TestApp;
  let ada: WebClient;
  let bob: WebClient;

  withBookshelf('in-process', backend, (started) => ({ app, ada, bob } = started));

  describe('books', () => {
    it('ignores an owner sent in the form', async () => {
      const id = await addBook(ada, { title: 'Owned by Ada', createdById: 'bob', createdBy: 'Bob' });
      expect((await ada.get(`/books/${id}`)).body).toContain('Added by Ada Lovelace');
      expect((await bob.get(`/books/${id}`)).body).not.toContain('Edit book');
    });

    it('refuses edits and deletes by someone else, leaving the book unchanged', async () => {
      const id = await addBook(ada, { title: 'Not for Bob', author: 'Ada' });
      const view = await bob.get(`/books/${id}`);
      expect(view.body).not.toContain('Edit book');
      expect(view.body).not.toContain('Delete book');
      expect((await bob.get(`/books/${id}/edit`)).status).toBe(403);
      expect((await bob.get(`/books/${id}/delete`)).status).toBe(403);
      const edit = await bob.post(`/books/${id}/edit`, { _csrf: bob.csrfToken(), title: 'Bob was here' });
      expect(edit.status).toBe(403);
      const del = await bob.post(`/books/${id}/delete`, { _csrf: bob.csrfToken() });
      expect(del.status).toBe(403);
      const after = await ada.get(`/books/${id}`);
      expect(after.status).toBe(200);
      expect(after.body).toContain('Not for Bob');
      expect(after.body).not.toContain('Bob was here');
    });
  });

  describe('security', () => {
    it('answers an anonymous POST with 403', async () => {
      const anonymous = new WebClient(app.baseUrl);
      expect((await anonymous.post('/books/add', { title: 'Anonymous' })).status).toBe(403);
      expect((await anonymous.post('/logout', {})).status).toBe(403);
    });

    it('refuses an anonymous upload with 403 without waiting for its body', async () => {
      const answer = await sendHeadOnly(
        app.port,
        'POST',
        '/books/add',
        { 'content-type': 'multipart/form-data; boundary=x' },
        7.5 * 1024 * 1024,
      );
      expect(answer.status).toBe(403);
      expect(answer.headers.connection).toBe('close');
    });
  });
});
