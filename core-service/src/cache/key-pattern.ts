/**
 * A Redis glob (`*`, `?`, `[...]`, `\` escapes) as a RegExp, so the in-memory layer deletes the
 * same keys `deleteCachePattern` deletes from Redis with SCAN MATCH.
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let index = 0; index < glob.length; index += 1) {
    const character = glob[index] as string;
    if (character === '\\' && index + 1 < glob.length) {
      index += 1;
      source += escapeRegExp(glob[index] as string);
    } else if (character === '*') source += '.*';
    else if (character === '?') source += '.';
    else if (character === '[') {
      const end = glob.indexOf(']', index + 1);
      if (end === -1) source += '\\[';
      else {
        const body = glob.slice(index + 1, end).replace(/\\/g, '\\\\');
        source += body.startsWith('^') ? `[^${body.slice(1)}]` : `[${body}]`;
        index = end;
      }
    } else source += escapeRegExp(character);
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
