import { cookieValue } from './cookie-value';

describe(cookieValue.name, () => {
  it.each([
    ['the only cookie', 'a=1', '1'],
    ['one among others', 'x=2; a=1; y=3', '1'],
    ['one without spaces around it', 'x=2;a=1;y=3', '1'],
    ['an empty value', 'a=', ''],
    ['a value containing =', 'a=b=c', 'b=c'],
    ['the first of a repeated name', 'a=1; a=2', '1'],
  ])('reads %s', (_name, header, value) => {
    expect(cookieValue(header, 'a')).toBe(value);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['other cookies only', 'b=1; c=2'],
    ['a name that only ends with it', 'xa=1'],
    ['a name that only starts with it', 'ab=1'],
    ['the name in another case', 'A=1'],
    ['the name as a value', 'b=a'],
    ['a pair without =', 'a'],
  ])('finds nothing in %s', (_name, header) => {
    expect(cookieValue(header, 'a')).toBeUndefined();
  });
});
