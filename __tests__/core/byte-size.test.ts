import { byteSizeSchema } from '../../src/core/byte-size';
import { checkOptions } from '../../src/options/check-options';

const parseByteSize = (value: unknown, option: string): number => checkOptions(byteSizeSchema, value, option, option);

describe('byteSizeSchema', () => {
  it.each([
    [1024, 1024],
    ['100', 100],
    ['100b', 100],
    ['5mb', 5 * 1024 * 1024],
    ['5MB', 5 * 1024 * 1024],
    ['512kb', 512 * 1024],
    ['1.5 mb', 1.5 * 1024 * 1024],
    ['1gb', 1024 ** 3],
  ] as const)('reads %p as %d bytes', (input, bytes) => {
    expect(parseByteSize(input, 'limit')).toBe(bytes);
  });

  it.each([0, -1, 1.5, Number.NaN, Infinity, '', 'big', '5 parsecs', '-5mb', '0kb'])(
    'throws a TypeError naming the option for %p',
    (input) => {
      expect(() => parseByteSize(input, 'limit')).toThrow(/^limit must be/);
    },
  );
});
