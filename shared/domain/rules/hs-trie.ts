/**
 * One digit trie for every HS prefix a rule set names: the negative lists' prefixes (a flag per
 * direction) and the prefixes of every indexed line atom (codegen.ts), so that deciding walks each
 * line's HS code once, whatever the number of rules and prefixes.
 *
 * Flat typed arrays, not objects: node n's child for digit k is `kids[n * 10 + k]` (0 = none; the
 * root is node 0 and never anyone's child), so a walk touches no object and allocates nothing.
 * Building is linear in the total number of prefix digits.
 */
export const NEGATIVE_FLAG = { EXPORT: 1, IMPORT: 2 } as const;

export type HsTrie = {
  /** Number of nodes (root included). */
  nodes: number;
  kids: Int32Array;
  /** Per node: NEGATIVE_FLAG bits of the negative lists that end here. */
  negative: Uint8Array;
  /** Per node n: the atoms whose prefix ends here are atomIds[atomStart[n] .. atomStart[n + 1]). */
  atomStart: Int32Array;
  atomIds: Int32Array;
};

export class HsTrieBuilder {
  private kids: number[] = new Array<number>(10).fill(0);
  private negative: number[] = [0];
  private atomsAt: (number[] | undefined)[] = [undefined];
  private atomRefs = 0;
  /** Elementary steps taken so far (for the linear-build test). */
  work = 0;

  /** Whether every character of `prefix` is a digit (only those go in the trie). */
  static indexable(prefix: string): boolean {
    return /^[0-9]+$/.test(prefix);
  }

  private insert(prefix: string): number {
    let node = 0;
    for (let i = 0; i < prefix.length; i++) {
      const slot = node * 10 + prefix.charCodeAt(i) - 48;
      let child = this.kids[slot]!;
      if (child === 0) {
        child = this.negative.length;
        this.kids[slot] = child;
        for (let k = 0; k < 10; k++) this.kids.push(0);
        this.negative.push(0);
        this.atomsAt.push(undefined);
      }
      node = child;
    }
    this.work += prefix.length + 1;
    return node;
  }

  addNegative(prefix: string, flag: number): void {
    const node = this.insert(prefix);
    this.negative[node]! |= flag;
  }

  addAtom(prefix: string, atom: number): void {
    const node = this.insert(prefix);
    (this.atomsAt[node] ??= []).push(atom);
    this.atomRefs++;
  }

  get empty(): boolean {
    return this.negative.length === 1;
  }

  build(): HsTrie {
    const nodes = this.negative.length;
    const atomStart = new Int32Array(nodes + 1);
    const atomIds = new Int32Array(this.atomRefs);
    let at = 0;
    for (let n = 0; n < nodes; n++) {
      atomStart[n] = at;
      const atoms = this.atomsAt[n];
      if (atoms) for (const a of atoms) atomIds[at++] = a;
    }
    atomStart[nodes] = at;
    this.work += nodes + this.atomRefs;
    return { nodes, kids: Int32Array.from(this.kids), negative: Uint8Array.from(this.negative), atomStart, atomIds };
  }
}

/**
 * The prefixes of a `startsWith` list that no other prefix of the list covers ("02" covers
 * "0201"): startsWith-any of the result equals startsWith-any of the list, and on one HS code's
 * walk each atom is reached at most once.
 */
export function minimalPrefixes(prefixes: readonly string[]): string[] {
  const sorted = [...new Set(prefixes)].sort();
  const out: string[] = [];
  for (const p of sorted) {
    // Sorted order puts a prefix right before the strings it covers; compare with the last kept.
    const last = out[out.length - 1];
    if (last === undefined || !p.startsWith(last)) out.push(p);
  }
  return out;
}
