/**
 * A set of string prefixes answering "which prefix of this set does the string start with" in
 * O(length of the string): a trie over digits for HS codes (the negative lists and most
 * `startsWith` rules), a per-length lookup for anything else.
 */
type DigitNode = { end: boolean; kids: (DigitNode | undefined)[] };
const newNode = (): DigitNode => ({ end: false, kids: new Array(10) });

export class PrefixSet {
  private readonly digitRoot: DigitNode | undefined;
  private readonly byLength: Map<number, Set<string>> | undefined;
  private readonly lengths: number[] = [];
  readonly size: number;

  constructor(prefixes: readonly string[]) {
    const unique = [...new Set(prefixes)];
    this.size = unique.length;
    if (unique.every((p) => /^[0-9]+$/.test(p))) {
      this.digitRoot = newNode();
      for (const p of unique) {
        let node = this.digitRoot;
        for (let i = 0; i < p.length; i++) {
          const d = p.charCodeAt(i) - 48;
          node = node.kids[d] ??= newNode();
        }
        node.end = true;
      }
    } else {
      this.byLength = new Map();
      for (const p of unique) {
        let set = this.byLength.get(p.length);
        if (!set) this.byLength.set(p.length, (set = new Set()));
        set.add(p);
      }
      this.lengths = [...this.byLength.keys()].sort((a, b) => b - a);
    }
  }

  /** Length of the longest prefix of `value` in the set, or 0 when none. */
  longestMatch(value: string): number {
    if (this.digitRoot) {
      let node: DigitNode | undefined = this.digitRoot;
      let best = 0;
      for (let i = 0; i < value.length && node; i++) {
        const d = value.charCodeAt(i) - 48;
        if (d < 0 || d > 9) return best;
        node = node.kids[d];
        if (node?.end) best = i + 1;
      }
      return best;
    }
    for (const len of this.lengths) if (len <= value.length && this.byLength!.get(len)!.has(value.slice(0, len))) return len;
    return 0;
  }

  has(value: string): boolean {
    return this.longestMatch(value) > 0;
  }
}
