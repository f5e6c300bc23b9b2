import { ApolloLink } from '@apollo/client/link';
import { print } from 'graphql';
import { Observable } from 'rxjs';
import type { LiveConnection } from '../live/live-connection.js';

/** Subscriptions go over the gateway's Socket.IO transport; each Apollo subscription is one live `subscribe`. */
export function createLiveLink(live: LiveConnection): ApolloLink {
  return new ApolloLink(
    (operation) =>
      new Observable<ApolloLink.Result>((observer) =>
        live.subscribe(print(operation.query), operation.variables, {
          next: (payload) => observer.next(payload as ApolloLink.Result),
          error: (errors) => {
            observer.next({ errors: errors.map((e) => ({ message: e.message, extensions: e.extensions ?? {} })) } as ApolloLink.Result);
            observer.complete();
          },
          complete: () => observer.complete(),
        }),
      ),
  );
}
