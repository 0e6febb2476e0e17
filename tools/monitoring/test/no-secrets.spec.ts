import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from '../src/paths';

/**
 * Credentials that must never be committed, by the shapes their issuers give them. Test fixtures use
 * obviously fake values (`x`.repeat(32), example.com hosts), which none of these match.
 */
const SECRET_SHAPES: Array<{ what: string; pattern: RegExp }> = [
  { what: 'a private key', pattern: /-----BEGIN (?:RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----/ },
  { what: 'an AWS access key id', pattern: /\bAKIA[0-9A-Z]{16}\b/ },
  { what: 'a Slack token', pattern: /\bxox[abprs]-[0-9A-Za-z-]{10,}/ },
  { what: 'a Slack webhook URL', pattern: /hooks\.slack\.com\/services\/T[0-9A-Z]{6,}\/B[0-9A-Z]{6,}\/[0-9A-Za-z]{20,}/ },
  { what: 'a Twilio account SID with a token', pattern: /\bAC[0-9a-f]{32}\b/ },
  { what: 'a GitHub token', pattern: /\bgh[pousr]_[0-9A-Za-z]{36}\b/ },
  { what: 'a signed JWT', pattern: /\beyJ[0-9A-Za-z_-]{10,}\.eyJ[0-9A-Za-z_-]{10,}\.[0-9A-Za-z_-]{20,}/ },
  { what: "the seed's default password", pattern: /admin123/ },
];

/** Files that name the shapes above in order to refuse them. */
const SCANNERS = new Set(['tools/monitoring/test/no-secrets.spec.ts', 'tools/monitoring/test/compose.spec.ts']);

describe('the repository holds no secret', () => {
  it('has no committed file containing a credential', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: WORKSPACE_ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
    expect(files.length).toBeGreaterThan(100);
    const found: string[] = [];
    for (const file of files) {
      if (SCANNERS.has(file)) continue;
      let text: string;
      try {
        text = readFileSync(join(WORKSPACE_ROOT, file), 'utf8');
      } catch {
        continue; // a file deleted in the work tree but still tracked
      }
      for (const { what, pattern } of SECRET_SHAPES) if (pattern.test(text)) found.push(`${file}: ${what}`);
    }
    expect(found).toEqual([]);
  });

  it('recognises each shape it looks for', () => {
    const samples = [
      '-----BEGIN PRIVATE KEY-----',
      'AKIA' + 'ABCDEFGHIJKLMNOP',
      'xox' + 'b-1234567890-abcdef',
      'hooks.slack.com/services/' + 'T0123456/B0123456/abcdefghijklmnopqrstuvwx',
      'AC' + '0123456789abcdef0123456789abcdef',
      'gh' + 'p_' + 'a'.repeat(36),
      'eyJ' + 'hbGciOiJIUzI1NiJ9.' + 'eyJ' + 'zdWIiOiIxMjM0NSJ9.' + 'x'.repeat(30),
      'admin' + '123',
    ];
    expect(samples.map((sample, index) => SECRET_SHAPES[index].pattern.test(sample))).toEqual(SECRET_SHAPES.map(() => true));
  });
});
