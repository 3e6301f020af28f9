import { Readable } from 'node:stream';
import { join } from 'node:path';
import { createTestEvent } from 'converc-webhooks/testing';
import { cleanup, runCli, tempFolder } from './helpers';

afterEach(cleanup);

const line = (event: unknown) => JSON.stringify(event);
const future = {
  id: 'evt_future',
  type: 'call.transferred',
  createdAt: '2025-01-01T00:00:00Z',
  organizationId: 'org',
  data: {},
};

describe('converc-webhooks validate', () => {
  it('exits 0 when every event is valid, saying how many', async () => {
    const events = [createTestEvent('call.ended'), createTestEvent('call.missed'), createTestEvent('webhook.test')];
    const folder = tempFolder({ 'ok.jsonl': events.map(line).join('\n') });
    const { code, stdout } = await runCli(['validate', join(folder, 'ok.jsonl')]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('3 valid, 0 invalid');
  });

  it('prints each problem with its JSON path and exits 1 when any event is invalid', async () => {
    const broken = createTestEvent('call.ended', { id: 'evt_broken', data: { call: { id: '', endedAt: 'yesterday' } } });
    const folder = tempFolder({ 'dead.jsonl': `${line(createTestEvent('call.ended'))}\n${line(broken)}\n` });
    const { code, stdout } = await runCli(['validate', join(folder, 'dead.jsonl')]);
    expect(code).toBe(1);
    expect(stdout).toContain(`✗ ${join(folder, 'dead.jsonl')}:2  call.ended  evt_broken`);
    expect(stdout).toContain('    data.call.id: must be a non-empty string');
    expect(stdout).toContain('    data.call.endedAt: must be an ISO-8601 date-time');
    expect(stdout).toContain('1 valid, 1 invalid');
  });

  it('counts a line that is not JSON as invalid', async () => {
    const folder = tempFolder({ 'cut.jsonl': '{"id":"evt_1","type":\n' });
    const { code, stdout } = await runCli(['validate', join(folder, 'cut.jsonl')]);
    expect(code).toBe(1);
    expect(stdout).toContain('cut.jsonl:1  (no type)  (no id)');
    expect(stdout).toMatch(/\(the event\): not JSON/);
  });

  it('accepts a type this version does not know, with a note, as a receiver would', async () => {
    const folder = tempFolder({ 'future.json': line(future) });
    const { code, stdout } = await runCli(['validate', join(folder, 'future.json')]);
    expect(code).toBe(0);
    expect(stdout).toContain('call.transferred  evt_future: a type this version does not know');
  });

  it('checks each event of a JSON array, naming it by index', async () => {
    const folder = tempFolder({ 'batch.json': line([createTestEvent('call.ended'), { id: 'x' }]) });
    const { code, stdout } = await runCli(['validate', join(folder, 'batch.json')]);
    expect(code).toBe(1);
    expect(stdout).toContain('batch.json[1]  (no type)  x');
  });

  it('reads JSON Lines or a single JSON event from standard input with -', async () => {
    const lines = `${line(createTestEvent('call.ended'))}\n${line(future)}\n`;
    const fromLines = await runCli(['validate', '-'], { stdin: Readable.from([lines]) });
    expect(fromLines).toMatchObject({ code: 0, stdout: expect.stringContaining('2 valid, 0 invalid') });
    const pretty = JSON.stringify(createTestEvent('call.missed', { data: { call: { requestedAt: 'soon' } } }), null, 2);
    const fromJson = await runCli(['validate', '-'], { stdin: Readable.from([Buffer.from(pretty)]) });
    expect(fromJson.code).toBe(1);
    expect(fromJson.stdout).toContain('<stdin>  call.missed');
    expect(fromJson.stdout).toContain('data.call.requestedAt: must be an ISO-8601 date-time');
  });

  it('prints every result as one JSON object with --json', async () => {
    const folder = tempFolder({ 'two.jsonl': `${line({ ...future, id: '' })}\n${line(future)}` });
    const { code, stdout } = await runCli(['validate', join(folder, 'two.jsonl'), '--json']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      valid: 1,
      invalid: 1,
      results: [
        {
          source: `${join(folder, 'two.jsonl')}:1`,
          valid: false,
          id: '',
          type: 'call.transferred',
          knownType: false,
          issues: [{ path: 'id', message: 'must be a non-empty string' }],
        },
        {
          source: `${join(folder, 'two.jsonl')}:2`,
          valid: true,
          id: 'evt_future',
          type: 'call.transferred',
          knownType: false,
          issues: [],
        },
      ],
    });
  });

  it('validates every event file of a folder', async () => {
    const folder = tempFolder({ 'a.json': line(createTestEvent('call.ended')), 'b.jsonl': line({}) });
    const { code, stdout } = await runCli(['validate', folder]);
    expect(code).toBe(1);
    expect(stdout).toContain('1 valid, 1 invalid');
  });

  it.each([
    [['validate'], /give a file, a folder, or - for standard input/],
    [['validate', 'a.json', 'b.json'], /one file or folder/],
    [['validate', 'a.json', '--strict'], /Unknown option '--strict'/],
  ])('exits 2 for bad usage: %j', async (argv, message) => {
    const { code, stderr } = await runCli(argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('exits 2 when the file cannot be read, or when there is no standard input', async () => {
    const missing = await runCli(['validate', join(tempFolder(), 'nope.json')]);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('nope.json: no such file or folder') });
    const noStdin = await runCli(['validate', '-']);
    expect(noStdin).toMatchObject({ code: 2, stderr: expect.stringContaining('no standard input') });
  });

  it('prints its help with --help and exits 0', async () => {
    const { code, stdout } = await runCli(['validate', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: converc-webhooks validate <file.json | file.jsonl | folder | ->');
  });
});
