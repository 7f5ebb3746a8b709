/**
 * Every round trip to Python under a deadline: a Proxy around pythonia's proxies that races each call, and each
 * awaited attribute, against a timer. pythonia's own objects stay as they are; what comes back from Python is wrapped
 * again, so `(await (await mod.Cls$({ k: 1 })).method(x))` is timed at every step without the caller writing it.
 */

/** What the session provides to every wrapped object: the timer, and a Python error turned into a MixmaskError. */
export interface CallGuard {
  /** Settles with `pending`, or rejects (and ends the interpreter) when `what` takes longer than the timeout. */
  timed<T>(what: string, pending: Promise<T>): Promise<T>;
}

// wrapper -> the pythonia proxy it stands for, so a wrapped value passed back to Python is unwrapped first.
const inner = new WeakMap<object, object>();
// pythonia answers these without a round trip (its object id, JSON and repr for logging): passed through untimed.
const LOCAL_PROPERTIES = new Set(["$$", "ffid", "toJSON", "toString", "length"]);

/** Wraps a value that came from pythonia: functions (pythonia proxies are functions) get a timed Proxy. */
export function timedValue(value: unknown, guard: CallGuard, path: string): unknown {
  if (typeof value !== "function") return value; // numbers, strings, booleans, null: already JavaScript values
  const target = value as (...args: unknown[]) => unknown;
  const wrapper: object = new Proxy(target, {
    get(proxied, property, receiver) {
      if (typeof property === "symbol" || LOCAL_PROPERTIES.has(property))
        return Reflect.get(proxied, property, receiver);
      if (property === "then") return thenOf(proxied, guard, path);
      return timedValue(Reflect.get(proxied, property) as unknown, guard, `${path}.${property}`);
    },
    apply(proxied, _this, args: unknown[]) {
      const result = Reflect.apply(proxied, undefined, args.map(unwrapped)) as unknown;
      return guard.timed(`${path}(…)`, Promise.resolve(result)).then((value) => timedValue(value, guard, `${path}(…)`));
    },
  });
  inner.set(wrapper, target);
  return wrapper;
}

/** `await proxy.attribute` reads the attribute's value from Python: pythonia makes its proxies thenable for that. */
function thenOf(proxied: object, guard: CallGuard, path: string): unknown {
  const then = Reflect.get(proxied, "then") as unknown;
  if (typeof then !== "function") return then;
  return (resolve: (value: unknown) => void, reject: (error: unknown) => void) => {
    const read = new Promise<unknown>((done, fail) => {
      (then as (ok: (value: unknown) => void, no: (error: unknown) => void) => void).call(proxied, done, fail);
    });
    guard.timed(path, read).then((value) => resolve(timedValue(value, guard, path)), reject);
  };
}

/** A wrapper handed back to Python becomes the pythonia proxy again (top level, and one level into arrays/objects). */
export function unwrapped(value: unknown): unknown {
  if (value !== null && (typeof value === "object" || typeof value === "function")) {
    const original = inner.get(value);
    if (original) return original;
    if (Array.isArray(value))
      return value.map((item) => (item !== null && typeof item === "function" ? (inner.get(item) ?? item) : item));
    if (Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, v !== null && typeof v === "function" ? (inner.get(v) ?? v) : v]),
      );
    }
  }
  return value;
}
