import { applyAssignment, parseAssignment } from '../../src/cli/set-option';

describe('--set path=value', () => {
  it.each([
    ['a=null', null],
    ['a=42', 42],
    ['a=true', true],
    ['a="42"', '42'],
    ['a={"b":[1]}', { b: [1] }],
    ['a=hello world', 'hello world'],
    ['a=', ''],
    ['a=x=y', 'x=y'],
  ])('reads %s as JSON when it parses, else as text', (text, value) => {
    expect(parseAssignment(text, 'send').value).toEqual(value);
  });

  it('splits a dotted path, with array items as [n] or .n', () => {
    expect(parseAssignment('data.qualificationAnswers[0].answer.value=1', 'send').keys).toEqual([
      'data',
      'qualificationAnswers',
      '0',
      'answer',
      'value',
    ]);
    expect(parseAssignment('data.list.2=1', 'send').keys).toEqual(['data', 'list', '2']);
  });

  it('sets a nested field, creating the objects on the way, and an array item', () => {
    const event: Record<string, unknown> = { data: { list: [1, 2] } };
    applyAssignment(event, parseAssignment('data.new.deep=1', 'send'), 'send');
    applyAssignment(event, parseAssignment('data.list[1]=9', 'send'), 'send');
    expect(event).toEqual({ data: { list: [1, 9], new: { deep: 1 } } });
  });

  it.each(['=1', 'a..b=1', 'noequals', 'a.=1'])('refuses the malformed %s', (text) => {
    expect(() => parseAssignment(text, 'send')).toThrow(/--set must look like path=value/);
  });

  it.each(['__proto__.polluted=1', 'a.constructor.prototype.polluted=1'])('refuses %s, which would reach a prototype', (text) => {
    expect(() => parseAssignment(text, 'send')).toThrow(/cannot set/);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('refuses to set a field inside null or a string, or a named field of an array', () => {
    const event = { data: { transcript: null, name: 'x', list: [] } };
    expect(() => { applyAssignment(event, parseAssignment('data.transcript.text=1', 'send'), 'send'); }).toThrow(
      /data\.transcript is null, not an object/,
    );
    expect(() => { applyAssignment(event, parseAssignment('data.name.first=1', 'send'), 'send'); }).toThrow(/data\.name is string/);
    expect(() => { applyAssignment(event, parseAssignment('data.list.first=1', 'send'), 'send'); }).toThrow(/must be an index/);
  });
});
