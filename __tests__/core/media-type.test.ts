import { charsetOf, isIdentityEncoding, isJsonContentType } from '../../src/core/media-type';

describe('isJsonContentType', () => {
  it.each([
    undefined,
    '',
    'application/json',
    'APPLICATION/JSON',
    'application/json; charset=utf-8',
    'application/json;charset="UTF-8"',
    'application/json; charset=utf8',
    'application/cloudevents+json',
    'application/json; boundary=whatever',
  ])('accepts %p', (header) => {
    expect(isJsonContentType(header)).toBe(true);
  });

  it.each([
    'text/plain',
    'text/json',
    'application/xml',
    'application/jsonx',
    'multipart/form-data; boundary=x',
    'application/json; charset=latin1',
    'json',
  ])('refuses %p', (header) => {
    expect(isJsonContentType(header)).toBe(false);
  });
});

describe('charsetOf', () => {
  it.each([
    ['application/json; charset=UTF-16LE', 'utf-16le'],
    ['text/plain;charset="ISO-8859-1"', 'iso-8859-1'],
    ['application/json; foo=bar; Charset = utf-8', 'utf-8'],
    ['application/json', undefined],
    [undefined, undefined],
  ])('reads %p as %p', (header, charset) => {
    expect(charsetOf(header)).toBe(charset);
  });
});

describe('isIdentityEncoding', () => {
  it.each([undefined, '', 'identity', 'IDENTITY'])('accepts %p', (header) => {
    expect(isIdentityEncoding(header)).toBe(true);
  });
  it.each(['gzip', 'br', 'deflate', 'gzip, identity'])('refuses %p', (header) => {
    expect(isIdentityEncoding(header)).toBe(false);
  });
});
