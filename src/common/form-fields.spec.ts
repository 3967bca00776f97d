import { formCheckbox, formText, readTextField, readTextFields } from './form-fields';

describe(readTextField.name, () => {
  const rule = { label: 'Name', maxLength: 5 };

  it('trims the value', () => {
    expect(readTextField('  Ada \n', rule)).toEqual({ value: 'Ada' });
  });

  it('counts code points, not UTF-16 units, against the limit', () => {
    expect(readTextField('🦊'.repeat(5), rule)).toEqual({ value: '🦊'.repeat(5) });
    expect(readTextField('abcdef', rule)).toEqual({ value: 'abcdef', error: 'Name can be at most 5 characters.' });
  });

  it.each(['\u0000', '\u0007', '\u000b', '\u000c', '\u001b', '\u007f', '\ud800', '\udc00'])('refuses the character %j', (char) => {
    expect(readTextField(`a${char}b`, rule).error).toBe('Name contains characters that are not allowed.');
  });

  it('keeps tabs, line feeds, carriage returns and paired surrogates', () => {
    expect(readTextField('a\tb\nc\rd', { label: 'Text', maxLength: 10 })).toEqual({ value: 'a\tb\nc\rd' });
    expect(readTextField('\ud83e\udd8a', rule)).toEqual({ value: '🦊' });
  });

  it('reports refused characters before the length, and the length before a missing value', () => {
    expect(readTextField(`\u0000${'a'.repeat(10)}`, rule).error).toContain('not allowed');
    expect(readTextField('   ', { ...rule, required: true })).toEqual({ value: '', error: 'Name is required.' });
    expect(readTextField('   ', rule)).toEqual({ value: '' });
  });

  it('keeps CRLF as LF in a multi-line field only', () => {
    expect(readTextField(' one\r\ntwo ', { ...rule, maxLength: 20, multiline: true })).toEqual({ value: 'one\ntwo' });
    expect(readTextField('one\r\ntwo', { ...rule, maxLength: 20 })).toEqual({ value: 'one\r\ntwo' });
  });
});

describe(readTextFields.name, () => {
  it('reads only the fields it has rules for, with an error for each refused one', () => {
    const rules = { title: { label: 'Title', maxLength: 3, required: true }, note: { label: 'Note', maxLength: 3 } };
    expect(readTextFields({ title: ' ab ', note: 'abcd', owner: 'mallory' }, rules)).toEqual({
      values: { title: 'ab', note: 'abcd' },
      errors: { note: 'Note can be at most 3 characters.' },
    });
    expect(readTextFields(undefined, rules)).toEqual({ values: { title: '', note: '' }, errors: { title: 'Title is required.' } });
  });
});

describe(formText.name, () => {
  it('takes the first of a repeated field and treats anything but text as empty', () => {
    expect(formText('a')).toBe('a');
    expect(formText(['first', 'second'])).toBe('first');
    expect(formText([1])).toBe('');
    expect(formText({ $gt: '' })).toBe('');
    expect(formText(undefined)).toBe('');
  });
});

describe(formCheckbox.name, () => {
  it.each(['on', 'true', '1', 'yes'])('reads %j as ticked', (value) => expect(formCheckbox(value)).toBe(true));
  it.each([undefined, '', 'off', 'no', ['x', 'on']])('reads %j as not ticked', (value) => expect(formCheckbox(value)).toBe(false));
});
