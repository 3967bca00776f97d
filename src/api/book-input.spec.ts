import { InvalidFields, MalformedRequest } from './api-errors';
import { readBookInput } from './book-input';

describe('readBookInput', () => {
  it('reads the four fields by the form rules and ignores everything else', () => {
    expect(readBookInput({ title: ' T ', author: null, description: 'a\r\nb', createdById: 'x', imageKey: 'k' }, false)).toEqual({
      title: 'T',
      author: '',
      publishedDate: '',
      description: 'a\nb',
    });
  });

  it('reads only the fields present for a merge patch', () => {
    expect(readBookInput({ author: 'A' }, true)).toEqual({ author: 'A' });
    expect(readBookInput({}, true)).toEqual({});
  });

  it('lists every invalid field', () => {
    let error: unknown;
    try {
      readBookInput({ title: null, author: 3, publishedDate: 'x'.repeat(51) }, true);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidFields);
    expect((error as InvalidFields).errors).toEqual([
      { field: 'title', message: 'Title is required.' },
      { field: 'author', message: 'Author must be a string.' },
      { field: 'publishedDate', message: 'Published date can be at most 50 characters.' },
    ]);
  });

  it('refuses a body that is not an object', () => {
    for (const body of [null, [], 'x', 3]) expect(() => readBookInput(body, false)).toThrow(MalformedRequest);
  });
});
