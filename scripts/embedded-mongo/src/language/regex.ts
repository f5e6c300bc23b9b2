import { badValue } from '../errors.js';

/**
 * MongoDB regular expressions (PCRE syntax and options i, m, s, x, u) as JS RegExps. JS has no
 * extended mode, so `x` is applied by stripping unescaped whitespace and `#` comments from the
 * pattern before compiling.
 */
const SUPPORTED_OPTIONS = new Set(['i', 'm', 's', 'x', 'u']);

export function compileRegex(pattern: string, options: string): RegExp {
  let flags = '';
  let extended = false;
  for (const option of options) {
    if (!SUPPORTED_OPTIONS.has(option)) throw badValue(`invalid flag in regex options: ${option}`);
    if (option === 'x') extended = true;
    else if (!flags.includes(option)) flags += option;
  }
  const source = extended ? stripExtendedWhitespace(pattern) : pattern;
  try {
    return new RegExp(source, flags);
  } catch (error) {
    throw badValue(`Regular expression is invalid: ${(error as Error).message}`);
  }
}

/** A RegExp or BSONRegExp value, with extra options (from `$options`) merged in. */
export function regexFromValue(value: unknown, extraOptions = ''): RegExp {
  if (value instanceof RegExp) {
    return extraOptions === '' ? value : compileRegex(value.source, value.flags.replace(/[gy]/g, '') + extraOptions);
  }
  const bsonRegex = value as { pattern: string; options: string };
  return compileRegex(bsonRegex.pattern, bsonRegex.options + extraOptions);
}

export function isRegexValue(value: unknown): boolean {
  return value instanceof RegExp || (typeof value === 'object' && value !== null && (value as { _bsontype?: string })._bsontype === 'BSONRegExp');
}

function stripExtendedWhitespace(pattern: string): string {
  let result = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '\\' && i + 1 < pattern.length) {
      result += char + pattern[i + 1];
      i++;
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
      result += char;
      continue;
    }
    if (char === '[') inClass = true;
    if (char === '#') {
      while (i < pattern.length && pattern[i] !== '\n') i++;
      continue;
    }
    if (/\s/.test(char)) continue;
    result += char;
  }
  return result;
}
