import { beforeDeadline, TIMED_OUT } from '../../src/core/deadline';
import { deferred } from '../contract/helpers';

describe('beforeDeadline', () => {
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('resolves work that has already settled, without arming a timer', async () => {
    const setTimeoutSpy = jest.spyOn(global, 'setTimeout');
    await expect(beforeDeadline(Promise.resolve('now'), Date.now() + 1000)).resolves.toBe('now');
    await expect(beforeDeadline(Promise.reject(new Error('at once')), Date.now() + 1000)).rejects.toThrow('at once');
    expect(setTimeoutSpy).not.toHaveBeenCalled();
  });

  it('resolves TIMED_OUT when the work is still pending at the deadline', async () => {
    jest.useFakeTimers();
    const work = deferred<string>();
    const raced = beforeDeadline(work.promise, Date.now() + 500);
    await Promise.resolve();
    jest.advanceTimersByTime(499);
    let result: unknown = 'pending';
    void raced.then((value) => (result = value));
    await Promise.resolve();
    expect(result).toBe('pending');
    jest.advanceTimersByTime(1);
    await expect(raced).resolves.toBe(TIMED_OUT);
  });

  it('passes through work that settles later, and clears its timer', async () => {
    jest.useFakeTimers();
    const work = deferred<string>();
    const failing = deferred<string>();
    const raced = beforeDeadline(work.promise, Date.now() + 500);
    const rejected = beforeDeadline(failing.promise, Date.now() + 500);
    await Promise.resolve();
    expect(jest.getTimerCount()).toBe(2);
    work.resolve('later');
    failing.reject(new Error('later failure'));
    await expect(raced).resolves.toBe('later');
    await expect(rejected).rejects.toThrow('later failure');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('arms a timer that does not keep the process alive', async () => {
    const unref = jest.fn();
    jest.spyOn(global, 'setTimeout').mockImplementation(() => ({ unref }) as unknown as NodeJS.Timeout);
    void beforeDeadline(deferred().promise, Date.now() + 500);
    await Promise.resolve();
    expect(unref).toHaveBeenCalledTimes(1);
  });
});
