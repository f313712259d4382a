// A store holds one concept's current value and tells subscribers when it changes. Views
// subscribe and render from it; whoever changes the concept calls `set`/`update` and never
// calls the views itself.

/** createStore(initial) → {get, set, update, subscribe}. `set` with the same value (Object.is)
 * tells nobody; subscribers get (value, previous) and are called in subscription order. */
export function createStore(initial) {
  let value = initial;
  const subscribers = new Set();
  const set = (next) => {
    if (Object.is(next, value)) return;
    const previous = value;
    value = next;
    for (const fn of [...subscribers]) fn(value, previous);
  };
  return {
    get: () => value,
    set,
    update: (change) => set(change(value)),
    /** Returns the unsubscribe function. */
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
  };
}
