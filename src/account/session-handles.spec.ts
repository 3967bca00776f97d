import { SessionHandles } from './session-handles';

describe(SessionHandles.name, () => {
  const handles = new SessionHandles('a-secret-for-this-test-only-0123456789');

  it('names a session by an opaque handle that does not contain its id', () => {
    const handle = handles.of('session-id-123');
    expect(handle).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(handle).not.toContain('session-id-123');
    expect(handles.of('session-id-123')).toBe(handle);
  });

  it('matches only the session it names, and only under the same secret', () => {
    const handle = handles.of('one');
    expect(handles.matches(handle, 'one')).toBe(true);
    expect(handles.matches(handle, 'two')).toBe(false);
    expect(handles.matches(`${handle}x`, 'one')).toBe(false);
    expect(new SessionHandles('another-secret-entirely-9876543210').matches(handle, 'one')).toBe(false);
  });
});
