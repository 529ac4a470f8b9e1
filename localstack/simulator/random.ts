/**
 * Seeded randomness for the simulator. Everything synthetic (prices, fundamentals, the listing
 * universe, fault choice) derives from these helpers so that the same seed always yields the same
 * bytes. The generator itself is pure-rand's xoroshiro128+ (well kept, fast, jumpable); only the
 * small conveniences on top live here.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** A stateful source of uniform numbers in [0, 1). */
export interface RandomSource {
  next(): number;
}

/**
 * 32-bit FNV-1a hash of a string. Used to turn a symbol (plus a purpose tag) into a PRNG seed, so
 * that e.g. the price walk and the fundamentals of one symbol come from independent streams.
 */
function hashSeed(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

export function seededRandom(seed: number | string): RandomSource {
  const generator = xoroshiro128plus(typeof seed === 'string' ? hashSeed(seed) : seed | 0);
  return { next: () => uniformFloat64(generator) };
}

/** Uniform number in [min, max). */
export function uniform(random: RandomSource, min: number, max: number): number {
  return min + (max - min) * random.next();
}

/** Uniform integer in [min, max] (both included). */
export function integerBetween(random: RandomSource, min: number, max: number): number {
  return min + Math.floor(random.next() * (max - min + 1));
}

/** Standard normal variate (Box-Muller; 1 - u keeps the logarithm away from 0). */
export function standardNormal(random: RandomSource): number {
  const u1 = 1 - random.next();
  const u2 = random.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

export function pick<T>(random: RandomSource, items: readonly T[]): T {
  const item = items[Math.floor(random.next() * items.length)];
  if (item === undefined) throw new Error('pick() needs a non-empty list');
  return item;
}
