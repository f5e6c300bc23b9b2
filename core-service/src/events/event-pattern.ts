/**
 * Event type patterns, shared by `onPattern` and webhook filters.
 *
 * Types are dot-separated words. In a pattern `*` stands for exactly one word and `**` for one
 * or more words, so `payment.*` matches `payment.completed` but not `payment.refund.completed`,
 * which `payment.**` matches. A bare `*` or `**` matches every type; anything else is compared
 * exactly. One-word `*` follows AMQP topic routing, which most readers already know.
 */
export function matchesEventPattern(pattern: string, type: string): boolean {
  if (pattern === '*' || pattern === '**') return true;
  if (!pattern.includes('*')) return pattern === type;
  return matchWords(pattern.split('.'), type.split('.'));
}

export function isEventPattern(pattern: string): boolean {
  return pattern.includes('*');
}

function matchWords(pattern: readonly string[], words: readonly string[]): boolean {
  const [head, ...rest] = pattern;
  if (head === undefined) return words.length === 0;
  if (words.length === 0) return false;
  if (head === '**') {
    // one or more words: try every split point
    for (let taken = 1; taken <= words.length; taken++) {
      if (matchWords(rest, words.slice(taken))) return true;
    }
    return false;
  }
  if (head !== '*' && head !== words[0]) return false;
  return matchWords(rest, words.slice(1));
}
