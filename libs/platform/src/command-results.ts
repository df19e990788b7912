import type { EventStore, GlobalEvent } from '@custody/event-store';
import { commandResultStream, deterministicId } from '@custody/event-sourcing';
import { contractRoute, type CommandResultRouting, type CommandResultSource, type DecodedEvent, type OutboundMessage, type TopicNames } from '@custody/messaging';
import type { KafkaCommandAnswers } from './commands/kafka-answers';

/**
 * The stored results of a service's commands, for its consumer to answer a command read again
 * (docs/architecture.md, "Exactly one result per command"). Every result is stored by command id,
 * in stream `command-<id>`, in the transaction that decided it: the command's own result
 * (CommandAccepted or CommandRejected, id derived from the command id), and the refusals of
 * messages that could not stand for the command (a broken envelope, a bad signature, another
 * command reusing its id; ids derived from each message). The command's own result is the one
 * published again; failing that, the first refusal. A copy read again that says something else
 * than the command answered (`answers`: its content, or the state that signed it) is answered
 * CommandRejected IDEMPOTENCY_KEY_REUSED instead, stored beside the others (docs/architecture.md,
 * "Idempotent commands"). The message is the one the relay published (same ce_id, same content),
 * to the same topics (`commandResults`: the acting state's own, and the shared one while copied
 * there; docs/adr/0015-command-results-per-state.md).
 */
export function storedCommandResults(
  store: Pick<EventStore, 'readStream' | 'appendToStream'>,
  names: TopicNames,
  commandsTopics: readonly string[],
  answers?: KafkaCommandAnswers,
  commandResults?: CommandResultRouting,
): CommandResultSource {
  const route = contractRoute(names, { store, ...(commandResults ? { commandResults } : {}) });
  // As the relay published it, its place in its stream included (the stream read back to its previous published event).
  const republished = async (event: GlobalEvent) => {
    await route.prepare?.([event]);
    return route(event);
  };
  return {
    topics: commandsTopics.map((topic) => names.physical(topic)),
    async stored(commandId: string, copy?: DecodedEvent): Promise<OutboundMessage | undefined> {
      const reused = copy && answers ? await answers.reused(copy, store) : undefined;
      const own = reused ?? deterministicId(`${commandId}/result`);
      let first: GlobalEvent | undefined;
      for await (const event of store.readStream(commandResultStream(commandId))) {
        const stored = event as GlobalEvent; // the route reads no checkpoint
        if (event.id === own) return republished(stored);
        first ??= stored;
      }
      return first ? republished(first) : undefined;
    },
  };
}
