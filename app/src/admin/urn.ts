/**
 * Permission URNs `resource:action:target` as access-engine accepts them: three non-empty
 * segments of letters, digits, `_ - . @`, or `*` as a whole segment. Checked in the form so a
 * typo is pointed at before the API refuses the whole role.
 */
export function urnProblem(urn: string): string | undefined {
  const segments = urn.split(':');
  if (segments.length !== 3) return `${urn}: needs three parts, resource:action:target`;
  for (const [index, segment] of segments.entries()) {
    const name = ['resource', 'action', 'target'][index]!;
    if (segment === '') return `${urn}: the ${name} is empty`;
    if (segment === '*') continue;
    if (segment.includes('*')) return `${urn}: "*" must be the whole ${name}`;
    if (!/^[A-Za-z0-9_.@-]+$/.test(segment)) return `${urn}: the ${name} may use letters, digits and _ - . @ only`;
  }
  return undefined;
}

/** Non-empty lines of a textarea, trimmed. */
export function urnLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}
