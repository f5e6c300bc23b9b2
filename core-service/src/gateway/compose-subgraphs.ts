import { composeServices } from '@apollo/composition';
import { Kind, parse, visit, type DocumentNode, type ObjectTypeDefinitionNode, type ObjectTypeExtensionNode } from 'graphql';

export interface SubgraphSdl {
  name: string;
  url: string;
  sdl: string | DocumentNode;
}

/**
 * Query fields every subgraph may declare by platform convention, resolved the same way in each
 * (core-service's buildServiceSchema answers `errorCodes` from the shared registry). Federation
 * refuses a root field defined in two subgraphs unless each marks it `@shareable`; the gateway
 * marks these itself so a service adding the convention field does not break composition.
 */
export const CONVENTION_SHARED_QUERY_FIELDS: readonly string[] = ['errorCodes'];

/** Composes subgraph SDLs into a supergraph; throws with every composition error's message. */
export function composeSupergraphSdl(subgraphs: readonly SubgraphSdl[]): string {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: shareConventionFields(typeof s.sdl === 'string' ? parse(s.sdl) : s.sdl) })));
  if (result.errors) throw new Error(`supergraph composition failed:\n${result.errors.map((e) => `- ${e.message}`).join('\n')}`);
  return result.supergraphSdl;
}

function shareConventionFields(document: DocumentNode): DocumentNode {
  const declares = document.definitions.some(
    (d) =>
      (d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION) && d.name.value === 'Query' && d.fields?.some((f) => CONVENTION_SHARED_QUERY_FIELDS.includes(f.name.value)),
  );
  if (!declares) return document;
  let shareableName = '@shareable';
  const withImport = visit(document, {
    // The federation @link must import @shareable (or the subgraph uses it under another name).
    Directive(node) {
      if (node.name.value !== 'link') return undefined;
      const url = node.arguments?.find((a) => a.name.value === 'url');
      if (url?.value.kind !== Kind.STRING || !url.value.value.includes('specs.apollo.dev/federation')) return undefined;
      const imports = node.arguments?.find((a) => a.name.value === 'import');
      if (imports?.value.kind !== Kind.LIST) return undefined;
      for (const value of imports.value.values) {
        if (value.kind === Kind.STRING && value.value === '@shareable') return undefined;
        if (value.kind === Kind.OBJECT) {
          const name = value.fields.find((f) => f.name.value === 'name');
          const as = value.fields.find((f) => f.name.value === 'as');
          if (name?.value.kind === Kind.STRING && name.value.value === '@shareable' && as?.value.kind === Kind.STRING) {
            shareableName = as.value.value;
            return undefined;
          }
        }
      }
      return {
        ...node,
        arguments: node.arguments?.map((a) =>
          a === imports ? { ...a, value: { ...imports.value, values: [...(imports.value.kind === Kind.LIST ? imports.value.values : []), { kind: Kind.STRING, value: '@shareable' }] } } : a,
        ),
      };
    },
  });
  const directiveName = shareableName.replace(/^@/, '');
  const markQuery = (node: ObjectTypeDefinitionNode | ObjectTypeExtensionNode) => {
    if (node.name.value !== 'Query') return undefined;
    return {
      ...node,
      fields: node.fields?.map((field) =>
        CONVENTION_SHARED_QUERY_FIELDS.includes(field.name.value) && !field.directives?.some((d) => d.name.value === directiveName)
          ? { ...field, directives: [...(field.directives ?? []), { kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value: directiveName }, arguments: [] }] }
          : field,
      ),
    };
  };
  return visit(withImport, { ObjectTypeDefinition: markQuery, ObjectTypeExtension: markQuery });
}
