/**
 * Local certificate signing: P-256 keys generated into the data directory
 * (`<dir>/<kid>.jwk.json`, private, mode 0600) and a `current` file naming the one that signs.
 * Rotation writes a new key and points `current` at it; earlier keys stay and stay published, so
 * certificates they signed still verify. Every process of the platform (API and queue workers)
 * reads the same directory; the first to find it empty creates the key, the others adopt it.
 */
import { createPrivateKey, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { publicJwk, type PublicSigningJwk, type Signer, type SigningKey } from '../domain/certificate-jws.js';

type StoredKey = { kid: string; createdAt: string; jwk: Record<string, string> };

const CURRENT = 'current';

function writeNewKey(dir: string): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' }) as Record<string, string>;
  const { kid } = publicJwk(jwk);
  const stored: StoredKey = { kid, createdAt: new Date().toISOString(), jwk };
  fs.writeFileSync(path.join(dir, `${kid}.jwk.json`), JSON.stringify(stored, null, 1), { mode: 0o600, flag: 'wx' });
  return kid;
}

/** Makes a new key the signing one; the old ones remain for verification. Returns the new kid. */
export function rotateLocalSigningKey(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const kid = writeNewKey(dir);
  const tmp = path.join(dir, `${CURRENT}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, kid);
  fs.renameSync(tmp, path.join(dir, CURRENT)); // atomic: a reader sees the old kid or the new one
  return kid;
}

export class LocalSigner implements Signer {
  private readonly privateKeys = new Map<string, KeyObject>();

  constructor(private readonly dir: string) {}

  private currentKid(): string {
    const file = path.join(this.dir, CURRENT);
    try {
      return fs.readFileSync(file, 'utf8').trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const kid = writeNewKey(this.dir);
    try {
      fs.writeFileSync(file, kid, { flag: 'wx' });
      return kid;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      fs.rmSync(path.join(this.dir, `${kid}.jwk.json`)); // another process won the race: use its key
      return fs.readFileSync(file, 'utf8').trim();
    }
  }

  private read(kid: string): StoredKey {
    return JSON.parse(fs.readFileSync(path.join(this.dir, `${kid}.jwk.json`), 'utf8')) as StoredKey;
  }

  async current(): Promise<SigningKey> {
    const kid = this.currentKid(); // read every time: a rotation takes effect at once everywhere
    let key = this.privateKeys.get(kid);
    if (!key) {
      key = createPrivateKey({ key: this.read(kid).jwk, format: 'jwk' });
      this.privateKeys.set(kid, key);
    }
    const privateKey = key;
    return { kid, sign: async (input) => cryptoSign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' }) };
  }

  async publicKeys(): Promise<PublicSigningJwk[]> {
    const current = this.currentKid();
    const stored = fs
      .readdirSync(this.dir)
      .filter((name) => name.endsWith('.jwk.json'))
      .map((name) => this.read(name.slice(0, -'.jwk.json'.length)))
      .sort((a, b) => (a.kid === current ? -1 : b.kid === current ? 1 : b.createdAt.localeCompare(a.createdAt)));
    return stored.map((s) => publicJwk(s.jwk));
  }
}
