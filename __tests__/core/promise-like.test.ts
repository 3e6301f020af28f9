import { isPromiseLike } from '../../src/core/promise-like';

describe('isPromiseLike', () => {
  it.each([
    ['a promise', Promise.resolve(1)],
    ['a thenable object', { then: () => undefined }],
    ['a thenable function', Object.assign(() => undefined, { then: () => undefined })],
  ])('is true for %s', (_, value) => {
    expect(isPromiseLike(value)).toBe(true);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['a string', 'then'],
    ['an object whose then is not a function', { then: 'later' }],
    ['a claim', { key: 'k', token: '1' }],
  ])('is false for %s', (_, value) => {
    expect(isPromiseLike(value)).toBe(false);
  });
});
