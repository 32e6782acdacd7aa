/** Growing typed arrays and rebuilding open-addressing hash slots, for the interning tables. */

/** A copy of `old`, `length` long, the new elements set to `fill`. */
export function grownInt32(old: Int32Array<ArrayBuffer>, length: number, fill = 0): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(length);
  if (fill !== 0) bigger.fill(fill, old.length);
  bigger.set(old);
  return bigger;
}

export function grownUint8(old: Uint8Array<ArrayBuffer>, length: number): Uint8Array<ArrayBuffer> {
  const bigger = new Uint8Array(length);
  bigger.set(old);
  return bigger;
}

export function grownUint16(old: Uint16Array<ArrayBuffer>, length: number): Uint16Array<ArrayBuffer> {
  const bigger = new Uint16Array(length);
  bigger.set(old);
  return bigger;
}

/**
 * Slots for entries `0 … count-1` with these hashes: linear probing, each used slot holding its
 * `entry + 1` (0 is empty). `capacity` must be a power of two above `count`.
 */
export function slotsFor(hashes: Int32Array, count: number, capacity: number): Int32Array<ArrayBuffer> {
  const slots = new Int32Array(capacity);
  const mask = capacity - 1;
  for (let entry = 0; entry < count; entry++) {
    let slot = hashes[entry]! & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = entry + 1;
  }
  return slots;
}
