import { DeadlineQueue, deadlineQueue } from '../../src/node/deadline-queue';

describe('DeadlineQueue', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('expires an entry once its time has come, not before', () => {
    const queue = new DeadlineQueue(1000);
    const expire = jest.fn();
    queue.add(expire);
    jest.advanceTimersByTime(999);
    expect(expire).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(expire).toHaveBeenCalledTimes(1);
    expect(queue.size).toBe(0);
  });

  it('never expires a cancelled entry', () => {
    const queue = new DeadlineQueue(1000);
    const expire = jest.fn();
    queue.cancel(queue.add(expire));
    jest.advanceTimersByTime(5000);
    expect(expire).not.toHaveBeenCalled();
  });

  it('serves many entries with one timer, and expires them in order', () => {
    const setTimeoutSpy = jest.spyOn(globalThis, 'setTimeout');
    const queue = new DeadlineQueue(1000);
    const expired: number[] = [];
    for (let index = 0; index < 100; index++) {
      queue.add(() => expired.push(index));
      jest.advanceTimersByTime(1);
    }
    expect(setTimeoutSpy).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(1000);
    expect(expired).toEqual(Array.from({ length: 100 }, (_, index) => index));
    setTimeoutSpy.mockRestore();
  });

  it('keeps each deadline when the entry the timer was armed for is cancelled', () => {
    const queue = new DeadlineQueue(1000);
    queue.cancel(queue.add(() => undefined));
    jest.advanceTimersByTime(500);
    const later = jest.fn();
    queue.add(later);
    jest.advanceTimersByTime(500);
    expect(later).not.toHaveBeenCalled();
    jest.advanceTimersByTime(499);
    expect(later).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(later).toHaveBeenCalledTimes(1);
  });

  it('stops its timer once nothing is pending', () => {
    const queue = new DeadlineQueue(1000);
    const entry = queue.add(() => undefined);
    queue.cancel(entry);
    jest.advanceTimersByTime(1000);
    expect(jest.getTimerCount()).toBe(0);
    queue.add(() => undefined);
    jest.advanceTimersByTime(1000);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('takes entries added by an expiry', () => {
    const queue = new DeadlineQueue(100);
    const second = jest.fn();
    queue.add(() => queue.add(second));
    jest.advanceTimersByTime(100);
    expect(second).not.toHaveBeenCalled();
    jest.advanceTimersByTime(100);
    expect(second).toHaveBeenCalledTimes(1);
  });

  it('runs every expiry due, even after one that throws, then throws the first error', () => {
    const queue = new DeadlineQueue(100);
    const second = jest.fn();
    queue.add(() => {
      throw new Error('first');
    });
    queue.add(second);
    expect(() => { jest.advanceTimersByTime(100); }).toThrow('first');
    expect(second).toHaveBeenCalledTimes(1);
    expect(queue.size).toBe(0);
  });

  it('expires entries under fake timers that leave performance.now real', () => {
    jest.useFakeTimers({ doNotFake: ['performance'] });
    const queue = new DeadlineQueue(1000);
    const first = jest.fn();
    const second = jest.fn();
    queue.add(first);
    queue.add(second);
    jest.advanceTimersByTime(1000);
    expect(first).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(50);
    expect(second).toHaveBeenCalledTimes(1);
  });

  it('arms a real timer after one armed under fake timers was left behind', async () => {
    const queue = new DeadlineQueue(20);
    queue.cancel(queue.add(() => undefined));
    jest.useRealTimers();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<string>((resolve) => queue.add(() => { resolve('expired'); }));
    const late = new Promise<string>((resolve) => {
      timer = setTimeout(resolve, 1000, 'never expired');
    });
    await expect(Promise.race([expired, late])).resolves.toBe('expired');
    clearTimeout(timer);
  });

  it('arms the next timer from when a late one fired, so that lateness does not pass from one deadline to the next', () => {
    jest.useFakeTimers({ doNotFake: ['performance'] });
    let now = 0;
    const clock = jest.spyOn(performance, 'now').mockImplementation(() => now);
    try {
      const queue = new DeadlineQueue(1000);
      const expiredAt: number[] = [];
      queue.add(() => expiredAt.push(now));
      now = 20;
      queue.add(() => expiredAt.push(now));
      // The first timer fires 15 ms late: the event loop was busy.
      now = 1015;
      jest.advanceTimersByTime(1000);
      expect(expiredAt).toEqual([1015]);
      // The second deadline is 5 ms away now, not the 20 between the two.
      now = 1020;
      jest.advanceTimersByTime(5);
      expect(expiredAt).toEqual([1015, 1020]);
    } finally {
      clock.mockRestore();
    }
  });

  it('is shared per length', () => {
    expect(deadlineQueue(1234)).toBe(deadlineQueue(1234));
    expect(deadlineQueue(1234)).not.toBe(deadlineQueue(4321));
  });
});
