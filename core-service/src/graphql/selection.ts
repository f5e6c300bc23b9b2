import type { GraphQLResolveInfo } from 'graphql';

/** Whether the query selected `field` directly under the resolved field (e.g. `totalCount`, which costs a count). */
export function selectsField(info: GraphQLResolveInfo, field: string): boolean {
  return info.fieldNodes.some((node) => node.selectionSet?.selections.some((selection) => selection.kind === 'Field' && selection.name.value === field));
}
