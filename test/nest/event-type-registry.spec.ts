import { EventTypeRegistry } from '../../lib/index.js';

class Renamed {
  constructor(readonly name: string) {}
}

/** A class whose prototype has a setter and a getter for keys its stored payload has. */
class Labelled {
  static readonly setterCalls: unknown[] = [];
  set label(value: unknown) {
    Labelled.setterCalls.push(value);
  }
  get kind(): string {
    return 'computed';
  }
}

/** A class whose prototype has a read-only property named as a key of its stored payload. */
class Sealed {}
Object.defineProperty(Sealed.prototype, 'status', { value: 'default', writable: false });

const registry = new EventTypeRegistry();
registry.register('Thing', [Renamed, Labelled, Sealed]);

const read = (type: string, payload: unknown) =>
  registry.toEvent('Thing#1', { version: 1, type, schemaVersion: 1, payload });

const dataProperty = (value: unknown) => ({
  value,
  writable: true,
  enumerable: true,
  configurable: true,
});

describe('EventTypeRegistry.toEvent', () => {
  it('gives an instance of the class with each stored key as an own data property', () => {
    const event = read('Renamed', { name: 'Grace' });

    expect(event).toBeInstanceOf(Renamed);
    expect(Object.getOwnPropertyDescriptors(event)).toEqual({ name: dataProperty('Grace') });
  });

  it('defines keys its class has accessors for, without calling them', () => {
    const event = read('Labelled', { label: 'stored', kind: 'stored kind' });

    expect(event).toBeInstanceOf(Labelled);
    expect(Labelled.setterCalls).toEqual([]);
    expect(Object.getOwnPropertyDescriptors(event)).toEqual({
      label: dataProperty('stored'),
      kind: dataProperty('stored kind'),
    });
  });

  it('defines keys its class has read-only properties for', () => {
    const event = read('Sealed', { status: 'stored' });

    expect(event).toBeInstanceOf(Sealed);
    expect(Object.getOwnPropertyDescriptors(event)).toEqual({ status: dataProperty('stored') });
  });

  it('keeps a "__proto__" key as an own property, the prototype unchanged', () => {
    const event = read('Renamed', JSON.parse('{"name":"Ada","__proto__":{"name":"forged"}}'));

    expect(Object.getPrototypeOf(event)).toBe(Renamed.prototype);
    expect(Object.keys(event)).toEqual(['name', '__proto__']);
    expect((event as Renamed).name).toBe('Ada');
  });
});
